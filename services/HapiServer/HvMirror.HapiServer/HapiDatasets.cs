using HvMirror.Hapi;
using HvMirror.Archive;
using HvMirror.Catalog;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.HapiServer;

/// <summary>One HAPI parameter of every dataset (HvMirror's fixed contract: Time, name, checksum, url, then size).</summary>
public sealed record HapiParameter(string Name, string Type, int? Length, string? Units, string Description, bool IsUri = false);

/// <summary>What the catalog knows of one dataset when a request is answered.</summary>
public sealed record DatasetState(DataSource Source, DateTime FirstIngestedAt, DateTime LastIngestedAt)
{
    /// <summary>
    /// The dataset's <c>startDate</c>: the UTC midnight that begins the first record's day, as server-nodejs has it.
    /// Clients (hapiclient, the HAPI verifier) ask from the start of that day, and HAPI answers a start before
    /// <c>startDate</c> with 1405; no record lies between this midnight and the first one, so nothing is hidden by it.
    /// </summary>
    public DateTime StartDate => FirstIngestedAt.Date;
}

/// <summary>The datasets this node serves: the Helioviewer sources the catalog holds files of.</summary>
public sealed class HapiDatasets(CatalogDbContextFactory contexts, TimeProvider time)
{
    /// <summary>Longest <c>name</c> the catalog stores.</summary>
    public const int NameLength = 255;

    /// <summary>Longest <c>checksum</c> the catalog stores (<c>sha256:</c> + 64 hex is 71).</summary>
    public const int ChecksumLength = 80;

    /// <summary>Longest archive path the catalog stores; safe paths are ASCII, so bytes = characters.</summary>
    public const int ArchivePathLength = 1024;

    public static string Jp2Prefix => "/jp2/";

    /// <summary>The parameters, in dataset order; <c>url</c>'s length depends on the base url, see <see cref="UrlLength"/>.</summary>
    public static IReadOnlyList<HapiParameter> Parameters { get; } =
    [
        new("Time", "isotime", HapiTime.OutputLength, "UTC",
            "When this node ingested (registered) the file, to the microsecond; strictly increasing within the dataset. A file re-registered with new bytes gets a new Time."),
        new("name", "string", NameLength, null, "The Helioviewer file name, unique across the archive."),
        new("checksum", "string", ChecksumLength, null, "Digest of the file's bytes, self-describing: sha256:<64 lowercase hex>."),
        new("url", "string", null, null, "Where this node serves the file (HTTP Range and ETag supported).", IsUri: true),
        new("size", "integer", null, "bytes", "The file's length in bytes."),
    ];

    public static int UrlLength(string baseUrl) => System.Text.Encoding.UTF8.GetByteCount(baseUrl) + Jp2Prefix.Length + ArchivePathLength;

    /// <summary>
    /// The dataset's <c>stopDate</c>: the dataset is live, so it lies in the future, at the UTC midnight two days after
    /// today's (always between 24 and 48 hours ahead). It changes once a day, so <c>info</c> stays cacheable, and a
    /// poller asking up to "now" never meets 1405 even with a clock a day fast.
    /// </summary>
    public DateTime StopDate() => Today().AddDays(2);

    /// <summary>Start of the current UTC day: when <see cref="StopDate"/> last changed.</summary>
    public DateTime Today() => time.GetUtcNow().UtcDateTime.Date;

    public static string Title(DataSource source)
    {
        var parts = new List<string>();
        foreach (var part in new[] { source.Observatory, source.Instrument, source.Detector, source.Measurement })
        {
            if (part.Length > 0 && (parts.Count == 0 || !string.Equals(parts[^1], part, StringComparison.Ordinal)))
                parts.Add(part);
        }
        return $"{string.Join(' ', parts)} JPEG2000 files";
    }

    /// <summary>The dataset as the catalog holds it now, or null when it is not a known source or holds no files.</summary>
    public async Task<DatasetState?> FindAsync(CatalogDbContext db, string id, CancellationToken cancellationToken)
    {
        if (!DataSources.Helioviewer.TryGet(id, out var source))
            return null;
        var first = await db.Files.AsNoTracking().Where(f => f.Dataset == id).OrderBy(f => f.IngestedAt)
            .Select(f => (DateTime?)f.IngestedAt).FirstOrDefaultAsync(cancellationToken);
        if (first is null)
            return null;
        var last = await db.Datasets.AsNoTracking().Where(d => d.Id == id).Select(d => (DateTime?)d.LastIngestedAt)
            .FirstOrDefaultAsync(cancellationToken);
        return new DatasetState(source, Utc(first.Value), Utc(last ?? first.Value));
    }

