using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Node;
using HvMirror.Poller;
using Microsoft.Extensions.DependencyInjection;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// An upstream's answer may be far longer than the mirror can fetch at once (a backfill of millions of records, or an
/// answer that never ends): the poller reads no faster than the mirror takes the work, and <c>--once</c> polls, a
/// bounded number of records at a time, until everything is read.
/// </summary>
public sealed class BackpressureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Dataset = "AIA_171";
    private const int Records = 3_000;
    private const int MaxFilesInFlight = 100;
    private const int MaxRecordsPerPoll = 1_000;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hvmirror-backpressure", Guid.NewGuid().ToString("N"));
    private ScriptedUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _upstream = await ScriptedUpstream.StartAsync(Dataset);
        var t0 = DateTime.UtcNow.AddHours(-3);
        t0 = new DateTime(t0.Ticks - t0.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        _upstream.Records = SampleFiles.Generate(DataSources.Helioviewer, [Dataset], Records, new DateTime(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc),
                TimeSpan.FromSeconds(12), 1_500)
            .Select((file, i) => ScriptedUpstream.Good(t0.AddMilliseconds(i), file)).ToList();
    }

    [Fact]
    public async Task A_long_answer_is_read_no_faster_than_the_mirror_fetches_and_once_polls_until_all_of_it_is_in()
    {
        var archive = new ArchiveLocation(Path.Combine(_root, "mirror"));
        var settings = new MirrorSettings("scripted", new Uri(_upstream.HapiUrl), [Dataset], archive,
            CatalogConnection.ForSqliteFile(archive.DefaultSqliteCatalog), TimeSpan.FromSeconds(30),
            Fetcher: fetcher => fetcher.ConcurrentDownloads = 2,
            Poller: poller =>
            {
                poller.MaxFilesInFlight = MaxFilesInFlight;
                poller.MaxRecordsPerPoll = MaxRecordsPerPoll;
            });
        await using var mirror = EmbeddedMirror.Create(settings, pollInBackground: false);
        await mirror.StartAsync(default);
        var workList = mirror.Services.GetRequiredService<WorkList>();
        var announcements = mirror.Services.GetRequiredService<InFlightAnnouncements>();

        using var stopSampling = new CancellationTokenSource();
        long mostFetching = 0, mostToCompare = 0;
        var sampling = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                mostFetching = Math.Max(mostFetching, await workList.CountInFlightAsync(default));
                mostToCompare = Math.Max(mostToCompare, announcements.Count);
                await Task.Delay(20);
            }
        });
        var progress = new StringWriter();
        var summary = await mirror.SyncOnceAsync(progress, default);
        await stopSampling.CancelAsync();
        await sampling;
        output.WriteLine(progress.ToString());
        output.WriteLine($"most files in flight {mostFetching}, most announcements to compare {mostToCompare}, /data requests {_upstream.DataRequests}");

        Assert.True(summary.Succeeded, progress.ToString());
        Assert.Equal(Records, summary.New);
        // The poller waits before each batch (500) while the limit is reached: at most one batch beyond it.
        Assert.InRange(mostFetching, 1, MaxFilesInFlight + 500);
        Assert.InRange(mostToCompare, 0, MaxFilesInFlight + 500);
        Assert.True(mirror.Services.GetRequiredService<AnnouncementBackpressure>().Waits > 0, "the poller never had to wait");
        // Three polls of at most 1,000 records each, then one that found nothing more.
        Assert.True(_upstream.DataRequests >= Records / MaxRecordsPerPoll, $"{_upstream.DataRequests} /data requests");
        Assert.Single(summary.Polls);
        Assert.Null(summary.Polls[0].Error);
        await using var db = new CatalogDbContextFactory(settings.Catalog).CreateDbContext();
        Assert.Equal(Records, db.Files.Count());
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
