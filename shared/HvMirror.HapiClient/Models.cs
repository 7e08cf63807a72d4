using HvMirror.Archive;

namespace HvMirror.HapiClient;

/// <summary>
/// One record of a HvMirror dataset: <paramref name="Time"/> is when the upstream ingested the file (UTC, strictly
/// increasing within the dataset), <paramref name="Url"/> where to fetch it (absolute http or https).
/// </summary>
public sealed record HapiRecord(DateTime Time, string Name, Checksum Checksum, Uri Url);

/// <summary>A dataset listed by <c>/catalog</c>.</summary>
public sealed record HapiCatalogEntry(string Id, string? Title);

/// <summary>The answer of <c>/catalog</c>, with the HAPI version the upstream declared in it.</summary>
public sealed record HapiCatalog(string HapiVersion, IReadOnlyList<HapiCatalogEntry> Datasets);

/// <summary>
/// What <c>/info</c> says about a dataset that a mirror needs: its time range [<paramref name="StartDate"/>,
/// <paramref name="StopDate"/>) and its parameter names (the first four are always Time, name, checksum, url;
/// any extra ones after them are listed but never requested).
/// </summary>
public sealed record HapiDatasetInfo(
    string Dataset,
    string HapiVersion,
    DateTime StartDate,
    DateTime StopDate,
    IReadOnlyList<string> Parameters,
    DateTime? ModificationDate);

/// <summary>How <see cref="UpstreamClient"/> reads <c>/data</c>.</summary>
public sealed class UpstreamClientOptions
{
    /// <summary>The longest time range asked for in one <c>/data</c> request (a longer read is split). Default 1 day.</summary>
    public TimeSpan ChunkLength { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The shortest range a chunk is halved down to when the upstream answers 1408 (too much data); a 1408 for a chunk
    /// this short is an error. Default 1 second.
    /// </summary>
    public TimeSpan MinimumChunkLength { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest the upstream may send nothing in the middle of a response. Default 1 minute.</summary>
    public TimeSpan ReadIdleTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most characters one CSV record may have (a guard against an endless line). Default 1 Mi.</summary>
    public int MaxRecordLength { get; set; } = 1 << 20;

    internal void Validate()
    {
        if (ChunkLength <= TimeSpan.Zero)
            throw new ArgumentException("UpstreamClientOptions.ChunkLength must be positive.");
        if (MinimumChunkLength <= TimeSpan.Zero || MinimumChunkLength > ChunkLength)
            throw new ArgumentException("UpstreamClientOptions.MinimumChunkLength must be positive and at most ChunkLength.");
        if (ReadIdleTimeout <= TimeSpan.Zero)
            throw new ArgumentException("UpstreamClientOptions.ReadIdleTimeout must be positive.");
        if (MaxRecordLength < 64)
            throw new ArgumentException("UpstreamClientOptions.MaxRecordLength must be at least 64.");
    }
}
