using System.Diagnostics;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Fetcher;
using HvMirror.HapiServer;
using HvMirror.Helioviewer;
using HvMirror.HelioviewerWriter;
using HvMirror.Poller;
using HvMirror.ServiceDefaults;
using HvMirror.Upstreams;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.Node;

/// <summary>What the embedded mirror is asked to do.</summary>
public sealed record MirrorSettings(
    string UpstreamName,
    Uri UpstreamUrl,
    IReadOnlyList<string> Datasets,
    ArchiveLocation Archive,
    CatalogConnection Catalog,
    TimeSpan PollInterval,
    IReadOnlyList<string>? Urls = null,
    Uri? PublicUrl = null,
    Action<FetcherOptions>? Fetcher = null,
    Action<PollerOptions>? Poller = null,
    string? HelioviewerDatabase = null,
    string? HelioviewerCacheDir = null,
    IReadOnlyList<string>? FileHosts = null)
{
    /// <summary>Also write every fetched file's row into this Helioviewer database (the writer role in this process).</summary>
    public bool WritesHelioviewer => !string.IsNullOrWhiteSpace(HelioviewerDatabase);
}

/// <summary>The outcome of one <c>--once</c> sync.</summary>
public sealed record SyncSummary(
    long Announced, int AskedAgain, long New, long Changed, long BytesFetched, TimeSpan Elapsed,
    IReadOnlyList<DatasetPollResult> Polls, IReadOnlyDictionary<string, string> Failures, long FailureCount)
{
    /// <summary>Every announced file is here, no poll stopped early, and no record had to be set aside as unusable.</summary>
    public bool Succeeded => FailureCount == 0 && Polls.All(p => p.Error is null && p.Quarantined == 0);
}

