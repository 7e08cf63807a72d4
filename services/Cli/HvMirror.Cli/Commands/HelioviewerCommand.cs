using System.CommandLine;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Follower;
using HvMirror.Helioviewer;
using HvMirror.HelioviewerWriter;
using HvMirror.Node;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HvMirror.Cli.Commands;

/// <summary><c>hvmirror helioviewer reconcile|follow</c>: HvMirror on a Helioviewer server, against its own MariaDB database.</summary>
internal static class HelioviewerCommand
{
    private const int ProblemsShown = 50;

    public static Option<string> Database(bool required) => new("--helioviewer-db")
    {
        Description = "Helioviewer's own MariaDB/MySQL database, as a connection string: " +
                      "\"Server=localhost;Port=3306;Database=helioviewer;User ID=helioviewer;Password=…\" (the values of settings/Private.php).",
        Required = required,
    };

    public static Option<string?> CacheDir() => new("--helioviewer-cache")
    {
        Description = "Helioviewer's cache_dir (settings/Config.ini): the cached tiles of a replaced file are removed from it.",
    };

    public static Command Create()
    {
        var command = new Command("helioviewer", """
            HvMirror on a Helioviewer server: `follow` makes the server a primary (every row hvpull writes into its data table
            is registered in HvMirror's catalog and published over HAPI); `reconcile` compares the catalog of a mirror that
            writes into Helioviewer's database (`hvmirror mirror --helioviewer-db …`) with that database and repairs it.
            """);
        command.Subcommands.Add(Reconcile());
        command.Subcommands.Add(Follow());
        return command;
    }

    /// <summary>The connection string, checked as the hosts check <c>HvMirror:Helioviewer:Database</c>; null (with the error printed) when wrong.</summary>
    public static string? ParseDatabase(string? value, TextWriter errors)
    {
        var options = new HelioviewerOptions { Database = value };
        var result = new HelioviewerOptionsValidator().Validate(null, options);
        if (result.Succeeded) return value;
        errors.WriteLine($"error: --helioviewer-db: {string.Join(" ", result.Failures ?? [])}");
        return null;
    }

