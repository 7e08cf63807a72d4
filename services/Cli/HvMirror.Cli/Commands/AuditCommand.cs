using System.CommandLine;
using System.Globalization;
using HvMirror.Archive;
using HvMirror.Audit;
using HvMirror.Catalog;
using HvMirror.HapiClient;
using HvMirror.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace HvMirror.Cli.Commands;

/// <summary><c>hvmirror audit --from URL</c>: per source and day, is this node complete and identical to the upstream?</summary>
internal static class AuditCommand
{
    private const int Shown = 50;

    public static Command Create()
    {
        var fromOption = CommonOptions.Upstream();
        var nameOption = CommonOptions.UpstreamName();
        var datasetsOption = new Option<string>("--datasets") { Description = "Comma-separated dataset patterns: AIA_171, AIA_*, *.", DefaultValueFactory = _ => "*" };
        var sinceOption = new Option<string?>("--since") { Description = "First observation day to audit (yyyy-MM-dd, UTC). Default: the upstream's first." };
        var untilOption = new Option<string?>("--until") { Description = "Last observation day to audit, included (yyyy-MM-dd, UTC). Default: today." };
        var deepOption = new Option<bool>("--deep") { Description = "Also re-hash this node's files of the range on disk (reads them all)." };
        var repairOption = new Option<bool>("--repair")
        {
            Description = "Queue every missing or stale file for fetching (due at once on the work list), and take files missing or corrupt " +
                          "on disk out of the catalog and queue them too (implies --deep).",
        };
        var archiveOption = CommonOptions.Archive();
        var catalogOption = CommonOptions.Catalog();
        var command = new Command("audit", """
            Compare this node with an upstream per source and observation day: the upstream's day summaries (file count,
            bytes, digest of the names and checksums; one request per source) against this node's, then file by file only
            the days that differ. Prints per source the days complete and incomplete, each missing, stale (other bytes
            here) and extra (here only) file, and the completeness. Exit code 0 in sync, 1 with differences, 2 when it
            could not run (for any source).
            """)
        {
            fromOption, nameOption, datasetsOption, sinceOption, untilOption, deepOption, repairOption, archiveOption, catalogOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var archive = new ArchiveLocation(parse.GetValue(archiveOption)!);
            if (!CommonOptions.TryParseUpstream(parse.GetValue(fromOption), Console.Error, out var from)
                || !CommonOptions.TryResolveCatalog(parse.GetValue(catalogOption), archive, Console.Error, out var catalog)
                || !TryParseDay(parse.GetValue(sinceOption), "--since", Console.Error, out var since)
                || !TryParseDay(parse.GetValue(untilOption), "--until", Console.Error, out var until))
                return ExitCodes.Failed;
            if (since is not null && until is not null && until < since)
            {
                Console.Error.WriteLine($"error: --until {until:yyyy-MM-dd} is before --since {since:yyyy-MM-dd}.");
                return ExitCodes.Failed;
            }
            var request = new AuditRequest(CommonOptions.ListOf(parse.GetValue(datasetsOption)!), since, until?.AddDays(1),
                parse.GetValue(deepOption), parse.GetValue(repairOption));
            return await RunAsync(from, parse.GetValue(nameOption) ?? from.Host, request, archive, catalog, Console.Out, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(Uri from, string upstreamName, AuditRequest request, ArchiveLocation archive, CatalogConnection catalog,
        TextWriter output, CancellationToken cancellationToken)
    {
        var contexts = await CatalogStartup.OpenAsync(catalog, output, cancellationToken);
        if (contexts is null) return ExitCodes.Failed;
        using var upstream = UpstreamClient.Create(upstreamName, from, SyncAuditor.ClientOptions);
        var workList = new WorkList(contexts, TimeProvider.System, Options.Create(new WorkListOptions()));
        var auditor = new SyncAuditor(upstream, contexts, archive, new FileRegistry(contexts, IngestionClock.System), workList, TimeProvider.System);
        output.WriteLine($"audit: {archive.Root} ({catalog.Describe()}) against {from}" +
                         (request.Since is { } s ? $" from {s:yyyy-MM-dd}" : "") + (request.Until is { } u ? $" until {u.AddDays(-1):yyyy-MM-dd}" : "") +
                         (request.Repair ? ", repairing" : request.Deep ? ", hashing every local file of the range" : ""));
        var started = TimeProvider.System.GetTimestamp();
        IReadOnlyList<DatasetAudit> results;
        try
        {
            results = await auditor.AuditAsync(request, audit => output.WriteLine(OperatorText.Escape(Line(audit))), cancellationToken);
        }
        catch (HapiClientException e)
        {
            output.WriteLine($"error: {OperatorText.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        var incompleteDays = results.SelectMany(r => r.Days.Where(d => !d.Complete).Select(d => (r.Dataset, Day: d))).ToList();
        foreach (var (dataset, day) in incompleteDays.Take(Shown))
            output.WriteLine(OperatorText.Escape($"   {dataset} {day.Day:yyyy-MM-dd}: {Describe(day)}"));
        if (incompleteDays.Count > Shown) output.WriteLine($"   … and {incompleteDays.Count - Shown:N0} more incomplete days");
        foreach (var difference in results.SelectMany(r => r.Differences).Take(Shown)) output.WriteLine(OperatorText.Escape(difference.Detail));
        var differing = results.Sum(r => r.DifferenceCount);
        if (differing > Shown) output.WriteLine($"… and {differing - Shown:N0} more files");

        var audited = results.Where(r => r.Error is null).ToList();
        var expected = audited.Sum(r => r.Expected);
        var inSync = audited.Sum(r => r.InSync);
        var failed = results.Count - audited.Count;
        output.WriteLine(
            $"audit: {audited.Count(r => r.InSyncWholly)} of {results.Count} sources complete; {inSync:N0} of {expected:N0} upstream files in sync " +
            $"({Percent(expected == 0 ? 1 : (double)inSync / expected)}); {audited.Sum(r => r.Missing):N0} missing, {audited.Sum(r => r.Stale):N0} stale, " +
            $"{audited.Sum(r => r.Extra):N0} extra; {audited.Sum(r => r.DaysIncomplete):N0} of {audited.Sum(r => r.DaysComplete + r.DaysIncomplete):N0} days incomplete; " +
            $"{Requests(results.Sum(r => r.Requests))} for {results.Count} sources (besides the catalog) in {elapsed.TotalSeconds:0.0} s" + (failed > 0 ? $"; {failed} source(s) could not be audited, see above" : ""));
        if (request.Repair)
        {
            var queued = results.Sum(r => r.Queued);
            output.WriteLine($"repair: {queued:N0} file(s) queued for fetching, due now; {results.Sum(r => r.RemovedFromCatalog):N0} broken file(s) taken out of the catalog" +
                             (queued > 0 ? ". A running mirror asks for them within a minute; or run `hvmirror mirror --once` with the same --from." : "."));
        }
        else if (differing > 0)
            output.WriteLine("`hvmirror audit --repair` queues what is missing, stale or broken for fetching.");
        if (failed > 0) return ExitCodes.Failed;
        return results.All(r => r.InSyncWholly) ? ExitCodes.Success : ExitCodes.SomeRejected;
    }

    private static string Line(DatasetAudit audit) => audit.Error is { } error
        ? $"   {audit.Dataset}: could not be audited: {error}"
        : $"   {audit.Dataset}: {audit.DaysComplete:N0} days complete, {audit.DaysIncomplete:N0} incomplete; {Percent(audit.Completeness)} " +
          $"({audit.InSync:N0} of {audit.Expected:N0} files); {audit.Missing:N0} missing, {audit.Stale:N0} stale, {audit.Extra:N0} extra" +
          (audit.OldestMissingDay is { } oldest ? $"; oldest missing day {oldest:yyyy-MM-dd}" : "") + $" ({Requests(audit.Requests)})";

    private static string Requests(int count) => count == 1 ? "1 request" : $"{count:N0} requests";

    private static string Describe(AuditDay day)
    {
        var parts = new List<string>();
        if (day.Missing > 0) parts.Add($"{day.Missing:N0} of {day.Expected:N0} missing");
        if (day.Stale > 0) parts.Add($"{day.Stale:N0} stale");
        if (day.Extra > 0) parts.Add($"{day.Extra:N0} extra");
        return string.Join(", ", parts);
    }

    /// <summary>A percentage that says 100 % only when it is: 99.9996 % is shown as 99.999 %, never rounded up.</summary>
    private static string Percent(double fraction) =>
        (Math.Floor(fraction * 100_000) / 1000).ToString("0.###", CultureInfo.InvariantCulture) + " %";

    private static bool TryParseDay(string? text, string option, TextWriter errors, out DateTime? day)
    {
        day = null;
        if (text is null) return true;
        if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            day = DateTime.SpecifyKind(parsed, DateTimeKind.Utc);
            return true;
        }
        errors.WriteLine($"error: {option} '{text}' is not a day; write it as yyyy-MM-dd (UTC), e.g. 2024-05-03.");
        return false;
    }
}
