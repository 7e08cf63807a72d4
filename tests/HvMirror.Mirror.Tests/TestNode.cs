using System.Collections.Concurrent;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Contracts;
using HvMirror.Fetcher;
using HvMirror.Ingestion;
using HvMirror.Node;
using HvMirror.Poller;
using HvMirror.ServiceDefaults;
using HvMirror.Upstreams;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace HvMirror.Mirror.Tests;

/// <summary>What one in-test node runs: a HAPI server, mirror roles, or both, with its own catalog and archive.</summary>
public sealed class NodeSpec
{
    public required string Name { get; init; }

    /// <summary>The node's PostgreSQL catalog.</summary>
    public required string Catalog { get; init; }

    public required string Archive { get; init; }

    /// <summary>The node's RabbitMQ virtual host (null: no bus, e.g. a primary).</summary>
    public Uri? RabbitMq { get; init; }

    public bool Hapi { get; init; }
    public bool Poller { get; init; }

    /// <summary>Poll on the upstreams' interval (the real <see cref="PollerService"/>); otherwise the test calls <see cref="TestNode.PollAsync"/>.</summary>
    public bool BackgroundPoller { get; init; }

    public bool Comparer { get; init; }
    public bool Fetcher { get; init; }

    /// <summary>Roles besides those above (the Helioviewer writer, the follower).</summary>
    public NodeRoles ExtraRoles { get; init; }

    /// <summary>Upstreams (name, HAPI base URL ending in /hapi).</summary>
    public List<(string Name, string Url)> Upstreams { get; init; } = [];

    /// <summary>The roles this node runs, as <see cref="HvMirrorNode.AddHvMirrorNode"/> takes them.</summary>
    public NodeRoles Roles =>
        (Hapi ? NodeRoles.HapiServer : NodeRoles.None) | (Poller ? NodeRoles.Poller : NodeRoles.None)
        | (Comparer ? NodeRoles.Comparer : NodeRoles.None) | (Fetcher ? NodeRoles.Fetcher : NodeRoles.None) | ExtraRoles;

    /// <summary>Extra configuration (e.g. <c>HvMirror:Fetcher:Attempts</c>).</summary>
    public Dictionary<string, string?> Settings { get; init; } = [];

    /// <summary>Middleware placed in front of the HAPI server (fault injection, request counting).</summary>
    public UpstreamFaults? Faults { get; init; }

    /// <summary>When set, the spans this node's OpenTelemetry tracing exports (in-memory exporter).</summary>
    public List<System.Diagnostics.Activity>? Spans { get; init; }
}

