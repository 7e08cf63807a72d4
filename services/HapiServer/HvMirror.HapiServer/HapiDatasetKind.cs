using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Hapi;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.HapiServer;

/// <summary>Which value of a record a parameter writes; the csv and json writers switch on it.</summary>
public enum HapiField { Time, Name, Checksum, Url, Size, Ingested, Files, Bytes, Digest }

/// <summary>One HAPI parameter of a dataset kind.</summary>
public sealed record HapiParameter(HapiField Field, string Name, string Type, int? Length, string? Units, string Description, bool IsUri = false);

/// <summary>
/// One record as <c>/hapi/data</c> writes it, whatever the kind: each kind fills the values its parameters read and
/// leaves the others at their defaults.
/// </summary>
internal sealed record HapiRow(
    DateTime Time, string Name, string Checksum, string ArchivePath, long Size, DateTime IngestedAt, long Files, long Bytes, string Digest);

/// <summary>A dataset id a request names, resolved without the catalog: its kind and the source it is a view of.</summary>
public sealed record HapiDatasetRef(string Id, HapiDatasetKind Kind, DataSource Source)
{
    /// <summary>The file dataset whose clock, lock and files this dataset reads.</summary>
    public string FileDataset => Source.Name;
}

/// <summary>
/// What kinds of dataset this node serves for each Helioviewer source X: the files themselves (<c>X</c>) and the two
/// companions <see cref="CompanionDatasets"/> documents (<c>X.days</c>, <c>X.observed</c>). A kind has its parameter
/// table, its texts and its row source; validation, the responders and the writers are shared by all kinds.
/// </summary>
public abstract class HapiDatasetKind
{
    // Declared before the kinds: static initializers run in text order and the kinds' tables share these.
    private static readonly HapiParameter NameParameter =
        new(HapiField.Name, "name", "string", HapiDatasets.NameLength, null, "The Helioviewer file name, unique across the archive.");

    private static readonly HapiParameter ChecksumParameter =
        new(HapiField.Checksum, "checksum", "string", HapiDatasets.ChecksumLength, null, "Digest of the file's bytes, self-describing: sha256:<64 lowercase hex>.");

    private static readonly HapiParameter UrlParameter =
        new(HapiField.Url, "url", "string", null, null, "Where this node serves the file (HTTP Range and ETag supported).", IsUri: true);

    private static readonly HapiParameter SizeParameter =
        new(HapiField.Size, "size", "integer", null, "bytes", "The file's length in bytes.");

    public static HapiDatasetKind Files { get; } = new FileKind();

    public static HapiDatasetKind Months { get; } = new MonthsKind();

    public static HapiDatasetKind Days { get; } = new DaysKind();

    public static HapiDatasetKind Observed { get; } = new ObservedKind();

    /// <summary>In the order <c>/hapi/catalog</c> lists them for each source.</summary>
    public static IReadOnlyList<HapiDatasetKind> All { get; } = [Files, Months, Days, Observed];

    /// <summary>What follows the source's name in the dataset id (empty for the file dataset).</summary>
    public abstract string Suffix { get; }

    /// <summary>In dataset order; Time first.</summary>
    public abstract IReadOnlyList<HapiParameter> Parameters { get; }

    /// <summary>
    /// Whether records are cut at the read horizon: only the file dataset's Time is the ingestion time the horizon
    /// bounds; the companions are views of what is committed, keyed by observation time.
    /// </summary>
    public abstract bool CutAtHorizon { get; }

    public string IdOf(DataSource source) => source.Name + Suffix;

    public abstract string Title(DataSource source);

    public abstract string Description(DataSource source);

    /// <summary>The Time of the dataset's first record, or null when the source holds no files.</summary>
    internal abstract Task<DateTime?> FirstTimeAsync(CatalogDbContext db, string fileDataset, CancellationToken cancellationToken);

    /// <summary>The records with Time in [<paramref name="start"/>, <paramref name="stop"/>), in dataset order; streamed, never loaded whole.</summary>
    internal abstract IQueryable<HapiRow> Rows(CatalogDbContext db, string fileDataset, DateTime start, DateTime stop);

    /// <summary>The dataset <paramref name="id"/> names, or null when it is no source's file dataset or companion.</summary>
    public static HapiDatasetRef? Resolve(string id)
    {
        var fileDataset = CompanionDatasets.FileDatasetOf(id);
        var kind = fileDataset is null ? Files : All.Single(k => k.Suffix.Length > 0 && id.EndsWith(k.Suffix, StringComparison.Ordinal));
        return DataSources.Helioviewer.TryGet(fileDataset ?? id, out var source) ? new HapiDatasetRef(id, kind, source) : null;
    }

