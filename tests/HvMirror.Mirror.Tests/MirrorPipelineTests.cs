using HvMirror.Catalog;
using HvMirror.Archive;
using HvMirror.Contracts;
using HvMirror.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// The mirror pipeline end to end: a primary (HAPI server on loopback Kestrel, its own catalog and archive) and mirror
/// hosts wired like the thin hosts (poller, comparer, fetcher) on a real RabbitMQ virtual host and a real PostgreSQL catalog.
/// </summary>
[Collection(MirrorCollection.Name)]
public sealed class MirrorPipelineTests(PostgresServer postgres, RabbitMqBroker rabbit, ITestOutputHelper output)
    : MirrorTestBase(postgres, rabbit, output)
{
    [Fact]
    public async Task A_mirror_of_a_primary_with_three_datasets_converges_byte_for_byte()
    {
        var primary = await StartPrimaryAsync();
        await primary.IngestAsync(Samples(30));

        var mirror = await StartMirrorAsync("mirror", [primary], backgroundPoller: true);

        await ConvergedAsync(primary, mirror, PrimaryName);
        foreach (var dataset in ThreeDatasets)
        {
            var last = (await primary.FilesAsync()).Where(f => f.Dataset == dataset).Max(f => f.IngestedAt);
            Assert.Equal(last, await mirror.CursorAsync(PrimaryName, dataset));
        }
        Assert.Empty(mirror.StagedLeftovers());
        Assert.Equal(0, await ErrorDepthAsync(mirror));
    }

    [Fact]
    public async Task Files_added_to_the_primary_during_the_sync_arrive_with_a_later_poll()
    {
        var primary = await StartPrimaryAsync();
        await primary.IngestAsync(Samples(15));
        var mirror = await StartMirrorAsync("mirror", [primary], backgroundPoller: true);

        // While the mirror works through the first files, more arrive on the primary, in two waves.
        await Eventually.HoldsAsync(async () => (await mirror.FilesAsync()).Count > 0, "the mirror started fetching");
        await primary.IngestAsync(Samples(9));
        await primary.IngestAsync(Samples(6));

        await ConvergedAsync(primary, mirror, PrimaryName);
        Assert.Equal(30, (await mirror.FilesAsync()).Count);
    }

    [Fact]
    public async Task Reprocessed_files_on_the_primary_replace_the_mirror_copies()
    {
        var primary = await StartPrimaryAsync();
        var files = Samples(12);
        await primary.IngestAsync(files);
        var mirror = await StartMirrorAsync("mirror", [primary]);
        await mirror.PollAsync();
        await ConvergedAsync(primary, mirror, PrimaryName);
        var before = (await mirror.FilesAsync()).ToDictionary(f => f.Name);

        // The primary reprocesses four files: same names, new bytes.
        var reprocessed = files.Where((_, i) => i % 3 == 0).Select(f => Reprocessed(f)).ToList();
        var results = await primary.IngestAsync(reprocessed);
        Assert.All(results, r => Assert.Equal(HvMirror.Ingestion.IngestOutcome.Updated, r.Outcome));

        await mirror.PollAsync();
        await ConvergedAsync(primary, mirror, PrimaryName);

        var after = (await mirror.FilesAsync()).ToDictionary(f => f.Name);
        foreach (var file in reprocessed)
        {
            Assert.Equal(Checksum.Sha256Of(file.Content).ToString(), after[file.Name].Checksum);
            Assert.NotEqual(before[file.Name].Checksum, after[file.Name].Checksum);
            Assert.True(after[file.Name].IngestedAt > before[file.Name].IngestedAt, "a replaced file gets a new ingestion time, so chained mirrors see it");
            Assert.Equal(file.Content, await File.ReadAllBytesAsync(mirror.Archive.FullPath(after[file.Name].ArchivePath)));
        }
        foreach (var unchanged in files.Select(f => f.Name).Except(reprocessed.Select(r => r.Name)))
            Assert.Equal(before[unchanged].IngestedAt, after[unchanged].IngestedAt);
        await Eventually.HoldsAsync(
            () => Task.FromResult(mirror.Ingested.Messages.Count(m => m.Reason == FileNeedReason.Changed) == reprocessed.Count),
            () => Task.FromResult($"FileIngested(Changed): {mirror.Ingested.Messages.Count(m => m.Reason == FileNeedReason.Changed)}"));
        Assert.Empty(mirror.StagedLeftovers());
    }

    [Fact]
    public async Task A_chain_primary_to_mirror_a_to_mirror_b_converges()
    {
        var primary = await StartPrimaryAsync();
        await primary.IngestAsync(Samples(15));
        // Mirror A serves its own HAPI catalog; mirror B mirrors A, not the primary.
        var a = await StartMirrorAsync("mirror-a", [primary], backgroundPoller: true, hapi: true);
        var b = await StartMirrorAsync("mirror-b", [a], backgroundPoller: true);

        await ConvergedAsync(primary, a, PrimaryName);
        await ConvergedAsync(a, b, "mirror-a");
        // B holds the primary's bytes, and fetched them from A.
        var fromPrimary = (await primary.FilesAsync()).ToDictionary(f => f.Name, f => f.Checksum);
        Assert.All(await b.FilesAsync(), f => Assert.Equal(fromPrimary[f.Name], f.Checksum));
        Assert.True(a.Spec.Faults!.TotalGets >= fromPrimary.Count, $"mirror-b downloaded {a.Spec.Faults.TotalGets} files from mirror-a");

        // A reprocessing on the primary travels down the chain.
        var changed = Reprocessed(SampleOf(await primary.FilesAsync(), 0));
        await primary.IngestAsync([changed]);
        await ConvergedAsync(primary, a, PrimaryName);
        await ConvergedAsync(a, b, "mirror-a");
        Assert.Equal(Checksum.Sha256Of(changed.Content).ToString(), (await b.FilesAsync()).Single(f => f.Name == changed.Name).Checksum);
    }

    [Fact]
    public async Task Two_fetcher_instances_share_the_work_and_no_file_is_registered_twice()
    {
        var primary = await StartPrimaryAsync();
        await primary.IngestAsync(Samples(60));
        var one = await StartMirrorAsync("fetcher-1", [primary]);
        // A second fetcher process: same virtual host, catalog and (shared) archive volume.
        var two = await StartMirrorAsync("fetcher-2", [primary], poller: false, comparer: false,
            vhost: one.Spec.RabbitMq, catalog: one.Spec.Catalog, archive: one.Spec.Archive);

        await one.PollAsync();
        await ConvergedAsync(primary, one, PrimaryName);
        await QueuesDrainedAsync(one);

        Output.WriteLine($"downloads: fetcher-1 {one.Downloads.Count}, fetcher-2 {two.Downloads.Count}");
        Assert.True(one.Downloads.Count > 0, "fetcher-1 took no work");
        Assert.True(two.Downloads.Count > 0, "fetcher-2 took no work");
        Assert.Equal(60, one.Downloads.Count + two.Downloads.Count);
        Assert.Equal(60, primary.Spec.Faults!.TotalGets);
        await Eventually.HoldsAsync(
            () => Task.FromResult(one.Ingested.Messages.Count + two.Ingested.Messages.Count >= 60),
            "every FileIngested recorded");
        var ingested = one.Ingested.Messages.Concat(two.Ingested.Messages).GroupBy(m => m.Name).ToList();
        Assert.Equal(60, ingested.Count);
        Assert.All(ingested, g => Assert.Single(g));
    }

    [Fact]
    public async Task A_duplicate_FileNeeded_gives_one_download()
    {
        var primary = await StartPrimaryAsync();
        await primary.IngestAsync(Samples(1, ["AIA_171"]));
        var file = (await primary.FilesAsync()).Single();
        var mirror = await StartMirrorAsync("mirror", [primary], poller: false, comparer: false);
        var needed = new FileNeeded(PrimaryName, file.Dataset, file.Name, file.Checksum, new Uri($"{primary.BaseUrl}/jp2/{file.ArchivePath}"),
            file.IngestedAt, FileNeedReason.New, null);

        // Two copies at once (a replayed poll), then a third once the file is held.
        var bus = mirror.Services.GetRequiredService<IBus>();
        await Task.WhenAll(bus.Publish(needed), bus.Publish(needed));
        await Eventually.HoldsAsync(() => Task.FromResult(mirror.Consumed.FileNeededDone + mirror.Consumed.FileNeededFaulted >= 2), "both copies consumed");
        await bus.Publish(needed);
        await Eventually.HoldsAsync(() => Task.FromResult(mirror.Consumed.FileNeededDone + mirror.Consumed.FileNeededFaulted >= 3), "the third copy consumed");

        Assert.Equal(0, mirror.Consumed.FileNeededFaulted);
        Assert.Equal(1, primary.Spec.Faults!.GetsOf(file.Name));
        Assert.Null(await DifferenceAsync(primary, mirror, PrimaryName));
        await Eventually.HoldsAsync(() => Task.FromResult(mirror.Ingested.Messages.Count >= 1), "FileIngested recorded");
        Assert.Single(mirror.Ingested.Messages);
    }

    [Fact]
    public async Task A_corrupt_body_is_never_registered_stays_on_the_work_list_and_arrives_by_itself_once_the_upstream_serves_it_right()
    {
        var faults = new UpstreamFaults();
        var primary = await StartPrimaryAsync(faults);
        var files = Samples(6);
        await primary.IngestAsync(files);
        var corrupt = files[2];
        // The primary's catalog says one checksum; the bytes it serves are another valid JP2 of the same size.
        faults.WrongBodies[corrupt.Name] = Reprocessed(corrupt, "corrupted").Content;
        var mirror = await StartMirrorAsync("mirror", [primary], backgroundPoller: true, settings: new()
        {
            ["HvMirror:WorkList:FirstRetry"] = "00:00:02",
            ["HvMirror:WorkList:RedriveInterval"] = "00:00:00.500",
        });
        var workList = mirror.Services.GetRequiredService<WorkList>();

        await ConvergedAsync(primary, mirror, PrimaryName, except: [corrupt.Name]);
        await Eventually.HoldsAsync(async () => (await workList.ListAsync(10, default)).SingleOrDefault()?.Attempts >= 1,
            async () => $"work list: {string.Join("; ", (await workList.ListAsync(10, default)).Select(w => $"{w.Name} {w.Attempts} {w.LastError}"))}");

        var entry = (await workList.ListAsync(10, default)).Single();
        Assert.Equal(corrupt.Name, entry.Name);
        Assert.Contains("checksum mismatch", entry.LastError);
        Assert.True(faults.GetsOf(corrupt.Name) >= 3); // HvMirror:Fetcher:Attempts in-process, then the work list
        Assert.DoesNotContain(await mirror.FilesAsync(), f => f.Name == corrupt.Name);
        var path = mirror.Archive.FullPath(ArchivePath.For(corrupt.Source, HelioviewerFileName.Parse(corrupt.Name, DataSources.Helioviewer)));
        Assert.False(File.Exists(path), $"{path} must not exist");
        Assert.Empty(mirror.StagedLeftovers());
        Assert.Equal(0, await ErrorDepthAsync(mirror)); // remembered in the catalog, not parked in file-needed_error

        faults.WrongBodies.TryRemove(corrupt.Name, out _);
        await ConvergedAsync(primary, mirror, PrimaryName);
        Assert.Equal(corrupt.Content, await File.ReadAllBytesAsync(path));
        await Eventually.HoldsAsync(async () => (await workList.ListAsync(10, default)).Count == 0, async () => "the work list still holds the file");
    }

    [Fact]
    public async Task An_upstream_failing_with_500s_for_a_while_is_recovered_from()
    {
        var faults = new UpstreamFaults();
        var primary = await StartPrimaryAsync(faults);
        await primary.IngestAsync(Samples(8));
        faults.FailNext(4);
        var mirror = await StartMirrorAsync("mirror", [primary], settings: new() { ["HvMirror:Fetcher:Attempts"] = "5" });

        await mirror.PollAsync();
        await ConvergedAsync(primary, mirror, PrimaryName);

        Assert.Equal(4, faults.Failed);
        Assert.Equal(8 + 4, faults.TotalGets);
        await QueuesDrainedAsync(mirror);
        Assert.Equal(0, await ErrorDepthAsync(mirror));
        Assert.Empty(mirror.StagedLeftovers());
    }

    private static DateTime Micro(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);

    private static SampleFile SampleOf(IReadOnlyList<HvMirror.Catalog.CatalogFile> files, int index)
    {
        var name = HelioviewerFileName.Parse(files[index].Name, DataSources.Helioviewer);
        return SampleFiles.Create(DataSources.Helioviewer, name.Source!, name.ObservationTime, 8_000);
    }
}