    private static Command Reconcile()
    {
        var datasetsOption = new Option<string>("--datasets") { Description = "Comma-separated dataset patterns: AIA_171, AIA_*, *.", DefaultValueFactory = _ => "*" };
        var repairOption = new Option<bool>("--repair") { Description = "Fix every difference: write missing and stale rows, delete rows whose file is gone, recount their coverage bins." };
        var databaseOption = Database(required: true);
        var cacheOption = CacheDir();
        var archiveOption = CommonOptions.Archive();
        var catalogOption = CommonOptions.Catalog();
        var command = new Command("reconcile", """
            Compare this node's catalog and archive with Helioviewer's data table, per source: rows missing for catalogued
            files, rows whose file is not in the archive (gone), and rows whose values differ from what the file's FITS
            header computes (stale, e.g. a reprocessed file under its old row). With --repair, fix each one. Exit code 0
            when in sync (or everything was repaired), 1 when differences remain, 2 when it could not run.
            """)
        {
            datasetsOption, repairOption, databaseOption, cacheOption, archiveOption, catalogOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var archive = new ArchiveLocation(parse.GetValue(archiveOption)!);
            if (ParseDatabase(parse.GetValue(databaseOption), Console.Error) is not { } database
                || !CommonOptions.TryResolveCatalog(parse.GetValue(catalogOption), archive, Console.Error, out var catalog))
                return ExitCodes.Failed;
            var cache = parse.GetValue(cacheOption);
            return await ReconcileAsync(CommonOptions.ListOf(parse.GetValue(datasetsOption)!), parse.GetValue(repairOption),
                new HelioviewerDatabase(database), string.IsNullOrWhiteSpace(cache) ? null : new TileCache(cache), archive, catalog, Console.Out, cancellationToken);
        });
        return command;
    }

    public static async Task<int> ReconcileAsync(
        IReadOnlyList<string> patterns, bool repair, HelioviewerDatabase database, TileCache? tiles, ArchiveLocation archive, CatalogConnection catalog,
        TextWriter output, CancellationToken cancellationToken)
    {
        var contexts = await CatalogStartup.OpenAsync(catalog, output, cancellationToken);
        if (contexts is null) return ExitCodes.Failed;
        output.WriteLine($"reconcile: {archive.Root} ({catalog.Describe()}) with Helioviewer's database {database.Location}{(repair ? ", repairing" : "")}");
        IReadOnlyList<SourceReconciliation> results;
        try
        {
            results = await new HelioviewerReconciler(database, contexts, archive, DataSources.Helioviewer, tiles)
                .ReconcileAsync(patterns, repair, output.WriteLine, cancellationToken);
        }
        catch (Exception e) when (e is HelioviewerDatabaseUnavailableException or MySqlException)
        {
            output.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }

        var differences = results.SelectMany(r => r.Differences).ToList();
        foreach (var difference in differences.Take(ProblemsShown)) output.WriteLine(difference);
        var total = results.Sum(r => r.DifferenceCount);
        if (total > ProblemsShown) output.WriteLine($"… and {total - ProblemsShown:N0} more");
        foreach (var refused in results.SelectMany(r => r.Refused).Take(10)) output.WriteLine($"no row is right for {refused}");
        var repaired = results.Sum(r => r.Repaired);
        output.WriteLine(
            $"reconcile: {results.Sum(r => r.CatalogFiles):N0} catalogued files and {results.Sum(r => r.Rows):N0} rows across {results.Count} sources; " +
            $"{results.Sum(r => r.MissingCount):N0} missing, {results.Sum(r => r.GoneCount):N0} gone, {results.Sum(r => r.StaleCount):N0} stale" +
            (repair ? $"; {repaired:N0} repaired." : total > 0 ? ". Run again with --repair to fix them." : "."));
        return total == 0 || (repair && repaired >= total) ? ExitCodes.Success : ExitCodes.SomeRejected;
    }

    private static Command Follow()
    {
        var databaseOption = Database(required: true);
        var archiveOption = new Option<string>("--archive")
        {
            Description = "Helioviewer's jp2_dir (settings/Config.ini): the archive root the rows' filepath values are relative to.",
            Required = true,
        };
        var catalogOption = CommonOptions.Catalog();
        var onceOption = new Option<bool>("--once")
        {
            Description = "Register every row up to now (and retry the rows skipped before), print a summary and exit (1 if rows are left skipped).",
        };
        var command = new Command("follow", """
            Make this Helioviewer server a primary: tail Helioviewer's data table by id and register each new row's file,
            already in the archive at jp2_dir + filepath + filename, in HvMirror's catalog in place (hashed, never copied or
            moved), with a fresh ingestion time, so `hvmirror serve` lists it over HAPI within seconds. The first run is a
            backfill of the whole table (progress with rate and ETA; resumable: the cursor is kept in the catalog). A row
            whose file is missing or not a JP2 is reported, skipped and retried later. Runs until stopped unless --once.
            """)
        {
            databaseOption, archiveOption, catalogOption, onceOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var archive = new ArchiveLocation(parse.GetValue(archiveOption)!);
            if (ParseDatabase(parse.GetValue(databaseOption), Console.Error) is not { } database
                || !CommonOptions.TryResolveCatalog(parse.GetValue(catalogOption), archive, Console.Error, out var catalog))
                return ExitCodes.Failed;
            if (!Directory.Exists(archive.Root))
            {
                Console.Error.WriteLine($"error: --archive {archive.Root} does not exist: give Helioviewer's jp2_dir.");
                return ExitCodes.Failed;
            }
            var settings = new FollowSettings(database, archive, catalog);
            return parse.GetValue(onceOption)
                ? await FollowOnceAsync(settings, Console.Out, cancellationToken)
                : await FollowContinuouslyAsync(settings, cancellationToken);
        });
        return command;
    }

    public static async Task<int> FollowOnceAsync(FollowSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        if (await CatalogStartup.OpenAsync(settings.Catalog, output, cancellationToken) is null) return ExitCodes.Failed;
        await using var node = EmbeddedFollower.Create(settings, followInBackground: false);
        await node.StartAsync(cancellationToken);
        var follower = node.Follower;
        try
        {
            var cursor = await follower.CursorAsync(cancellationToken);
            output.WriteLine($"follow: Helioviewer's database {follower.Database} → {settings.Archive.Root} ({settings.Catalog.Describe()}), " +
                             (cursor == 0 ? "first run: backfill of the whole data table" : $"from row {cursor:N0}"));
            var retried = await follower.RetrySkippedAsync(all: true, cancellationToken);
            if (retried.Totals.Rows > 0)
                output.WriteLine($"   retried {retried.Totals.Rows:N0} rows skipped before: {retried.Totals.Rows - retried.Skipped.Count:N0} registered now");
            var pass = await follower.CatchUpAsync(p => output.WriteLine(Describe(p)), TimeSpan.FromSeconds(2), cancellationToken);
            if (pass.Totals.Rows > 0) await follower.MarkRehashedAsync(cancellationToken);
            foreach (var skip in retried.Skipped.Concat(pass.Skipped).Take(ProblemsShown)) output.WriteLine($"skipped: {skip}");
            var waiting = await follower.SkippedAsync(cancellationToken);
            var t = pass.Totals;
            output.WriteLine($"follow: done at row {pass.LastRowId:N0} in {t.Elapsed.TotalSeconds:N1} s: {t.Rows:N0} rows, {t.Added:N0} new, {t.Replaced:N0} replaced, " +
                             $"{t.Unchanged:N0} unchanged, {t.Skipped:N0} skipped ({t.FilesPerSecond:N0} files/s, {t.MegabytesPerSecond:N1} MB/s)" +
                             (waiting.Count > 0 ? $"; {waiting.Count:N0} skipped rows wait for another attempt (the next run retries them)" : ""));
            return waiting.Count == 0 ? ExitCodes.Success : ExitCodes.SomeRejected;
        }
        catch (Exception e) when (e is HelioviewerDatabaseUnavailableException or MySqlException)
        {
            output.WriteLine($"error: {e.Message}");
            output.WriteLine("       Nothing is lost: the next run carries on from the cursor.");
            return ExitCodes.Failed;
        }
    }

    public static string Describe(FollowProgress p) =>
        $"   … {p.Rows:N0} rows ({p.Added:N0} new, {p.Replaced:N0} replaced, {p.Unchanged:N0} unchanged, {p.Skipped:N0} skipped), " +
        $"{p.FilesPerSecond:N0} files/s, {p.MegabytesPerSecond:N1} MB/s" +
        (p.Remaining > 0 && p.Eta is { } eta ? $", ~{p.Remaining:N0} rows left, ETA {eta:hh\\:mm\\:ss}" : "");

    private static async Task<int> FollowContinuouslyAsync(FollowSettings settings, CancellationToken cancellationToken)
    {
        if (await CatalogStartup.OpenAsync(settings.Catalog, Console.Error, cancellationToken) is null) return ExitCodes.Failed;
        await using var node = EmbeddedFollower.Create(settings, followInBackground: true, Microsoft.Extensions.Logging.LogLevel.Information);
        await node.StartAsync(cancellationToken);
        Console.WriteLine($"follow: following Helioviewer's database {node.Follower.Database} into {settings.Archive.Root} (Ctrl+C stops)");
        await node.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Success;
    }
}
