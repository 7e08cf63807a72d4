using HvMirror.Hapi;
using HvMirror.Archive;
using HvMirror.Catalog;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.HapiServer;

/// <summary>
/// What the catalog knows of one dataset when a request is answered. <paramref name="LastIngestedAt"/> is the file
/// dataset's clock, which every registration and removal moves: the companions change exactly when it does.
/// </summary>
public sealed record DatasetState(HapiDatasetRef Dataset, DateTime FirstRecordAt, DateTime LastIngestedAt)
{
    public DataSource Source => Dataset.Source;

    public HapiDatasetKind Kind => Dataset.Kind;

    /// <summary>
    /// The dataset's <c>startDate</c>: the UTC midnight that begins the first record's day, as server-nodejs has it.
    /// Clients (hapiclient, the HAPI verifier) ask from the start of that day, and HAPI answers a start before
    /// <c>startDate</c> with 1405; no record lies between this midnight and the first one, so nothing is hidden by it.
    /// </summary>
    public DateTime StartDate => FirstRecordAt.Date;
}

/// <summary>The datasets this node serves: for each Helioviewer source the catalog holds files of, its file dataset and companions.</summary>
public sealed class HapiDatasets(CatalogDbContextFactory contexts, TimeProvider time)
{
    /// <summary>Longest <c>name</c> the catalog stores.</summary>
    public const int NameLength = 255;

    /// <summary>Longest <c>checksum</c> the catalog stores (<c>sha256:</c> + 64 hex is 71).</summary>
    public const int ChecksumLength = 80;

    /// <summary>Longest archive path the catalog stores; safe paths are ASCII, so bytes = characters.</summary>
    public const int ArchivePathLength = 1024;

    public static string Jp2Prefix => "/jp2/";

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
    public async Task<DatasetState?> FindAsync(CatalogDbContext db, HapiDatasetRef dataset, CancellationToken cancellationToken)
    {
        var first = await dataset.Kind.FirstTimeAsync(db, dataset.FileDataset, cancellationToken);
        if (first is null)
            return null;
        var last = await db.Datasets.AsNoTracking().Where(d => d.Id == dataset.FileDataset).Select(d => (DateTime?)d.LastIngestedAt)
            .FirstOrDefaultAsync(cancellationToken);
        return new DatasetState(dataset, first.Value, Utc(last ?? first.Value));
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
            Description = state.Kind.Description(source),
            ModificationDate = HapiTime.Format(state.LastIngestedAt),
            Parameters = parameters.Select(index => state.Kind.Parameters[index]).Select(p => new HapiInfoParameter
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

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
