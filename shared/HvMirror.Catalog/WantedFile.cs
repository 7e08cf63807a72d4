namespace HvMirror.Catalog;

/// <summary>
/// One entry of the work list: a file an upstream lists that this node does not hold (or holds with other bytes). It is
/// written before the file is asked for and removed only once the file is registered with these bytes, so a fetch that
/// failed, a crash or a message lost with an in-memory bus never makes the mirror forget the file.
/// </summary>
public sealed class WantedFile
{
    public required string Name { get; set; }

    public required string Upstream { get; set; }

    public required string Dataset { get; set; }

    /// <summary>The bytes wanted (the upstream record's checksum).</summary>
    public required string Checksum { get; set; }

    public required string Url { get; set; }

    /// <summary>The upstream record's <c>Time</c>.</summary>
    public DateTime UpstreamIngestedAt { get; set; }

    /// <summary>Why it is wanted: <c>New</c> (not held) or <c>Changed</c> (held with other bytes).</summary>
    public required string Reason { get; set; }

    /// <summary>The checksum held when it was found wanted (null for a new file).</summary>
    public string? HeldChecksum { get; set; }

    /// <summary>Failed fetches of these bytes so far (an attempt is a fetcher's whole in-process retry sequence).</summary>
    public int Attempts { get; set; }

    public string? LastError { get; set; }

    /// <summary>When it was first found wanted.</summary>
    public DateTime WantedSince { get; set; }

    /// <summary>When it is asked for again unless it has been registered by then.</summary>
    public DateTime NextAttemptAt { get; set; }
}
