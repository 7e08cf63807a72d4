namespace HvMirror.Catalog;

/// <summary>
/// An upstream record set aside because its own fields cannot be used (an unknown checksum algorithm, a hostile or
/// foreign name, a url that is not http(s)): kept with its reason while its dataset's cursor moves on, and released
/// when the upstream publishes a usable record of the same name.
/// </summary>
public sealed class QuarantinedRecord
{
    public required string Upstream { get; set; }

    public required string Dataset { get; set; }

    /// <summary>The record's name as the upstream sent it (cut to <see cref="RecordQuarantine.MaxNameLength"/> characters).</summary>
    public required string Name { get; set; }

    /// <summary>The upstream record's <c>Time</c>.</summary>
    public DateTime UpstreamIngestedAt { get; set; }

    /// <summary>The checksum as the upstream sent it (cut to <see cref="RecordQuarantine.MaxFieldLength"/> characters).</summary>
    public required string Checksum { get; set; }

    /// <summary>The url as the upstream sent it (cut to <see cref="RecordQuarantine.MaxFieldLength"/> characters).</summary>
    public required string Url { get; set; }

    public required string Reason { get; set; }

    public DateTime FirstSeenAt { get; set; }

    public DateTime LastSeenAt { get; set; }
}
