using System.Diagnostics;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Comparer;
using HvMirror.Fetcher;
using HvMirror.HapiServer;
using HvMirror.Poller;
using HvMirror.ServiceDefaults;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HvMirror.Cli.Mirroring;

/// <summary>What the embedded mirror is asked to do.</summary>
internal sealed record MirrorSettings(
    string UpstreamName,
    Uri UpstreamUrl,
    IReadOnlyList<string> Datasets,
    ArchiveLocation Archive,
    CatalogConnection Catalog,
    TimeSpan PollInterval,
    string? Urls = null,
    string? PublicUrl = null,
    int ConcurrentDownloads = 4,
    IReadOnlyDictionary<string, string?>? MoreConfiguration = null);

/// <summary>The outcome of one <c>--once</c> sync.</summary>
internal sealed record SyncSummary(
    long Announced, long New, long Changed, long BytesFetched, TimeSpan Elapsed,
    IReadOnlyList<DatasetPollResult> Polls, IReadOnlyDictionary<string, string> Failures)
{
    public bool Succeeded => Failures.Count == 0 && Polls.All(p => p.Error is null);
}

/// <summary>
/// Poller, comparer and fetcher in one process on MassTransit's in-memory transport (the embedded default), with this
/// node's HAPI server too when <see cref="MirrorSettings.Urls"/> is given, so other mirrors can chain from it.
/// </summary>
internal sealed class EmbeddedMirror : IAsyncDisposable
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
        var configuration = new Dictionary<string, string?>
        {
            ["HvMirror:Archive"] = settings.Archive.Root,
            ["HvMirror:PublicUrl"] = settings.PublicUrl,
            ["ConnectionStrings:Catalog"] = settings.Catalog.ConnectionString,
            ["HvMirror:Upstreams:0:Name"] = settings.UpstreamName,
            ["HvMirror:Upstreams:0:Url"] = settings.UpstreamUrl.ToString(),
            ["HvMirror:Upstreams:0:PollInterval"] = settings.PollInterval.ToString(),
            ["HvMirror:Fetcher:ConcurrentDownloads"] = settings.ConcurrentDownloads.ToString(),
        };
        for (var i = 0; i < settings.Datasets.Count; i++)
            configuration[$"HvMirror:Upstreams:0:Datasets:{i}"] = settings.Datasets[i];
        foreach (var (key, value) in settings.MoreConfiguration ?? new Dictionary<string, string?>())
            configuration[key] = value;

        if (settings.Urls is null)
        {
            var builder = Host.CreateApplicationBuilder();
            Configure(builder.Configuration, builder.Services, builder.Logging, configuration, pollInBackground, logLevel, serveHapi: false);
            return new EmbeddedMirror(builder.Build(), settings);
        }

        var web = WebApplication.CreateSlimBuilder();
        web.WebHost.UseUrls(settings.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Configure(web.Configuration, web.Services, web.Logging, configuration, pollInBackground, logLevel, serveHapi: true);
        var app = web.Build();
        app.MapHapi();
        return new EmbeddedMirror(app, settings);
    }

    public Task StartAsync(CancellationToken cancellationToken) => _host.StartAsync(cancellationToken);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _host.WaitForShutdownAsync(cancellationToken);

    /// <summary>
    /// Polls the upstream once up to now, then waits until every announced file is held with the announced checksum or
    /// has failed for good, reporting progress to <paramref name="progress"/>.
    /// </summary>
    public async Task<SyncSummary> SyncOnceAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var tracker = new SyncTracker();
        using var observer = new ObserverHandle(Services.GetRequiredService<IBus>().ConnectPublishObserver(tracker));
        var upstream = Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HvMirrorOptions>>().Value.Upstreams[0];
        var polls = await Services.GetRequiredService<UpstreamPoller>().PollAsync(upstream, cancellationToken);
        foreach (var failed in polls.Where(p => p.Error is not null))
            progress.WriteLine($"   poll of {failed.Upstream}/{failed.Dataset} stopped: {failed.Error}");
        progress.WriteLine($"   announced {tracker.Announced:N0} files from {polls.Count(p => !p.Skipped && p.Dataset != "*")} datasets; fetching what is new or changed …");

        var contexts = Services.GetRequiredService<CatalogDbContextFactory>();
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            await tracker.SettleFromCatalogAsync(contexts, cancellationToken);
            if (tracker.Outstanding == 0) break;
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
            {
                lastReport = clock.Elapsed;
                progress.WriteLine($"   … {tracker.Announced - tracker.Outstanding:N0}/{tracker.Announced:N0} in sync: " +
                                   $"{tracker.New:N0} new, {tracker.Changed:N0} replaced, {tracker.Failures.Count:N0} failed, " +
                                   $"{tracker.BytesFetched / 1e6 / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N1} MB/s");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
        return new SyncSummary(tracker.Announced, tracker.New, tracker.Changed, tracker.BytesFetched, clock.Elapsed, polls,
            new Dictionary<string, string>(tracker.Failures));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(30));
        if (_host is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
        else _host.Dispose();
    }

    private static void Configure(
        IConfigurationManager configuration, IServiceCollection services, ILoggingBuilder logging,
        Dictionary<string, string?> values, bool pollInBackground, LogLevel logLevel, bool serveHapi)
    {
        configuration.AddInMemoryCollection(values);
        logging.SetMinimumLevel(logLevel);
        services.AddHvMirrorCatalog(configuration);
        services.AddHvMirrorBus(configuration, bus =>
        {
            bus.AddComparer();
            bus.AddFetcher();
        });
        services.AddFetcherServices();
        services.AddPoller(background: pollInBackground);
        if (serveHapi) services.AddHapiServer(configuration);
    }

    private sealed class ObserverHandle(ConnectHandle handle) : IDisposable
    {
        public void Dispose() => handle.Disconnect();
    }
}
