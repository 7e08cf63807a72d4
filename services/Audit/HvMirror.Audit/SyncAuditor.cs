using System.Globalization;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Hapi;
using HvMirror.HapiClient;
using HvMirror.Ingestion;
using HvMirror.Upstreams;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.Audit;

/// <summary>What an audit is asked to do.</summary>
/// <param name="Since">First observation day audited; null: the upstream's first.</param>
/// <param name="Until">Day after the last one audited; null: up to now.</param>
/// <param name="Deep">Also re-hash this node's files of the range on disk.</param>
/// <param name="Repair">Queue every missing or stale file for fetching; take files broken on disk out of the catalog and queue them too. Implies <paramref name="Deep"/>.</param>
public sealed record AuditRequest(IReadOnlyList<string> Patterns, DateTime? Since = null, DateTime? Until = null, bool Deep = false, bool Repair = false)
{
    public bool ChecksDisk => Deep || Repair;
}

public enum DifferenceKind
{
    /// <summary>The upstream lists it; this node does not.</summary>
    Missing,

    /// <summary>Both list it, with other checksums (reprocessed upstream, not fetched again here).</summary>
    Stale,

    /// <summary>This node lists it; the upstream does not (removed upstream, or registered here only).</summary>
    Extra,

    /// <summary>Catalogued here, but absent from the archive or with other bytes than the catalog says.</summary>
    BrokenOnDisk,

    /// <summary>The upstream's listing of it cannot be used (no name, a checksum or url that does not parse).</summary>
    Unusable,
}

/// <summary>One file that differs, with what is known of it on each side.</summary>
public sealed record FileDifference(DifferenceKind Kind, DateTime Day, string Name, string Detail);

/// <summary>What an audit found for one dataset of one upstream.</summary>
/// <param name="Differences">The first <see cref="SyncAuditor.DifferencesKept"/> files that differ, for printing.</param>
/// <param name="DifferenceCount">How many files differ in all.</param>
public sealed record DatasetAudit(
    string Upstream, string Dataset, DateTime From, DateTime Until, IReadOnlyList<AuditDay> Days, IReadOnlyList<FileDifference> Differences,
    long DifferenceCount, int Requests, int Queued = 0, int RemovedFromCatalog = 0, string? Error = null)
{
    public long Expected => Days.Sum(d => d.Expected);
    public long Missing => Days.Sum(d => d.Missing);
    public long Stale => Days.Sum(d => d.Stale);
    public long Extra => Days.Sum(d => d.Extra);
    public long InSync => Expected - Missing - Stale;
    public int DaysComplete => Days.Where(d => d.Complete).Sum(d => d.Days);
    public int DaysIncomplete => Days.Count(d => !d.Complete);
    public DateTime? OldestMissingDay => Days.Where(d => d.Missing + d.Stale > 0).Select(d => (DateTime?)d.Day).Min();
    public double Completeness => Expected == 0 ? 1 : (double)InSync / Expected;
    public bool InSyncWholly => Error is null && Days.All(d => d.Complete) && DifferenceCount == 0;
}