/// <summary>
/// Poller, comparer and fetcher in one process on MassTransit's in-memory transport (the embedded default), with this
/// node's HAPI server too when <see cref="MirrorSettings.Urls"/> is given, so other mirrors can chain from it.
/// </summary>
public sealed class EmbeddedMirror : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly MirrorSettings _settings;

    private EmbeddedMirror(IHost host, MirrorSettings settings)
    {
        _host = host;
        _settings = settings;
    }

    public IServiceProvider Services => _host.Services;

    /// <summary>The addresses this node's HAPI server listens on (empty without <see cref="MirrorSettings.Urls"/>).</summary>
    public IReadOnlyList<string> Urls => _host is WebApplication web ? web.Urls.ToList() : [];

    public static EmbeddedMirror Create(MirrorSettings settings, bool pollInBackground, LogLevel logLevel = LogLevel.Warning)
    {
        if (settings.Urls is null)
        {
            var builder = Host.CreateApplicationBuilder(CommandLineHost.Args);
            Configure(builder, settings, pollInBackground, logLevel, NodeRoles.Mirror | WriterRole(settings));
            return new EmbeddedMirror(builder.Build(), settings);
        }

        var web = WebApplication.CreateSlimBuilder(CommandLineHost.Args);
        web.WebHost.UseUrls([.. settings.Urls]);
        Configure(web, settings, pollInBackground, logLevel, NodeRoles.Mirror | NodeRoles.HapiServer | WriterRole(settings));
        var app = web.Build();
        app.MapHvMirrorNode();
        return new EmbeddedMirror(app, settings);
    }

    public Task StartAsync(CancellationToken cancellationToken) => _host.StartAsync(cancellationToken);

    /// <summary>
    /// Asks again for every file of the work list: the in-memory queues of an earlier run are gone. The continuous
    /// mirror does this once at start; its poller then re-drives what falls due.
    /// </summary>
    public Task<int> RedriveWorkListAsync(CancellationToken cancellationToken) =>
        Services.GetRequiredService<WorkListRedriver>().RedriveAsync(everything: true, cancellationToken);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _host.WaitForShutdownAsync(cancellationToken);

    /// <summary>
    /// How often the sync reads the catalog for every outstanding file, not only the newly announced ones: reading
    /// thousands of names every 200 ms cost a tenth of the process's CPU while files arrived.
    /// </summary>
    private static readonly TimeSpan FullSettleInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Polls the upstream once up to now, then waits until every announced file is held with the announced checksum or
    /// has failed for good, reporting progress to <paramref name="progress"/>.
    /// </summary>
    public async Task<SyncSummary> SyncOnceAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var tracker = new SyncTracker();
        using var observer = new ObserverHandle(Services.GetRequiredService<IBus>().ConnectPublishObserver(tracker));
        // What an earlier run did not get (failed, or lost with the in-memory queues at exit) is asked for again first.
        var askedAgain = await Services.GetRequiredService<WorkListRedriver>().RedriveAsync(everything: true, cancellationToken);
        if (askedAgain > 0)
            progress.WriteLine($"   asking again for {askedAgain:N0} files of the work list (not fetched by an earlier run)");
        var writer = Services.GetService<HelioviewerRowWriter>();
        var writtenBefore = writer?.FilesHandled ?? 0;
        var upstream = Services.GetRequiredService<IOptions<UpstreamsOptions>>().Value.Upstreams[0];
        var contexts = Services.GetRequiredService<CatalogDbContextFactory>();
        var lastReport = TimeSpan.Zero;
        var lastFullSettle = TimeSpan.Zero;
        // Settled while the poll still reads: a long answer's files are fetched (the poller waits for room) and leave
        // the tracker as they arrive, so memory follows what is in flight, not the length of the answer.
        var poll = PollToTheEndAsync(upstream, cancellationToken);
        while (true)
        {
            var emptied = tracker.NextEmptied;
            var everything = clock.Elapsed - lastFullSettle >= FullSettleInterval;
            if (everything) lastFullSettle = clock.Elapsed;
            await tracker.SettleFromCatalogAsync(contexts, everything, cancellationToken);
            if (poll.IsCompleted && tracker.Outstanding == 0) break;
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
            {
                lastReport = clock.Elapsed;
                progress.WriteLine($"   … {tracker.Announced - tracker.Outstanding:N0}/{tracker.Announced:N0} in sync{(poll.IsCompleted ? "" : " (still reading the upstream)")}: " +
                                   $"{tracker.New:N0} new, {tracker.Changed:N0} replaced, {tracker.FailureCount:N0} failed, " +
                                   $"{tracker.BytesFetched / 1e6 / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N1} MB/s");
            }
            // Once the poll is done, WhenAny(poll, …) returns at once: waiting on it then made this loop spin, a core's
            // worth of catalog reads and timers while the last files were fetched.
            var pause = Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            await (poll.IsCompleted ? Task.WhenAny(emptied, pause) : Task.WhenAny(poll, emptied, pause));
            cancellationToken.ThrowIfCancellationRequested();
        }
        var polls = await poll;
        foreach (var result in polls)
        {
            foreach (var warning in result.Warnings)
                progress.WriteLine($"   warning: {result.Upstream}/{result.Dataset}: {warning}");
            if (result.Quarantined > 0)
                progress.WriteLine($"   {result.Upstream}/{result.Dataset}: {result.Quarantined:N0} unusable records quarantined (not fetched; " +
                                   "`hvmirror verify` lists them with their reasons)");
            if (result.Error is not null)
                progress.WriteLine($"   poll of {result.Upstream}/{result.Dataset} stopped: {result.Error}");
        }
        progress.WriteLine($"   announced {tracker.Announced:N0} files from {polls.Count(p => !p.Skipped && p.Dataset != "*")} datasets");
        if (writer is not null)
        {
            // The rows too: every file this sync fetched has its row in Helioviewer's database, or the writer gave up on it.
            long Handled() => writer.FilesHandled - writtenBefore + tracker.WriterFaulted;
            while (Handled() < tracker.New + tracker.Changed)
            {
                if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(5))
                {
                    lastReport = clock.Elapsed;
                    progress.WriteLine($"   … writing rows into Helioviewer's database: {Handled():N0}/{tracker.New + tracker.Changed:N0} files " +
                                       "(waiting while it is unavailable)");
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
        return new SyncSummary(tracker.Announced, askedAgain, tracker.New, tracker.Changed, tracker.BytesFetched, clock.Elapsed, polls,
            new Dictionary<string, string>(tracker.Failures), tracker.FailureCount);
    }

    /// <summary>
    /// Polls until no dataset has more to read: a poll stops at <see cref="PollerOptions.MaxRecordsPerPoll"/> records,
    /// and a backfill goes on poll after poll while its cursor moves. An answer that fills a poll without moving the
    /// cursor (endless, at one time) is a broken upstream: that dataset stops with an error and the sync ends.
    /// </summary>
    private async Task<IReadOnlyList<DatasetPollResult>> PollToTheEndAsync(UpstreamOptions upstream, CancellationToken cancellationToken)
    {
        var poller = Services.GetRequiredService<UpstreamPoller>();
        var latest = new Dictionary<string, DatasetPollResult>(StringComparer.Ordinal);
        while (true)
        {
            var results = await poller.PollAsync(upstream, cancellationToken);
            var again = false;
            foreach (var result in results)
            {
                var before = latest.GetValueOrDefault(result.Dataset);
                var merged = result with { Warnings = [.. (before?.Warnings ?? []).Union(result.Warnings)] };
                if (result.MoreToRead && before is not null && result.Cursor == before.Cursor)
                    merged = merged with
                    {
                        MoreToRead = false,
                        Error = $"the upstream answered more than {Services.GetRequiredService<IOptions<PollerOptions>>().Value.MaxRecordsPerPoll:N0} records " +
                                $"(HvMirror:Poller:MaxRecordsPerPoll) without its Time moving past {merged.Cursor:O}: a broken or hostile answer. " +
                                "Tell the upstream's operators; nothing after it is read.",
                    };
                again |= merged.MoreToRead;
                latest[result.Dataset] = merged;
            }
            if (!again) return [.. latest.Values];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(30));
        if (_host is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
        else _host.Dispose();
    }

    private static void Configure(IHostApplicationBuilder builder, MirrorSettings settings, bool pollInBackground, LogLevel logLevel, NodeRoles roles)
    {
        builder.Logging.SetMinimumLevel(logLevel);
        // A command says at once that its catalog is unreachable; only hosts wait for one (HvMirror:Catalog:WaitAtStart).
        builder.Configuration[CatalogStartupOptions.Section + ":" + nameof(CatalogStartupOptions.WaitAtStart)] ??= "00:00:00";
        builder.Logging.AddOneLineConsole();
        var services = builder.Services;
        services.AddSingleton(settings.Archive);
        services.AddSingleton(new CatalogDbContextFactory(settings.Catalog));
        services.Configure<UpstreamsOptions>(options => options.Upstreams =
        [
            new UpstreamOptions
            {
                Name = settings.UpstreamName, Url = settings.UpstreamUrl, Datasets = [.. settings.Datasets], PollInterval = settings.PollInterval,
                FileHosts = [.. settings.FileHosts ?? []],
            },
        ]);
        if (settings.Fetcher is { } fetcher) services.Configure(fetcher);
        if (settings.Poller is { } poller) services.Configure(poller);
        if (settings.PublicUrl is { } publicUrl) services.Configure<HapiServerOptions>(options => options.PublicUrl = publicUrl);
        if (settings.WritesHelioviewer)
        {
            builder.Configuration[HelioviewerOptions.Section + ":" + nameof(HelioviewerOptions.Database)] = settings.HelioviewerDatabase;
            builder.Configuration[HelioviewerOptions.Section + ":" + nameof(HelioviewerOptions.CacheDir)] = settings.HelioviewerCacheDir;
        }
        builder.AddHvMirrorNode(roles, node => node.PollInBackground = pollInBackground);
    }

    private static NodeRoles WriterRole(MirrorSettings settings) => settings.WritesHelioviewer ? NodeRoles.HelioviewerWriter : NodeRoles.None;

    private sealed class ObserverHandle(ConnectHandle handle) : IDisposable
    {
        public void Dispose() => handle.Disconnect();
    }
}
