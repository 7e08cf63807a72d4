using HvMirror.Archive;

namespace HvMirror.HapiClient;

/// <summary>
/// One row of a dataset's <c>/data</c>, in Time order: a usable <see cref="HapiRecord"/>, or an
/// <see cref="UnusableRecord"/> whose own fields break the contract. <paramref name="Time"/> is when the upstream
/// ingested the file (UTC, strictly increasing within the dataset) for both.
/// </summary>
public abstract record HapiRow(DateTime Time, string Name);

/// <summary>A usable record: <paramref name="Url"/> is where to fetch the file (absolute http or https).</summary>
public sealed record HapiRecord(DateTime Time, string Name, Checksum Checksum, Uri Url) : HapiRow(Time, Name)
{
    /// <summary>
    /// A file record from its fields as an upstream sent them: a <see cref="HapiRecord"/>, or an <see cref="UnusableRecord"/>
    /// saying which of name, checksum and url cannot be used (in a file dataset and in its <c>.observed</c> companion alike).
    /// </summary>
    public static HapiRow Check(DateTime time, string name, string checksumText, string urlText)
    {
        if (name.Length == 0)
            return new UnusableRecord(time, name, checksumText, urlText, "its name is empty");
        if (!Checksum.TryParse(checksumText, out var checksum, out var checksumProblem))
            return new UnusableRecord(time, name, checksumText, urlText,
                $"bad checksum: {checksumProblem} (this mirror verifies files with sha256 only: the upstream must publish 'sha256:<64 lowercase hex>' checksums)");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return new UnusableRecord(time, name, checksumText, urlText, $"its url '{UpstreamText.Shown(urlText)}' is not an absolute http or https URL");
        return new HapiRecord(time, name, checksum, url);
    }
}

/// <summary>
/// A row in its place in time order whose name, checksum or url cannot be used (an unknown checksum algorithm, a
/// relative url, an empty name): the fields as the upstream sent them and what is wrong. The rows around it are
/// unaffected, so a reader may set it aside (quarantine it) and go on.
/// </summary>
public sealed record UnusableRecord(DateTime Time, string Name, string Checksum, string Url, string Problem) : HapiRow(Time, Name);

/// <summary>A dataset listed by <c>/catalog</c>.</summary>
/// <param name="Info">With <see cref="UpstreamClient.GetCatalogWithInfoAsync"/>, the info the upstream embedded (unchecked: see <see cref="UpstreamClient.InfoOf"/>).</param>
public sealed record HapiCatalogEntry(string Id, string? Title, HvMirror.Hapi.HapiInfoResponse? Info = null);

/// <summary>The answer of <c>/catalog</c>, with the HAPI version the upstream declared in it.</summary>
public sealed record HapiCatalog(string HapiVersion, IReadOnlyList<HapiCatalogEntry> Datasets);

/// <summary>
/// What <c>/info</c> says about a dataset that a mirror needs: its time range [<paramref name="StartDate"/>,
/// <paramref name="StopDate"/>), its parameter names in its own order (Time first, then name, checksum and url
/// anywhere among others), and <paramref name="RequestedParameters"/>: those four in the dataset's order, as HAPI wants
/// them asked for and answers them.
/// </summary>
public sealed record HapiDatasetInfo(
    string Dataset,
    string HapiVersion,
    DateTime StartDate,
    DateTime StopDate,
    IReadOnlyList<string> Parameters,
    DateTime? ModificationDate,
    IReadOnlyList<string> RequestedParameters);

/// <summary>One row of a dataset read by its parameters (<see cref="UpstreamClient.ReadFieldsAsync"/>): Time, then every field as text, Time included.</summary>
public sealed record HapiFields(DateTime Time, IReadOnlyList<string> Fields, long Line);

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