/// <summary>
/// Proves, per source and observation day, that this node holds what an upstream holds: compares the upstream's day
/// summaries (<c>X.days</c>: count, bytes, digest of the (name, checksum) pairs) with this node's own, which costs one
/// request per source however long the archive is, and lists file by file (from <c>X.observed</c> and the catalog) only
/// the days whose summaries differ. With a deep check it also re-hashes this node's files of the range; with repair it
/// queues what is missing, stale or broken on the work list, due at once, and takes broken files out of the catalog.
/// Each dataset's outcome is kept in <c>audit_results</c> for the metrics and the <c>/status</c> page.
/// </summary>
public sealed class SyncAuditor(UpstreamClient upstream, CatalogDbContextFactory contexts, ArchiveLocation archive, FileRegistry registry,
    WorkList workList, TimeProvider time)
{
    /// <summary>
    /// Files that differ kept per dataset, the rest only counted: a campaign upstream makes every file stale until it is
    /// fetched again, and the scheduled audit (in the poller's process) should not hold a million of them.
    /// </summary>
    public const int DifferencesKept = 1_000;

    /// <summary>Differing days next to each other are listed with one request, up to this many days.</summary>
    private const int LongestRun = 31;

    /// <summary>The days of differing months next to each other are read with one request, up to this many months.</summary>
    private const int LongestMonthRun = 12;

    internal static readonly string[] SummaryParameters = ["files", "bytes", "digest"];
    internal static readonly string[] ObservedParameters = ["name", "checksum", "url", "size", "ingested"];

    /// <summary>Client settings for audits: a whole archive's summaries in one request (the upstream may still ask for less with 1408).</summary>
    public static UpstreamClientOptions ClientOptions => new() { ChunkLength = TimeSpan.FromDays(366 * 100) };

    public async Task<IReadOnlyList<DatasetAudit>> AuditAsync(AuditRequest request, Action<DatasetAudit>? progress, CancellationToken cancellationToken)
    {
        // One answer with every dataset's info where the upstream offers it (HAPI 3.3 depth=all): then a source in sync
        // costs one request, its months; otherwise each companion's /info is asked for as it is needed.
        var catalog = await upstream.GetCatalogWithInfoAsync(cancellationToken) ?? await upstream.GetCatalogAsync(cancellationToken);
        var listed = catalog.Datasets.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var entries = catalog.Datasets.GroupBy(d => d.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var results = new List<DatasetAudit>();
        foreach (var dataset in catalog.Datasets.Select(d => d.Id).Distinct(StringComparer.Ordinal)
                     .Where(id => !CompanionDatasets.IsCompanion(id) && DatasetPattern.MatchesAny(request.Patterns, id)))
        {
            DatasetAudit result;
            var today = time.GetUtcNow().UtcDateTime.Date;
            if (CompanionDatasets.Suffixes.Any(suffix => !listed.Contains(dataset + suffix)))
                result = Failed(dataset, request, today,
                    $"the upstream publishes no summaries for {dataset} (not all of {string.Join(", ", CompanionDatasets.Suffixes.Select(x => dataset + x))} " +
                    "are in its catalog: not a HvMirror node, or an older one); `hvmirror verify` compares it record by record instead");
            else
            {
                try
                {
                    result = await AuditDatasetAsync(dataset, request, (id, parameters) =>
                        upstream.InfoOf(catalog, entries[id], parameters, SummaryAdvice), cancellationToken);
                }
                catch (HapiClientException e)
                {
                    result = Failed(dataset, request, today, e.Message);
                }
            }
            results.Add(result);
            progress?.Invoke(result);
        }
        await SaveAsync(results, cancellationToken);
        return results;
    }

    private DatasetAudit Failed(string dataset, AuditRequest request, DateTime today, string error) =>
        new(upstream.Upstream, dataset, request.Since ?? today, request.Until ?? today.AddDays(1), [], [], 0, 0, Error: error);

    /// <param name="known">The info of a companion the catalog answer already carried, or null.</param>
    private async Task<DatasetAudit> AuditDatasetAsync(string dataset, AuditRequest request,
        Func<string, IReadOnlyList<string>, HapiDatasetInfo?> known, CancellationToken cancellationToken)
    {
        var requests = 0;
        async Task<HapiDatasetInfo> InfoAsync(string id, IReadOnlyList<string> parameters)
        {
            if (known(id, parameters) is { } info) return info;
            requests++;
            return await upstream.GetInfoAsync(id, parameters, SummaryAdvice, cancellationToken);
        }
        var monthsInfo = await InfoAsync(CompanionDatasets.MonthsOf(dataset), SummaryParameters);
        var from = DateTime.SpecifyKind((request.Since ?? monthsInfo.StartDate).Date, DateTimeKind.Utc);
        var until = DateTime.SpecifyKind(request.Until?.Date ?? time.GetUtcNow().UtcDateTime.Date.AddDays(1), DateTimeKind.Utc);

        // Files broken on disk are not in any summary's view: their months are looked at day by day.
        var brokenFiles = request.ChecksDisk ? await CheckDiskAsync(dataset, from, until, cancellationToken) : [];
        var brokenMonths = brokenFiles.Select(b => DaySummaries.MonthOf(b.Difference.Day)).ToHashSet();

        // Months first: a month whose summaries agree, wholly inside the range, is complete without looking at its days.
        var theirMonths = new Dictionary<DateTime, Summary>();
        await foreach (var row in upstream.ReadFieldsAsync(monthsInfo, DaySummaries.MonthOf(from), until, cancellationToken))
            theirMonths[DaySummaries.MonthOf(row.Time)] = ParseSummary(CompanionDatasets.MonthsOf(dataset), row, Indexes(monthsInfo, SummaryParameters));
        requests++;
        var monthStart = DaySummaries.MonthOf(from);
        Dictionary<DateTime, MonthSummary> ourMonths;
        await using (var db = contexts.CreateDbContext())
            ourMonths = await db.MonthSummaries.AsNoTracking().Where(s => s.Dataset == dataset && s.Month >= monthStart && s.Month < until)
                .ToDictionaryAsync(s => DateTime.SpecifyKind(s.Month, DateTimeKind.Utc), cancellationToken);

        var days = new SortedDictionary<DateTime, AuditDay>();
        var monthsByDay = new List<DateTime>();
        foreach (var month in theirMonths.Keys.Union(ourMonths.Keys).Order())
        {
            theirMonths.TryGetValue(month, out var upstreamMonth);
            ourMonths.TryGetValue(month, out var ourMonth);
            if (month >= from && month.AddMonths(1) <= until && upstreamMonth is not null && ourMonth is not null && !brokenMonths.Contains(month)
                && upstreamMonth == new Summary(ourMonth.Files, ourMonth.Bytes, ourMonth.Digest))
                days[month] = new AuditDay(month, ourMonth.Files, 0, 0, 0, ourMonth.Days, WholeMonth: true);
            else
                monthsByDay.Add(month);
        }

        // Then the days of the months that differ (or lie partly outside the range).
        var theirs = new Dictionary<DateTime, Summary>();
        var ours = new Dictionary<DateTime, Summary>();
        if (monthsByDay.Count > 0)
        {
            var daysInfo = await InfoAsync(CompanionDatasets.DaysOf(dataset), SummaryParameters);
            foreach (var (firstMonth, afterMonths) in Runs(monthsByDay, m => m.AddMonths(1), LongestMonthRun))
            {
                var start = firstMonth < from ? from : firstMonth;
                var stop = afterMonths > until ? until : afterMonths;
                await foreach (var row in upstream.ReadFieldsAsync(daysInfo, start, stop, cancellationToken))
                    theirs[row.Time.Date] = ParseSummary(CompanionDatasets.DaysOf(dataset), row, Indexes(daysInfo, SummaryParameters));
                requests++;
                await using var db = contexts.CreateDbContext();
                foreach (var s in await db.DaySummaries.AsNoTracking().Where(s => s.Dataset == dataset && s.Day >= start && s.Day < stop)
                             .Select(s => new { s.Day, s.Files, s.Bytes, s.Digest }).ToListAsync(cancellationToken))
                    ours[DateTime.SpecifyKind(s.Day, DateTimeKind.Utc)] = new Summary(s.Files, s.Bytes, s.Digest);
            }
        }
        var differing = new List<DateTime>();
        foreach (var day in theirs.Keys.Union(ours.Keys).Order())
        {
            theirs.TryGetValue(day, out var upstreamDay);
            ours.TryGetValue(day, out var ourDay);
            if (upstreamDay is not null && upstreamDay == ourDay)
                days[day] = new AuditDay(day, upstreamDay.Files, 0, 0, 0);
            else
                differing.Add(day);
        }

        var differences = new List<FileDifference>();
        long differenceCount = 0;
        bool KeepNext() => differenceCount++ < DifferencesKept;   // counts every difference, true for the first ones
        var wanted = new Dictionary<string, WantedFileRequest>(StringComparer.Ordinal);
        HapiDatasetInfo? observedInfo = null;
        async Task<IReadOnlyDictionary<string, UpstreamFile>> ListUpstreamAsync(DateTime start, DateTime stop)
        {
            observedInfo ??= await InfoAsync(CompanionDatasets.ObservedOf(dataset), ObservedParameters);
            requests++;
            var listing = new Dictionary<string, UpstreamFile>(StringComparer.Ordinal);
            var columns = Indexes(observedInfo, ObservedParameters);
            await foreach (var row in upstream.ReadFieldsAsync(observedInfo, start, stop, cancellationToken))
            {
                var file = ParseObserved(row, columns);
                if (file.Problem is not null)
                {
                    if (KeepNext()) differences.Add(new FileDifference(DifferenceKind.Unusable, row.Time.Date, file.Name, file.Problem));
                }
                else
                    listing[file.Name] = file;
            }
            return listing;
        }

        foreach (var (start, stop) in Runs(differing, d => d.AddDays(1), LongestRun))
        {
            var listing = await ListUpstreamAsync(start, stop);
            var held = await HeldAsync(dataset, start, stop, cancellationToken);
            var upstreamByDay = listing.Values.ToLookup(f => DaySummaries.DayOf(f.ObservedAt));
            var heldByDay = held.ToLookup(h => DaySummaries.DayOf(h.Value.ObservedAt));
            for (var day = start; day < stop; day = day.AddDays(1))
            {
                long expected = 0, missing = 0, stale = 0, extra = 0;
                foreach (var file in upstreamByDay[day])
                {
                    expected++;
                    if (!held.TryGetValue(file.Name, out var heldFile))
                    {
                        missing++;
                        if (KeepNext()) differences.Add(new FileDifference(DifferenceKind.Missing, day, file.Name, $"missing: {file.Name} (upstream {file.Checksum})"));
                        if (request.Repair) wanted[file.Name] = Want(dataset, file, "New", null);
                    }
                    else if (heldFile.Checksum != file.Checksum)
                    {
                        stale++;
                        if (KeepNext()) differences.Add(new FileDifference(DifferenceKind.Stale, day, file.Name,
                            $"stale: {file.Name}: here {heldFile.Checksum}, upstream {file.Checksum}"));
                        if (request.Repair) wanted[file.Name] = Want(dataset, file, "Changed", heldFile.Checksum);
                    }
                }
                foreach (var (name, heldFile) in heldByDay[day])
                {
                    if (listing.ContainsKey(name)) continue;
                    extra++;
                    if (KeepNext()) differences.Add(new FileDifference(DifferenceKind.Extra, day, name,
                        $"extra: {name} ({heldFile.Checksum}) is held here, the upstream does not list it"));
                }
                if (expected + extra > 0 || theirs.ContainsKey(day) || ours.ContainsKey(day))
                    days[day] = new AuditDay(day, expected, missing, stale, extra);
            }
        }

        var removed = 0;
        if (request.ChecksDisk)
        {
            var broken = brokenFiles.Select(b => b.Difference).ToList();
            foreach (var group in broken.GroupBy(b => b.Day))
            {
                var day = group.Key;
                days.TryGetValue(day, out var audited);
                audited ??= new AuditDay(day, theirs.GetValueOrDefault(day)?.Files ?? 0, 0, 0, 0);
                days[day] = audited with { Missing = audited.Missing + group.Count() };
            }
            foreach (var difference in broken)
                if (KeepNext()) differences.Add(difference);
            if (request.Repair && broken.Count > 0)
            {
                // A broken file is taken out of the catalog so that it is fetched as missing; its upstream record comes
                // from that day's listing (asked for now if its day looked in sync).
                foreach (var run in Runs(broken.Select(b => b.Day).Distinct().Order().ToList(), d => d.AddDays(1), LongestRun))
                {
                    var listing = await ListUpstreamAsync(run.Start, run.Stop);
                    foreach (var (file, archivePath) in brokenFiles.Where(b => b.Difference.Day >= run.Start && b.Difference.Day < run.Stop))
                    {
                        if (await registry.RemoveAsync(file.Name, cancellationToken)) removed++;
                        DeleteQuietly(archivePath);
                        if (listing.TryGetValue(file.Name, out var upstreamFile))
                            wanted[file.Name] = Want(dataset, upstreamFile, "New", null);
                    }
                }
            }
        }

        var queued = 0;
        if (request.Repair && wanted.Count > 0)
        {
            foreach (var batch in wanted.Values.Chunk(1000))
                await workList.WantAsync(batch, cancellationToken, dueNow: true);
            queued = wanted.Count;
        }
        return new DatasetAudit(upstream.Upstream, dataset, from, until, [.. days.Values], differences, differenceCount, requests, queued, removed);
    }

    private const string SummaryAdvice =
        "A HvMirror node publishes X.months and X.days (Time, files, bytes, digest) and X.observed (Time, name, checksum, url, size, ingested) beside " +
        "each file dataset X: is the upstream a HvMirror node of this version?";

    private sealed record UpstreamFile(string Name, string Checksum, Uri? Url, DateTime ObservedAt, DateTime IngestedAt, string? Problem);

    private sealed record HeldFile(string Checksum, DateTime ObservedAt);

    private async Task<Dictionary<string, HeldFile>> HeldAsync(string dataset, DateTime start, DateTime stop, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var files = await db.Files.AsNoTracking().Where(f => f.Dataset == dataset && f.ObservedAt >= start && f.ObservedAt < stop)
            .Select(f => new { f.Name, f.Checksum, f.ObservedAt }).ToListAsync(cancellationToken);
        return files.ToDictionary(f => f.Name, f => new HeldFile(f.Checksum, f.ObservedAt), StringComparer.Ordinal);
    }

    private WantedFileRequest Want(string dataset, UpstreamFile file, string reason, string? heldChecksum) =>
        new(file.Name, upstream.Upstream, dataset, file.Checksum, file.Url!, file.IngestedAt, reason, heldChecksum);

    /// <summary>Re-hashes this node's files of the range: the ones absent from the archive or with other bytes than catalogued.</summary>
    private async Task<List<(FileDifference Difference, string ArchivePath)>> CheckDiskAsync(
        string dataset, DateTime from, DateTime until, CancellationToken cancellationToken)
    {
        var broken = new List<(FileDifference, string)>();
        await using var db = contexts.CreateDbContext();
        await foreach (var file in db.Files.AsNoTracking().Where(f => f.Dataset == dataset && f.ObservedAt >= from && f.ObservedAt < until)
                           .OrderBy(f => f.ObservedAt).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var path = archive.FullPath(file.ArchivePath);
            var day = DaySummaries.DayOf(file.ObservedAt);
            if (!File.Exists(path))
            {
                broken.Add((new FileDifference(DifferenceKind.BrokenOnDisk, day, file.Name, $"not on disk: {file.Name} (catalogued at {file.ArchivePath})"),
                    file.ArchivePath));
                continue;
            }
            await using var content = FileStager.OpenRead(path);
            var onDisk = (await Checksum.Sha256OfAsync(content, cancellationToken)).ToString();
            if (onDisk != file.Checksum)
                broken.Add((new FileDifference(DifferenceKind.BrokenOnDisk, day, file.Name,
                    $"corrupt on disk: {file.Name}: the catalog says {file.Checksum}, the file hashes to {onDisk}"), file.ArchivePath));
        }
        return broken;
    }

    private void DeleteQuietly(string archivePath)
    {
        // The broken bytes go too, so that a reader of the archive never takes them for the file; the catalog row is gone already.
        var path = archive.FullPath(archivePath);
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Keeps the audits of one run in one transaction (one sync to disk, not one per source).</summary>
    private async Task SaveAsync(IReadOnlyList<DatasetAudit> audits, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var rows = await db.AuditResults.Where(a => a.Upstream == upstream.Upstream).ToDictionaryAsync(a => a.Dataset, StringComparer.Ordinal, cancellationToken);
        foreach (var audit in audits)
        {
            if (!rows.TryGetValue(audit.Dataset, out var row))
            {
                row = new AuditResult { Upstream = audit.Upstream, Dataset = audit.Dataset, Days = "" };
                db.AuditResults.Add(row);
            }
            Update(row, audit);
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private void Update(AuditResult row, DatasetAudit audit)
    {
        row.CheckedAt = time.GetUtcNow().UtcDateTime;
        row.Error = audit.Error is { Length: > 2000 } e ? e[..2000] : audit.Error;
        if (audit.Error is null)
        {
            // A failed audit keeps the last good one's findings beside its error.
            row.FromDay = audit.From;
            row.UntilDay = audit.Until;
            row.Expected = audit.Expected;
            row.InSync = audit.InSync;
            row.Missing = audit.Missing;
            row.Stale = audit.Stale;
            row.Extra = audit.Extra;
            row.DaysComplete = audit.DaysComplete;
            row.DaysIncomplete = audit.DaysIncomplete;
            row.OldestMissingDay = audit.OldestMissingDay;
            row.Days = AuditDays.Encode(audit.Days);
        }
    }

    /// <summary>Consecutive periods (days or months, each followed by <paramref name="next"/>) as [start, stop) runs of at most <paramref name="longest"/>.</summary>
    private static IEnumerable<(DateTime Start, DateTime Stop)> Runs(IReadOnlyList<DateTime> periods, Func<DateTime, DateTime> next, int longest)
    {
        for (var i = 0; i < periods.Count;)
        {
            var start = periods[i];
            var stop = next(start);
            var count = 1;
            i++;
            while (i < periods.Count && periods[i] == stop && count < longest)
            {
                stop = next(stop);
                count++;
                i++;
            }
            yield return (start, stop);
        }
    }

    private static int[] Indexes(HapiDatasetInfo info, IReadOnlyList<string> parameters) =>
        parameters.Select(p => info.RequestedParameters.ToList().IndexOf(p)).ToArray();

    /// <summary>A month's or a day's count, bytes and digest, on either side.</summary>
    private sealed record Summary(long Files, long Bytes, string Digest);

    private Summary ParseSummary(string companion, HapiFields row, int[] columns)
    {
        var f = row.Fields;
        if (!long.TryParse(f[columns[0]], NumberStyles.None, CultureInfo.InvariantCulture, out var files)
            || !double.TryParse(f[columns[1]], NumberStyles.Float, CultureInfo.InvariantCulture, out var bytes)
            || f[columns[2]] is not { Length: 64 } digest || !IsLowerHex(digest))
            throw new HapiClientException(upstream.Upstream, companion,
                $"the summary on line {row.Line} is unusable: files '{UpstreamText.Shown(f[columns[0]])}', bytes '{UpstreamText.Shown(f[columns[1]])}', " +
                $"digest '{UpstreamText.Shown(f[columns[2]])}' (a count, a byte count and 64 lowercase hex digits)",
                "Tell the upstream's operators; nothing on this node needs changing.", isTransient: false);
        return new Summary(files, (long)bytes, digest);
    }

    private static bool IsLowerHex(string text)
    {
        foreach (var c in text)
            if (!char.IsAsciiHexDigitLower(c)) return false;
        return true;
    }

    private static UpstreamFile ParseObserved(HapiFields row, int[] columns)
    {
        var f = row.Fields;
        string name = f[columns[0]], checksumText = f[columns[1]], urlText = f[columns[2]], ingestedText = f[columns[4]];
        string problem;
        var record = HapiRecord.Check(row.Time, name, checksumText, urlText);
        if (record is UnusableRecord unusable) problem = unusable.Problem;
        else if (!HapiTime.TryParse(ingestedText, out var ingested, out var timeProblem))
            problem = $"its ingestion time '{UpstreamText.Shown(ingestedText)}' is not a HAPI time: {timeProblem}";
        else
            return new UpstreamFile(name, checksumText, ((HapiRecord)record).Url, row.Time, ingested, null);
        return new UpstreamFile(name, checksumText, null, row.Time, default, $"unusable upstream listing: {UpstreamText.Shown(name)} at {HapiTime.Format(row.Time)}: {problem}");
    }
}
