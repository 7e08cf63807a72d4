namespace HvMirror.Contracts;

/// <summary>
/// A fetcher gave up on a needed file for now (after its in-process retries, or at once for a permanent problem). The
/// file stays on this node's work list and is asked for again at <paramref name="NextAttemptAt"/>.
/// </summary>
/// <param name="Attempts">Failed attempts of these bytes so far.</param>
/// <param name="Permanent">The upstream refused it (404, a refused url or name, not a JP2): retried far less often.</param>
public sealed record FileFetchFailed(
    string Upstream,
    string Dataset,
    string Name,
    string Checksum,
    string Error,
    bool Permanent,
    int Attempts,
    DateTime? NextAttemptAt);
