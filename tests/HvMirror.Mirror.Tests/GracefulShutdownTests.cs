using HvMirror.Catalog;
using HvMirror.Testing;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.Mirror.Tests;

/// <summary>What a fetcher does when Kubernetes stops it (SIGTERM → the host stops) in the middle of a download.</summary>
[Collection(MirrorCollection.Name)]
public sealed class GracefulShutdownTests(PostgresServer postgres, RabbitMqBroker rabbit, ITestOutputHelper output)
    : MirrorTestBase(postgres, rabbit, output)
{
    [Fact]
    public async Task A_fetcher_stopped_mid_download_leaves_no_partial_file_and_another_fetcher_completes_the_file_once()
    {
        var faults = new UpstreamFaults();
        var primary = await StartPrimaryAsync(faults);
        var file = Samples(1, ["AIA_171"])[0];
        await primary.IngestAsync([file]);
        var stalled = faults.StallOnce(file.Name, file.Content);
        var vhost = await Rabbit.CreateVirtualHostAsync();
        var catalog = await Postgres.CreateDatabaseAsync("shutdown");
        var archive = Path.Combine(Root, "shutdown");
        var first = await StartMirrorAsync("fetcher-1", [primary], vhost: vhost, catalog: catalog, archive: archive,
            settings: new() { ["HvMirror:ConsumerStopTimeout"] = "00:00:01" });

        await first.PollAsync();
        await stalled.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.HoldsAsync(() => Task.FromResult(first.StagedLeftovers().Length == 1),
            () => Task.FromResult("the interrupted download never reached the staging folder"));

        var staging = first.Archive.StagingFolder;
        await first.DisposeAsync(); // what SIGTERM does: the host stops, consumers get ConsumerStopTimeout, then are cancelled

        Assert.Empty(Directory.GetFiles(staging));
        await using (var db = new CatalogDbContextFactory(CatalogConnection.Parse(catalog)).CreateDbContext())
            Assert.Equal(0, await db.Files.CountAsync());
        await Eventually.HoldsAsync(async () => await DepthAsync(first, "file-needed") == 1,
            async () => $"file-needed holds {await DepthAsync(first, "file-needed")} messages, expected the interrupted one back");

        var second = await StartMirrorAsync("fetcher-2", [primary], poller: false, comparer: false, vhost: vhost, catalog: catalog, archive: archive);
        await ConvergedAsync(primary, second, PrimaryName);

        Assert.Equal(2, faults.GetsOf(file.Name));
        Assert.Single(await second.FilesAsync());
        await Eventually.HoldsAsync(() => Task.FromResult(!second.Ingested.Messages.IsEmpty),
            () => Task.FromResult("the second fetcher never published FileIngested"));
        Assert.Single(second.Ingested.Messages);
        Assert.Equal(0, await ErrorDepthAsync(second));
    }
}
