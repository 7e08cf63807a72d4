namespace HvMirror.Contracts;

/// <summary>A fetcher placed and registered a mirrored file; this node's HAPI server now lists it.</summary>
/// <param name="ArchivePath">Where the file lies, relative to this node's archive root.</param>
/// <param name="IngestedAt">This node's ingestion time (the record's <c>Time</c> in this node's HAPI catalog).</param>
/// <param name="UpstreamIngestedAt">The upstream's ingestion time: <c>IngestedAt − UpstreamIngestedAt</c> is the mirror lag.</param>
public sealed record FileIngested(
    string Upstream,
    string Dataset,
    string Name,
    string Checksum,
    string ArchivePath,
    long Size,
    DateTime IngestedAt,
    DateTime UpstreamIngestedAt,
    FileNeedReason Reason);
