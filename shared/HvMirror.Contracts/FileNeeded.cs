namespace HvMirror.Contracts;

public enum FileNeedReason
{
    /// <summary>This node does not hold the name.</summary>
    New,

    /// <summary>This node holds the name with other bytes: the upstream reprocessed it.</summary>
    Changed,
}

/// <summary>The comparer found that this node lacks these bytes; a fetcher downloads, verifies and registers them.</summary>
/// <param name="HeldChecksum">The checksum this node held when compared (null for a new file).</param>
public sealed record FileNeeded(
    string Upstream,
    string Dataset,
    string Name,
    string Checksum,
    Uri Url,
    DateTime UpstreamIngestedAt,
    FileNeedReason Reason,
    string? HeldChecksum);
