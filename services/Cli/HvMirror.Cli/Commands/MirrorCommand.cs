using System.CommandLine;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Fetcher;
using HvMirror.Node;
using HvMirror.ServiceDefaults;
using HvMirror.Upstreams;

namespace HvMirror.Cli.Commands;

/// <summary><c>hvmirror mirror --from URL</c>: the embedded default — poller, comparer and fetcher in one process.</summary>
internal static class MirrorCommand
{
    public static Command Create()
    {
        var fromOption = CommonOptions.Upstream();
        var nameOption = CommonOptions.UpstreamName();
        var datasetsOption = new Option<string>("--datasets")
        {
            Description = "Comma-separated dataset patterns: AIA_171, AIA_*, *.",
            DefaultValueFactory = _ => "*",
        };
        var onceOption = new Option<bool>("--once")
        {
            Description = "Sync up to now, wait until every needed file is ingested or failed, print a summary and exit (non-zero if any file failed).",
        };
        var intervalOption = new Option<TimeSpan>("--poll-interval")
        {
            Description = "Without --once: time between polls.",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
        };
        var parallelOption = new Option<int>("--parallel") { Description = "Downloads at once.", DefaultValueFactory = _ => FetcherOptions.DefaultConcurrentDownloads };
        var urlsOption = new Option<string?>("--urls") { Description = "Also serve this node's HAPI catalog and files here (so mirrors can chain from it)." };
        var publicUrlOption = new Option<Uri?>("--public-url") { Description = "The base URL other mirrors reach this node by." };
        var fileHostsOption = new Option<string?>("--file-hosts")
        {
            Description = "Comma-separated hosts, besides the upstream's own, that its file urls and their redirects may point at " +
                          "(a CDN, another name of the same host): host (the scheme's default port) or host:port, e.g. " +
                          "cdn.example.org,files.example.org:8443. A file on any other host is refused, naming the entry that would allow it.",
        };
        var archiveOption = CommonOptions.Archive();
        var catalogOption = CommonOptions.Catalog();
        var helioviewerDbOption = HelioviewerCommand.Database(required: false);
        helioviewerDbOption.Description = "Also write every fetched file's row into this Helioviewer server's own database, so Helioviewer shows it: " +
                                          "\"Server=localhost;Database=helioviewer;User ID=…;Password=…\". The archive must be Helioviewer's jp2_dir.";
        var helioviewerCacheOption = HelioviewerCommand.CacheDir();
        var command = new Command("mirror", """
            Mirror an upstream HAPI server into this archive: new files are fetched, files whose checksum changed upstream
            (reprocessed) are fetched again, nothing partial or corrupt is ever registered. Runs everything in this process
            (in-memory messaging, SQLite catalog by default); for a distributed deployment run the poller, comparer and
            fetcher hosts on RabbitMQ and PostgreSQL instead.
            """)
        {
            fromOption, nameOption, datasetsOption, onceOption, intervalOption, parallelOption, urlsOption, publicUrlOption, fileHostsOption,
            archiveOption, catalogOption, helioviewerDbOption, helioviewerCacheOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var archive = new ArchiveLocation(parse.GetValue(archiveOption)!);
            if (!CommonOptions.TryParseUpstream(parse.GetValue(fromOption), Console.Error, out var from)
                || !CommonOptions.TryResolveCatalog(parse.GetValue(catalogOption), archive, Console.Error, out var catalog))
                return ExitCodes.Failed;
            var fileHosts = CommonOptions.ListOf(parse.GetValue(fileHostsOption) ?? "");
            if (fileHosts.FirstOrDefault(entry => !FileHost.TryParse(entry, out _)) is { } badEntry)
            {
                Console.Error.WriteLine($"error: --file-hosts entry '{badEntry}' is not a host name or host:port (e.g. cdn.example.org or files.example.org:8443).");
                return ExitCodes.Failed;
            }
            var helioviewerDb = parse.GetValue(helioviewerDbOption);
            if (helioviewerDb is not null && HelioviewerCommand.ParseDatabase(helioviewerDb, Console.Error) is null)
                return ExitCodes.Failed;

            var settings = new MirrorSettings(
                parse.GetValue(nameOption) ?? from.Host,
                from,
                CommonOptions.ListOf(parse.GetValue(datasetsOption)!),
                archive, catalog, parse.GetValue(intervalOption),
                parse.GetValue(urlsOption) is { } urls ? CommonOptions.ListOf(urls, ';') : null,
                parse.GetValue(publicUrlOption),
                Fetcher: fetcher => fetcher.ConcurrentDownloads = Math.Max(1, parse.GetValue(parallelOption)),
                HelioviewerDatabase: helioviewerDb,
                HelioviewerCacheDir: parse.GetValue(helioviewerCacheOption),
                FileHosts: fileHosts);
            return parse.GetValue(onceOption)
                ? await RunOnceAsync(settings, Console.Out, cancellationToken)
                : await RunContinuouslyAsync(settings, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunOnceAsync(MirrorSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        if (await CatalogStartup.OpenAsync(settings.Catalog, output, cancellationToken) is null) return ExitCodes.Failed;
        await using var mirror = EmbeddedMirror.Create(settings, pollInBackground: false);
        await mirror.StartAsync(cancellationToken);
        output.WriteLine($"mirror: {settings.UpstreamUrl} → {settings.Archive.Root} ({settings.Catalog.Describe()})" +
                         (settings.WritesHelioviewer ? $", rows into Helioviewer's database {new HvMirror.Helioviewer.HelioviewerDatabase(settings.HelioviewerDatabase!).Location}" : ""));
        var summary = await mirror.SyncOnceAsync(output, cancellationToken);
        Print(summary, output);
        return summary.Succeeded ? ExitCodes.Success : ExitCodes.SomeRejected;
    }

    public static void Print(SyncSummary summary, TextWriter output)
    {
        foreach (var (name, reason) in summary.Failures.OrderBy(f => f.Key))
            output.WriteLine(OperatorText.Escape($"failed: {name}: {reason}")); // both may hold an upstream's text
        if (summary.FailureCount > summary.Failures.Count)
            output.WriteLine($"failed: … and {summary.FailureCount - summary.Failures.Count:N0} more (`hvmirror verify` lists the work list)");
        var pollErrors = summary.Polls.Count(p => p.Error is not null);
        output.WriteLine(
            $"mirror: done in {summary.Elapsed.TotalSeconds:F2} s: {summary.Announced:N0} announced" +
            (summary.AskedAgain > 0 ? $" and {summary.AskedAgain:N0} asked again from the work list" : "") +
            $", {summary.New:N0} new, {summary.Changed:N0} replaced, " +
            $"{Math.Max(0, summary.Announced + summary.AskedAgain - summary.New - summary.Changed - summary.FailureCount):N0} already in sync, " +
            $"{summary.FailureCount:N0} failed ({summary.BytesFetched / 1e6:N1} MB fetched)" +
            (pollErrors > 0 ? $"; {pollErrors} dataset poll(s) stopped early, see above" : ""));
    }

    private static async Task<int> RunContinuouslyAsync(MirrorSettings settings, CancellationToken cancellationToken)
    {
        if (await CatalogStartup.OpenAsync(settings.Catalog, Console.Error, cancellationToken) is null) return ExitCodes.Failed;
        await using var mirror = EmbeddedMirror.Create(settings, pollInBackground: true, Microsoft.Extensions.Logging.LogLevel.Information);
        await mirror.StartAsync(cancellationToken);
        if (await mirror.RedriveWorkListAsync(cancellationToken) is > 0 and var askedAgain)
            Console.WriteLine($"mirror: asking again for {askedAgain:N0} files of the work list (not fetched by an earlier run)");
        Console.WriteLine($"mirror: polling {settings.UpstreamUrl} every {settings.PollInterval} into {settings.Archive.Root}" +
                          (mirror.Urls.Count > 0 ? $"; serving HAPI at {string.Join(", ", mirror.Urls.Select(u => u + "/hapi"))}" : "") +
                          " (Ctrl+C stops)");
        await mirror.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Success;
    }
}
