using HvMirror.Archive;
using HvMirror.Helioviewer;
using HvMirror.Node;
using HvMirror.Testing;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// Issue 8 end to end: Helioviewer server A (its MariaDB with the real files' rows as hvpull writes them, the files in
/// its jp2_dir) → a primary following A's database → its HAPI server → a mirror (poller, comparer, fetcher and the
/// Helioviewer writer, over RabbitMQ) writing into Helioviewer server B's database. Then a refill on A while B's MariaDB
/// is down.
/// </summary>
[Collection(MirrorCollection.Name)]
public sealed class HelioviewerEndToEndTests(PostgresServer postgres, RabbitMqBroker rabbit, MariaDbServer mariaDbA, PausableMariaDbServer mariaDbB, ITestOutputHelper output)
    : MirrorTestBase(postgres, rabbit, output), IClassFixture<MariaDbServer>, IClassFixture<PausableMariaDbServer>
{
    private const string Aia2024 = "2024_04_16__11_15_41_129__SDO_AIA_AIA_304.jp2";
    private const string Aia2021 = "2021_01_06__00_01_41_130__SDO_AIA_AIA_304.jp2";

    [Fact]
    public async Task A_Helioviewer_server_s_files_reach_another_Helioviewer_server_row_for_row_and_a_refill_updates_them_in_place_across_an_outage()
    {
        var a = await HelioviewerServer.CreateAsync(await mariaDbA.CreateDatabaseAsync("server_a"), Path.Combine(Root, "a-jp2"));
        var b = await HelioviewerServer.CreateAsync(await mariaDbB.CreateDatabaseAsync("server_b"), Path.Combine(Root, "b-jp2"));
        foreach (var row in RealJp2Files.ExpectedRows.Values.OrderBy(r => r.Date)) await a.IngestLikeHvpullAsync(row);

        var primary = await TestNode.StartAsync(new NodeSpec
        {
            Name = "helioviewer-a",
            Catalog = await Postgres.CreateDatabaseAsync("helioviewer_a"),
            Archive = a.Jp2Dir,
            Hapi = true,
            ExtraRoles = NodeRoles.Follower,
            Settings = new()
            {
                ["HvMirror:Helioviewer:Database"] = a.ConnectionString,
                ["HvMirror:Follower:PollInterval"] = "00:00:00.200",
            },
        }, Output);
        Track(primary);
        var mirror = await StartMirrorAsync("helioviewer-b", [primary], backgroundPoller: true, archive: b.Jp2Dir, settings: new()
        {
            ["HvMirror:Helioviewer:Database"] = b.ConnectionString,
            ["HvMirror:Helioviewer:CacheDir"] = Path.Combine(Root, "b-cache"),
            ["HvMirror:Helioviewer:RetryDelay"] = "00:00:00.200",
            ["HvMirror:Helioviewer:MaxRetryDelay"] = "00:00:01",
        }, extraRoles: NodeRoles.HelioviewerWriter);

        // 1. Everything hvpull ingested on A shows in Helioviewer B: the same rows but for their ids, the same bytes, enabled sources.
        await ConvergedAsync(a, b);
        var rowsB = await b.RowsAsync();
        Assert.Equal(RealJp2Files.ExpectedRows.Count, rowsB.Count);
        Assert.Equal((await a.RowsAsync()).Select(r => r.Row.SourceId).Distinct().Order(), await b.EnabledSourcesAsync());

        // 2. A refill on A (rows deleted, reprocessed files downloaded over the old ones, rows inserted again with new ids,
        //    as Helioviewer's own ingestion computes them) while B's MariaDB is down.
        var idsB = rowsB.ToDictionary(r => r.Row.Filename, r => r.Id);
        var tile = AddTile(Path.Combine(Root, "b-cache"), RealJp2Files.ExpectedRows[Aia2024]);
        await mariaDbB.PauseAsync();
        var refilled = new Dictionary<string, string>();
        try
        {
            foreach (var (name, digit) in new[] { (Aia2024, '7'), (Aia2021, '3') })
            {
                var old = RealJp2Files.ExpectedRows[name];
                await a.DeleteRowAsync(old);
                var bytes = RealJp2Files.Reprocessed(await File.ReadAllBytesAsync(RealJp2Files.PathOf(name)), digit);
                var path = a.PathOf(old);
                await File.WriteAllBytesAsync(path, bytes);
                await a.InsertRowAsync(HelioviewerDataRowReader.Read(path, DataSources.Helioviewer));
                refilled[name] = Checksum.Sha256Of(bytes).ToString();
            }
            // The mirror fetches the new bytes while the writer waits for B's database, retrying.
            await Eventually.HoldsAsync(async () =>
            {
                var files = await mirror.FilesAsync();
                return refilled.All(r => files.Any(f => f.Name == r.Key && f.Checksum == r.Value));
            }, "the mirror fetched the refilled files");
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await mariaDbB.ResumeAsync();
        }

        // 3. Nothing was lost: B's rows are A's new rows, each in place (same id as before), its stale tiles gone.
        await ConvergedAsync(a, b);
        Assert.Equal(idsB, (await b.RowsAsync()).ToDictionary(r => r.Row.Filename, r => r.Id));
        Assert.False(File.Exists(tile), "the replaced file's cached tiles are removed");
        Assert.Equal(0, await ErrorDepthAsync(mirror, "helioviewer-writer_error"));
    }

    /// <summary>Waits until B holds A's rows (every column but id), their coverage counts and A's files byte for byte.</summary>
    private static Task ConvergedAsync(HelioviewerServer a, HelioviewerServer b)
    {
        string? last = null;
        return Eventually.HoldsAsync(async () => (last = await DifferenceAsync(a, b)) is null,
            () => Task.FromResult($"Helioviewer B differs from A: {last}"), TimeSpan.FromSeconds(90));
    }

    private static async Task<string?> DifferenceAsync(HelioviewerServer a, HelioviewerServer b)
    {
        var rowsA = (await a.RowsAsync()).Select(r => r.Row).OrderBy(r => r.Filename).ToList();
        var rowsB = (await b.RowsAsync()).Select(r => r.Row).OrderBy(r => r.Filename).ToList();
        if (!rowsA.SequenceEqual(rowsB))
            return $"A has {rowsA.Count} rows, B {rowsB.Count}; first differing: " +
                   $"{rowsA.Except(rowsB).FirstOrDefault()?.Filename ?? rowsB.Except(rowsA).FirstOrDefault()?.Filename}";
        // A batch's coverage counts are written after its rows: part of converging, not a snapshot taken beside it.
        var coverageA = await a.CoverageOfRowsAsync();
        var coverageB = await b.CoverageAsync();
        if (!coverageA.SequenceEqual(coverageB))
            return $"coverage differs: A's rows count {coverageA.Count} bins, B has {coverageB.Count}; first differing: " +
                   $"{coverageA.Except(coverageB).Concat(coverageB.Except(coverageA)).FirstOrDefault()}";
        foreach (var row in rowsA)
        {
            if (!File.Exists(b.PathOf(row))) return $"{row.Filename} is not in B's archive at {b.PathOf(row)}";
            var bytesA = await File.ReadAllBytesAsync(a.PathOf(row));
            var bytesB = await File.ReadAllBytesAsync(b.PathOf(row));
            if (!bytesA.AsSpan().SequenceEqual(bytesB))
                return $"{row.Filename} differs between A and B";
        }
        return null;
    }

    private static string AddTile(string cacheDir, HelioviewerDataRow row)
    {
        var folder = Path.Combine(cacheDir, "tiles", row.Filepath.TrimStart('/'));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, Path.GetFileNameWithoutExtension(row.Filename) + "_0_0_1.jpg");
        File.WriteAllBytes(path, [1]);
        return path;
    }
}
