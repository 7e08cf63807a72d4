using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Contracts;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HvMirror.Fetcher.Tests;

/// <summary>
/// The fetcher's consumer on MassTransit's test harness, over a real (SQLite) catalog and archive, downloading from a
/// real HTTP server on loopback that serves one good file and one whose bytes differ from its announced checksum.
/// </summary>
public sealed class FileNeededConsumerTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hvmirror-fetcher-").FullName;
    private readonly SampleFile _file = SampleFiles.Create(DataSources.Helioviewer, DataSources.Helioviewer.All.Single(s => s.Name == "AIA_171"),
        new DateTime(2024, 12, 31, 0, 0, 10, 350, DateTimeKind.Utc));
    private WebApplication _upstream = null!;
    private ServiceProvider _services = null!;
    private ITestHarness _harness = null!;
    private int _downloads;

    public async Task InitializeAsync()
    {
        var web = WebApplication.CreateSlimBuilder();
        web.WebHost.UseUrls("http://127.0.0.1:0");
        _upstream = web.Build();
        _upstream.MapGet("/jp2/good.jp2", () => { Interlocked.Increment(ref _downloads); return Results.Bytes(_file.Content, "image/jp2"); });
        _upstream.MapGet("/jp2/corrupt.jp2", () => { Interlocked.Increment(ref _downloads); return Results.Bytes([.. _file.Content[..^1], 0], "image/jp2"); });
        _upstream.MapGet("/jp2/signature-only.jp2", () => { Interlocked.Increment(ref _downloads); return Results.Bytes(SignatureAndGarbage, "image/jp2"); });
        await _upstream.StartAsync();

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ArchiveLocation.Setting] = Path.Combine(_root, "archive"),
            ["HvMirror:Upstreams:0:Name"] = "primary",
            ["HvMirror:Upstreams:0:Url"] = _upstream.Urls.First() + "/hapi",
            ["HvMirror:Fetcher:Attempts"] = "2",
            ["HvMirror:Fetcher:RetryDelay"] = "00:00:00.010",
        }).Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddCatalog(configuration)
            .AddFetcherServices(configuration)
            .AddMassTransitTestHarness(bus => bus.AddFetcher())
            // A consumer that waits on the catalog is not idle: give the harness longer than its 1.2 s default to say so.
            .Configure<TestHarnessOptions>(options => options.TestInactivityTimeout = TimeSpan.FromSeconds(10))
            .BuildServiceProvider(validateScopes: true);
        await CatalogMigrator.MigrateAsync(_services.GetRequiredService<CatalogDbContextFactory>());
        _harness = _services.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    [Fact]
    public async Task A_needed_file_is_downloaded_verified_placed_and_registered_and_announced_as_ingested()
    {
        await _harness.Bus.Publish(Needed(new Uri(_upstream.Urls.First() + "/jp2/good.jp2")));

        Assert.True(await _harness.Published.Any<FileIngested>());
        var ingested = _harness.Published.Select<FileIngested>().Single().Context.Message;
        var archive = _services.GetRequiredService<ArchiveLocation>();
        Assert.Equal(_file.Content, await File.ReadAllBytesAsync(archive.FullPath(ingested.ArchivePath)));
        Assert.Equal((_file.Name, FileNeedReason.New, Checksum.Sha256Of(_file.Content).ToString()), (ingested.Name, ingested.Reason, ingested.Checksum));
        Assert.Equal("AIA/2024/12/31/171/" + _file.Name, ingested.ArchivePath);
        await using var db = _services.GetRequiredService<CatalogDbContextFactory>().CreateDbContext();
        Assert.Equal("primary", (await db.Files.SingleAsync(f => f.Name == _file.Name)).Upstream);
    }

    [Fact]
    public async Task Bytes_that_do_not_match_the_announced_checksum_are_retried_then_left_on_the_work_list_and_never_registered()
    {
        var needed = Needed(new Uri(_upstream.Urls.First() + "/jp2/corrupt.jp2"));
        await WantAsync(needed);
        await _harness.Bus.Publish(needed);

        Assert.True(await _harness.GetConsumerHarness<FileNeededConsumer>().Consumed.Any<FileNeeded>());
        Assert.True(await _harness.Published.Any<FileFetchFailed>());
        var failed = _harness.Published.Select<FileFetchFailed>().Single().Context.Message;
        Assert.Contains("checksum mismatch", failed.Error);
        Assert.False(failed.Permanent);
        Assert.Equal(1, failed.Attempts);
        Assert.False(await _harness.Published.Any<Fault<FileNeeded>>());
        Assert.Equal(2, Volatile.Read(ref _downloads)); // HvMirror:Fetcher:Attempts
        var entry = (await _services.GetRequiredService<WorkList>().ListAsync(10, default)).Single();
        Assert.Equal((1, failed.Error), (entry.Attempts, entry.LastError));
        Assert.True(entry.NextAttemptAt > DateTime.UtcNow);
        await using var db = _services.GetRequiredService<CatalogDbContextFactory>().CreateDbContext();
        Assert.False(await db.Files.AnyAsync());
        Assert.False(Directory.Exists(Path.Combine(_root, "archive", "AIA")));
    }

    [Fact]
    public async Task Bytes_with_the_announced_checksum_that_are_not_a_decodable_JP2_fail_at_once_as_permanent_and_are_never_registered()
    {
        var needed = Needed(new Uri(_upstream.Urls.First() + "/jp2/signature-only.jp2")) with
        {
            Checksum = Checksum.Sha256Of(SignatureAndGarbage).ToString(),
        };
        await WantAsync(needed);
        await _harness.Bus.Publish(needed);

        Assert.True(await _harness.Published.Any<FileFetchFailed>());
        var failed = _harness.Published.Select<FileFetchFailed>().Single().Context.Message;
        Assert.Contains("has the announced checksum, but its bytes are refused: its box structure is broken", failed.Error);
        Assert.True(failed.Permanent);
        Assert.Equal(1, Volatile.Read(ref _downloads));
        await using var db = _services.GetRequiredService<CatalogDbContextFactory>().CreateDbContext();
        Assert.False(await db.Files.AnyAsync());
    }

    [Fact]
    public async Task A_url_off_the_upstream_host_is_refused_without_downloading()
    {
        var needed = Needed(new Uri("http://elsewhere.example.org/jp2/good.jp2"));
        await WantAsync(needed);
        await _harness.Bus.Publish(needed);

        Assert.True(await _harness.GetConsumerHarness<FileNeededConsumer>().Consumed.Any<FileNeeded>());
        Assert.True(await _harness.Published.Any<FileFetchFailed>());
        var failed = _harness.Published.Select<FileFetchFailed>().Single().Context.Message;
        Assert.Contains("neither the upstream's host nor one of its HvMirror:Upstreams:N:FileHosts", failed.Error);
        Assert.True(failed.Permanent);
        Assert.Equal(0, Volatile.Read(ref _downloads));
    }

    [Fact]
    public async Task A_registered_file_leaves_the_work_list()
    {
        var needed = Needed(new Uri(_upstream.Urls.First() + "/jp2/good.jp2"));
        await WantAsync(needed);
        await _harness.Bus.Publish(needed);

        Assert.True(await _harness.Published.Any<FileIngested>());
        Assert.Empty(await _services.GetRequiredService<WorkList>().ListAsync(10, default));
    }

    private Task WantAsync(FileNeeded needed) =>
        _services.GetRequiredService<WorkList>().WantAsync(
            [new WantedFileRequest(needed.Name, needed.Upstream, needed.Dataset, needed.Checksum, needed.Url, needed.UpstreamIngestedAt, needed.Reason.ToString(), null)],
            default);

    private static readonly byte[] SignatureAndGarbage = [.. Jp2.Signature, .. Enumerable.Range(0, 3000).Select(i => (byte)(i * 37 + 11))];

    private FileNeeded Needed(Uri url) =>
        new("primary", "AIA_171", _file.Name, Checksum.Sha256Of(_file.Content).ToString(), url,
            new DateTime(2024, 12, 31, 1, 0, 0, DateTimeKind.Utc), FileNeedReason.New, HeldChecksum: null);

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _upstream.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