/// <summary>
/// One HvMirror node inside the test process: a real <see cref="WebApplication"/> on a loopback Kestrel port (so the
/// fetchers of other nodes download from it by URL), composed by <see cref="HvMirrorNode.AddHvMirrorNode"/> as the thin hosts are.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestNode(NodeSpec spec, WebApplication app)
    {
        Spec = spec;
        _app = app;
        BaseUrl = app.Urls.First().TrimEnd('/');
    }

    public NodeSpec Spec { get; }
    public string Name => Spec.Name;
    public IServiceProvider Services => _app.Services;

    /// <summary>http://127.0.0.1:port</summary>
    public string BaseUrl { get; }

    public string HapiUrl => BaseUrl + "/hapi";
    public CatalogDbContextFactory Contexts => Services.GetRequiredService<CatalogDbContextFactory>();
    public ArchiveLocation Archive => Services.GetRequiredService<ArchiveLocation>();
    public IngestedLog Ingested => Services.GetRequiredService<IngestedLog>();
    public ConsumedLog Consumed => Services.GetRequiredService<ConsumedLog>();
    public DownloadCounter Downloads => Services.GetRequiredService<DownloadCounter>();

    public static async Task<TestNode> StartAsync(NodeSpec spec, ITestOutputHelper output)
    {
        // Migrate first, as `hvmirror migrate` would: the roles never race the schema (the hosts also migrate at start).
        await CatalogMigrator.MigrateAsync(new CatalogDbContextFactory(CatalogConnection.Parse(spec.Catalog)));

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(TestNode).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Catalog"] = spec.Catalog,
            ["ConnectionStrings:RabbitMq"] = spec.RabbitMq?.ToString(),
            ["HvMirror:Archive"] = spec.Archive,
            ["HvMirror:ConsumerStopTimeout"] = "00:00:05",
            ["HvMirror:Fetcher:Attempts"] = "3",
            ["HvMirror:Fetcher:RetryDelay"] = "00:00:00.200",
            ["HvMirror:Fetcher:StallTimeout"] = "00:00:10",
            ["HvMirror:Fetcher:ConcurrentDownloads"] = "4",
        };
        for (var i = 0; i < spec.Upstreams.Count; i++)
        {
            settings[$"HvMirror:Upstreams:{i}:Name"] = spec.Upstreams[i].Name;
            settings[$"HvMirror:Upstreams:{i}:Url"] = spec.Upstreams[i].Url;
            settings[$"HvMirror:Upstreams:{i}:PollInterval"] = "00:00:01";
        }
        foreach (var (key, value) in spec.Settings) settings[key] = value;
        builder.Configuration.AddInMemoryCollection(settings);

        // Every host's defaults (traces, metrics, /health/live, /health/ready), as in the Program.cs files.
        builder.AddServiceDefaults($"hvmirror-{spec.Name}");
        if (spec.Spans is not null)
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spec.Spans));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new TestOutputLoggerProvider(output, spec.Name));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System", LogLevel.Warning);
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");

        var services = builder.Services;
        services.AddSingleton<IngestedLog>();
        services.AddSingleton<ConsumedLog>();
        services.AddSingleton<DownloadCounter>();
        builder.AddHvMirrorNode(spec.Roles, node =>
        {
            node.PollInBackground = spec.BackgroundPoller;
            if (spec.RabbitMq is not null) node.AddConsumers = bus => bus.AddConsumer<FileIngestedRecorder>();
        });
        // Tests need a primary's ingester and count the fetcher's downloads.
        services.AddIngestion();
        if (spec.Fetcher)
            services.AddHttpClient(FileDownloader.HttpClientName)
                .AddHttpMessageHandler(sp => new CountingHandler(sp.GetRequiredService<DownloadCounter>()));

        var app = builder.Build();
        if (spec.RabbitMq is not null)
            app.Services.GetRequiredService<IBus>().ConnectConsumeObserver(app.Services.GetRequiredService<ConsumedLog>());
        spec.Faults?.Install(app);
        app.MapDefaultEndpoints();
        app.MapHvMirrorNode();
        await app.StartAsync();
        return new TestNode(spec, app);
    }

    /// <summary>One poll of every configured upstream (nodes started without <see cref="NodeSpec.BackgroundPoller"/>).</summary>
    public async Task<IReadOnlyList<DatasetPollResult>> PollAsync()
    {
        var poller = Services.GetRequiredService<UpstreamPoller>();
        var results = new List<DatasetPollResult>();
        foreach (var upstream in Services.GetRequiredService<IOptions<UpstreamsOptions>>().Value.Upstreams)
            results.AddRange(await poller.PollAsync(upstream, CancellationToken.None));
        return results;
    }

    public async Task<List<CatalogFile>> FilesAsync()
    {
        await using var db = Contexts.CreateDbContext();
        return await db.Files.AsNoTracking().OrderBy(f => f.Name).ToListAsync();
    }

    public Task<DateTime?> CursorAsync(string upstream, string dataset) =>
        Services.GetRequiredService<MirrorCursorStore>().GetAsync(upstream, dataset, CancellationToken.None);

    /// <summary>Ingests files the way <c>hvmirror ingest</c> does (a primary gets its files like this).</summary>
    public async Task<List<IngestResult>> IngestAsync(IEnumerable<SampleFile> files)
    {
        var results = await Services.GetRequiredService<ArchiveIngester>().IngestSamplesAsync(files);
        foreach (var result in results)
            Assert.True(result.Outcome is IngestOutcome.Ingested or IngestOutcome.Updated, $"{result.Source}: {result.Outcome} {result.Reason}");
        return [.. results];
    }

    public string[] StagedLeftovers() =>
        Directory.Exists(Archive.StagingFolder) ? Directory.GetFiles(Archive.StagingFolder) : [];

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _app.StopAsync(stop.Token); }
        finally { await _app.DisposeAsync(); }
    }
}

/// <summary>Every <see cref="FileIngested"/> a node's bus carried (queue <c>file-ingested-recorder</c>).</summary>
public sealed class IngestedLog
{
    public ConcurrentQueue<FileIngested> Messages { get; } = new();
}

public sealed class FileIngestedRecorder(IngestedLog log) : IConsumer<FileIngested>
{
    public Task Consume(ConsumeContext<FileIngested> context)
    {
        log.Messages.Enqueue(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>How many <see cref="FileNeeded"/> messages this node's fetcher finished (successfully or not).</summary>
public sealed class ConsumedLog : IConsumeObserver
{
    private int _fileNeededDone;
    private int _fileNeededFaulted;

    public int FileNeededDone => Volatile.Read(ref _fileNeededDone);
    public int FileNeededFaulted => Volatile.Read(ref _fileNeededFaulted);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        if (typeof(T) == typeof(FileNeeded)) Interlocked.Increment(ref _fileNeededDone);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        if (typeof(T) == typeof(FileNeeded)) Interlocked.Increment(ref _fileNeededFaulted);
        return Task.CompletedTask;
    }
}

/// <summary>File downloads one fetcher process started.</summary>
public sealed class DownloadCounter
{
    private int _count;
    public int Count => Volatile.Read(ref _count);
    public void Add() => Interlocked.Increment(ref _count);
}

internal sealed class CountingHandler(DownloadCounter counter) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        counter.Add();
        return base.SendAsync(request, cancellationToken);
    }
}