    /// <summary>The known sources that hold files, in the order of Helioviewer's source table.</summary>
    public async Task<IReadOnlyList<DataSource>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var ids = await db.Datasets.AsNoTracking()
            .Where(d => db.Files.Any(f => f.Dataset == d.Id))
            .Select(d => d.Id).ToListAsync(cancellationToken);
        var held = ids.ToHashSet(StringComparer.Ordinal);
        return DataSources.Helioviewer.All.Where(s => held.Contains(s.Name)).ToList();
    }

    /// <summary>The info answer of a dataset, or with <paramref name="format"/> the header of a data answer.</summary>
    public HapiInfoResponse Info(DatasetState state, IReadOnlyList<int> parameters, int status, string baseUrl, string? format)
    {
        var source = state.Source;
        return new HapiInfoResponse
        {
            Hapi = HapiResponder.Version,
            Status = HapiResponseStatus.Of(status),
            Format = format,
            StartDate = HapiTime.Format(state.StartDate),
            StopDate = HapiTime.Format(StopDate()),
            TimeStampLocation = "begin",
            Description =
                $"The JPEG2000 files of Helioviewer source {source.Name} ({Title(source).Replace(" JPEG2000 files", "", StringComparison.Ordinal)}) " +
                "held by this node: one record per registration of a file, Time being when this node ingested it. " +
                "The dataset is live: stopDate lies in the future, and a data request returns only records committed before it is answered.",
            ModificationDate = HapiTime.Format(state.LastIngestedAt),
            Parameters = parameters.Select(index => Parameters[index]).Select(p => new HapiInfoParameter
            {
                Name = p.Name,
                Type = p.Type,
                Units = p.Units,
                Length = p.Type is "string" or "isotime" ? p.Length ?? UrlLength(baseUrl) : null,
                StringType = p.IsUri ? "uri" : null,
                Description = p.Description,
            }).ToList(),
            Extensions = new()
            {
                ["x_sourceId"] = source.SourceId,
                ["x_observatory"] = source.Observatory,
                ["x_instrument"] = source.Instrument,
                ["x_detector"] = source.Detector,
                ["x_measurement"] = source.Measurement,
            },
        };
    }

    /// <summary>The record's url: the base, <c>/jp2/</c>, then the archive path with each segment escaped.</summary>
    public static string Url(string baseUrl, string archivePath) => baseUrl + Jp2Prefix + EscapePath(archivePath);

    private static string EscapePath(string archivePath) =>
        ArchivePath.IsSafeRelative(archivePath)
            ? archivePath // only unreserved characters and slashes: nothing to escape
            : string.Join('/', archivePath.Split('/').Select(Uri.EscapeDataString));

    /// <summary>
    /// Parses the <c>parameters</c> request parameter into indexes of <see cref="Parameters"/>: empty means all; Time
    /// is always first; the names must exist (1407) and keep dataset order without repeats (1411).
    /// </summary>
    public static IReadOnlyList<int> SelectParameters(string? requested)
    {
        if (string.IsNullOrEmpty(requested))
            return Enumerable.Range(0, Parameters.Count).ToArray();
        var names = requested.Split(',');
        var indexes = new List<int>(names.Length);
        for (var n = 0; n < names.Length; n++)
        {
            var index = -1;
            for (var p = 0; p < Parameters.Count; p++)
                if (string.Equals(Parameters[p].Name, names[n], StringComparison.Ordinal)) index = p;
            if (index < 0)
                throw new HapiException(HapiStatus.UnknownParameter,
                    $"{HapiStatus.Message(HapiStatus.UnknownParameter)}: name number {n + 1} in 'parameters' is not a parameter of this dataset; " +
                    $"the parameters are {string.Join(", ", Parameters.Select(p => p.Name))} (names are case-sensitive).");
            indexes.Add(index);
        }
        for (var n = 1; n < indexes.Count; n++)
        {
            if (indexes[n] <= indexes[n - 1])
                throw new HapiException(HapiStatus.ParametersOutOfOrder,
                    $"{HapiStatus.Message(HapiStatus.ParametersOutOfOrder)}: list each parameter at most once, in dataset order " +
                    $"({string.Join(", ", Parameters.Select(p => p.Name))}).");
        }
        if (indexes[0] != 0)
            indexes.Insert(0, 0);
        return indexes;
    }

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