    /// <summary>
    /// Parses the <c>parameters</c> request parameter into indexes of <see cref="Parameters"/>: empty means all; Time
    /// is always first; the names must exist (1407) and keep dataset order without repeats (1411).
    /// </summary>
    public IReadOnlyList<int> SelectParameters(string? requested)
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
                    $"the parameters are {ParameterNames} (names are case-sensitive).");
            indexes.Add(index);
        }
        for (var n = 1; n < indexes.Count; n++)
        {
            if (indexes[n] <= indexes[n - 1])
                throw new HapiException(HapiStatus.ParametersOutOfOrder,
                    $"{HapiStatus.Message(HapiStatus.ParametersOutOfOrder)}: list each parameter at most once, in dataset order " +
                    $"({ParameterNames}).");
        }
        if (indexes[0] != 0)
            indexes.Insert(0, 0);
        return indexes;
    }

    private string ParameterNames => string.Join(", ", Parameters.Select(p => p.Name));

    /// <summary>"SDO AIA 171" for AIA_171: the source's parts without the repeats.</summary>
    protected static string Instruments(DataSource source) =>
        HapiDatasets.Title(source).Replace(" JPEG2000 files", "", StringComparison.Ordinal);

    private const string Live = "The dataset is live: stopDate lies in the future";

    private static DateTime? Utc(DateTime? value) => value is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;

    private sealed class FileKind : HapiDatasetKind
    {
        public override string Suffix => "";

        public override IReadOnlyList<HapiParameter> Parameters { get; } =
        [
            new(HapiField.Time, "Time", "isotime", HapiTime.OutputLength, "UTC",
                "When this node ingested (registered) the file, to the microsecond; strictly increasing within the dataset. A file re-registered with new bytes gets a new Time."),
            NameParameter, ChecksumParameter, UrlParameter, SizeParameter,
        ];

        public override bool CutAtHorizon => true;

        public override string Title(DataSource source) => HapiDatasets.Title(source);

        public override string Description(DataSource source) =>
            $"The JPEG2000 files of Helioviewer source {source.Name} ({Instruments(source)}) " +
            "held by this node: one record per registration of a file, Time being when this node ingested it. " +
            $"{Live}, and a data request returns only records committed before it is answered.";

        internal override async Task<DateTime?> FirstTimeAsync(CatalogDbContext db, string fileDataset, CancellationToken cancellationToken) =>
            Utc(await db.Files.AsNoTracking().Where(f => f.Dataset == fileDataset).OrderBy(f => f.IngestedAt)
                .Select(f => (DateTime?)f.IngestedAt).FirstOrDefaultAsync(cancellationToken));

        internal override IQueryable<HapiRow> Rows(CatalogDbContext db, string fileDataset, DateTime start, DateTime stop) =>
            db.Files.AsNoTracking()
                .Where(f => f.Dataset == fileDataset && f.IngestedAt >= start && f.IngestedAt < stop)
                .OrderBy(f => f.IngestedAt)
                .Select(f => new HapiRow(f.IngestedAt, f.Name, f.Checksum, f.ArchivePath, f.Size, f.IngestedAt, 0, 0, ""));
    }

    /// <summary>The per-period summaries (<c>X.months</c>, <c>X.days</c>): the same parameters, of a month or of a day.</summary>
    private abstract class SummaryKind(string period, string start, string digestNote) : HapiDatasetKind
    {
        public override IReadOnlyList<HapiParameter> Parameters { get; } =
        [
            new(HapiField.Time, "Time", "isotime", HapiTime.OutputLength, "UTC", $"The start ({start}) of the observation {period}."),
            new(HapiField.Files, "files", "integer", null, null, $"How many files this node holds that were observed in that {period}."),
            // HAPI integers are 32-bit and a day of one source can exceed 2 GiB; the value is still written as whole digits.
            new(HapiField.Bytes, "bytes", "double", null, "bytes", "The total length of those files in bytes, written as a whole number without exponent."),
            new(HapiField.Digest, "digest", "string", 64, null,
                $"XOR over the {period}'s files of SHA-256 of the UTF-8 bytes of name + \"\\n\" + checksum{digestNote}, in lowercase hex."),
        ];

        public override bool CutAtHorizon => false;

        public override string Title(DataSource source) =>
            $"{HapiDatasets.Title(source)}: per observation {period}, the count, bytes and digest of the files";
    }

    private sealed class MonthsKind() : SummaryKind("month", "UTC midnight of its first day", " (the XOR of its days' digests)")
    {
        public override string Suffix => CompanionDatasets.MonthsSuffix;

        public override string Description(DataSource source) =>
            $"Per-month summaries of the JPEG2000 files of Helioviewer source {source.Name} ({Instruments(source)}) held by this node: " +
            "one record per observation month (UTC) that holds files, in month order, Time being the month's first midnight; files, " +
            $"bytes and digest as in {source.Name}{CompanionDatasets.DaysSuffix} (the month's digest is the XOR of its days' digests). " +
            $"An audit compares months first and reads {source.Name}{CompanionDatasets.DaysSuffix} only for the months that differ. {Live}.";

        internal override async Task<DateTime?> FirstTimeAsync(CatalogDbContext db, string fileDataset, CancellationToken cancellationToken) =>
            Utc(await db.MonthSummaries.AsNoTracking().Where(s => s.Dataset == fileDataset && s.Files > 0).OrderBy(s => s.Month)
                .Select(s => (DateTime?)s.Month).FirstOrDefaultAsync(cancellationToken));

        internal override IQueryable<HapiRow> Rows(CatalogDbContext db, string fileDataset, DateTime start, DateTime stop) =>
            db.MonthSummaries.AsNoTracking()
                .Where(s => s.Dataset == fileDataset && s.Files > 0 && s.Month >= start && s.Month < stop)
                .OrderBy(s => s.Month)
                .Select(s => new HapiRow(s.Month, "", "", "", 0, default, s.Files, s.Bytes, s.Digest));
    }

    private sealed class DaysKind() : SummaryKind("day", "UTC midnight", "")
    {
        public override string Suffix => CompanionDatasets.DaysSuffix;

        public override string Description(DataSource source) =>
            $"Per-day summaries of the JPEG2000 files of Helioviewer source {source.Name} ({Instruments(source)}) held by this node: " +
            "one record per observation day (UTC) that holds files, in day order, Time being that day's midnight. " +
            "files is how many files were observed that day and bytes their total length; digest is the XOR over the day's files " +
            "of SHA-256 of the UTF-8 bytes of name + \"\\n\" + checksum (the file's name, a line feed, then its checksum as dataset " +
            $"{source.Name} lists it), in lowercase hex (64 digits). The digest does not depend on the order files were registered in, " +
            "so two nodes holding the same files have the same digest for the day; a day's record changes whenever one of its files " +
            $"is added, replaced or removed. {Live}.";

        internal override async Task<DateTime?> FirstTimeAsync(CatalogDbContext db, string fileDataset, CancellationToken cancellationToken) =>
            Utc(await db.DaySummaries.AsNoTracking().Where(s => s.Dataset == fileDataset && s.Files > 0).OrderBy(s => s.Day)
                .Select(s => (DateTime?)s.Day).FirstOrDefaultAsync(cancellationToken));

        internal override IQueryable<HapiRow> Rows(CatalogDbContext db, string fileDataset, DateTime start, DateTime stop) =>
            db.DaySummaries.AsNoTracking()
                .Where(s => s.Dataset == fileDataset && s.Files > 0 && s.Day >= start && s.Day < stop)
                .OrderBy(s => s.Day)
                .Select(s => new HapiRow(s.Day, "", "", "", 0, default, s.Files, s.Bytes, s.Digest));
    }

    private sealed class ObservedKind : HapiDatasetKind
    {
        public override string Suffix => CompanionDatasets.ObservedSuffix;

        public override IReadOnlyList<HapiParameter> Parameters { get; } =
        [
            new(HapiField.Time, "Time", "isotime", HapiTime.OutputLength, "UTC",
                "When the file was observed (UTC, from its name); non-decreasing, several files may share one."),
            NameParameter, ChecksumParameter, UrlParameter, SizeParameter,
            new(HapiField.Ingested, "ingested", "isotime", HapiTime.OutputLength, "UTC",
                "When this node ingested the file: its Time in the file dataset."),
        ];

        public override bool CutAtHorizon => false;

        public override string Title(DataSource source) => $"{HapiDatasets.Title(source)} by observation time";

        public override string Description(DataSource source) =>
            $"The JPEG2000 files of Helioviewer source {source.Name} ({Instruments(source)}) held by this node, by observation time: " +
            "one record per file, Time being when it was observed (from its name), ordered by Time then name, so several records " +
            $"may share a Time. ingested is the file's Time in dataset {source.Name} (when this node ingested it), url where this node " +
            $"serves it. {Live}.";

        internal override async Task<DateTime?> FirstTimeAsync(CatalogDbContext db, string fileDataset, CancellationToken cancellationToken) =>
            Utc(await db.Files.AsNoTracking().Where(f => f.Dataset == fileDataset).OrderBy(f => f.ObservedAt)
                .Select(f => (DateTime?)f.ObservedAt).FirstOrDefaultAsync(cancellationToken));

        internal override IQueryable<HapiRow> Rows(CatalogDbContext db, string fileDataset, DateTime start, DateTime stop) =>
            db.Files.AsNoTracking()
                .Where(f => f.Dataset == fileDataset && f.ObservedAt >= start && f.ObservedAt < stop)
                .OrderBy(f => f.ObservedAt).ThenBy(f => f.Name)
                .Select(f => new HapiRow(f.ObservedAt, f.Name, f.Checksum, f.ArchivePath, f.Size, f.IngestedAt, 0, 0, ""));
    }
}
