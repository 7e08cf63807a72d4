namespace HvMirror.Contracts;

/// <summary>
/// The poller saw a record in an upstream's HAPI catalog. Published once per record, at least once: duplicates are
/// expected and harmless.
/// </summary>
/// <param name="Upstream">The configured name of the upstream (e.g. <c>gsfc</c>).</param>
/// <param name="Dataset">The HAPI dataset, a Helioviewer source name (e.g. <c>AIA_171</c>).</param>
/// <param name="Name">The file name, the file's key on every node.</param>
/// <param name="Checksum">The upstream's checksum, <c>sha256:&lt;hex&gt;</c>.</param>
/// <param name="Url">Where the upstream serves the file.</param>
/// <param name="UpstreamIngestedAt">The record's HAPI <c>Time</c>: when the upstream ingested these bytes.</param>
public sealed record FileAnnounced(
    string Upstream,
    string Dataset,
    string Name,
    string Checksum,
    Uri Url,
    DateTime UpstreamIngestedAt);
