using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Helioviewer;
using HvMirror.Ingestion;
using HvMirror.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HvMirror.HelioviewerWriter.Tests;

/// <summary>
/// `hvmirror helioviewer reconcile`: the catalog (SQLite here) and the archive of a mirror against the rows of a real
/// MariaDB, each kind of difference found, then repaired.
/// </summary>
public sealed class HelioviewerReconcilerTests(MariaDbServer server) : IClassFixture<MariaDbServer>, IDisposable
{
    private const string Written = "2021_01_06__00_01_41_130__SDO_AIA_AIA_304.jp2";
    private const string NeverWritten = "2023_12_01__00_06_07_373__SOHO_LASCO_C3_white-light.jp2";
    private const string StaleOne = "2024_04_16__11_15_41_129__SDO_AIA_AIA_304.jp2";
    private const string GoneOne = "2024_04_16__11_15_53_129__SDO_AIA_AIA_304.jp2";

    private readonly WriterWorkspace _workspace = new();

    [Fact]
    public async Task Missing_gone_and_stale_rows_are_each_found_and_repaired()
    {
        var helioviewer = await HelioviewerServer.CreateAsync(await server.CreateDatabaseAsync("reconcile"), _workspace.Archive.Root);
        var contexts = new CatalogDbContextFactory(CatalogConnection.ForSqliteFile(_workspace.Archive.DefaultSqliteCatalog));
        await CatalogMigrator.MigrateAsync(contexts);
        var ingester = new ArchiveIngester(_workspace.Archive, new FileRegistry(contexts, new IngestionClock(TimeProvider.System)), DataSources.Helioviewer);
        foreach (var name in RealJp2Files.All)
        {
            var ingested = await ingester.IngestFileAsync(_workspace.Archive.FullPath(WriterWorkspace.ArchivePathOf(name)), default);
            // The one real file that is no decodable JPEG 2000 (no jp2c box) is refused by HvMirror too, as by Helioviewer.
            Assert.True(ingested.Outcome != IngestOutcome.Rejected || ingested.Reason!.Contains("jp2c"), $"{name}: {ingested.Reason}");
        }

        // What a writer that crashed now and then would leave: most rows written, one never, one replaced file under its
        // old row, and a row whose file is not in the archive.
        var writer = new HelioviewerRowWriter(helioviewer.Database, _workspace.Archive, DataSources.Helioviewer, new TileCache(_workspace.CacheDir),
            NullLogger<HelioviewerRowWriter>.Instance);
        await writer.WriteAsync(RealJp2Files.All.Where(n => n != NeverWritten).Select(n => new HelioviewerFile(n, WriterWorkspace.ArchivePathOf(n), false)).ToList(), default);
        var staleId = (await helioviewer.RowsAsync()).Single(r => r.Row.Filename == StaleOne).Id;
        var stalePath = _workspace.Archive.FullPath(WriterWorkspace.ArchivePathOf(StaleOne));
        await File.WriteAllBytesAsync(stalePath, RealJp2Files.Reprocessed(await File.ReadAllBytesAsync(stalePath)));
        var staleTile = _workspace.AddTile(RealJp2Files.ExpectedRows[StaleOne], "0_0_1");
        await helioviewer.Database.UpsertAsync([RealJp2Files.ExpectedRows[StaleOne] with { Filename = GoneOne }]);
        var rowsBefore = await helioviewer.RowsAsync();

        var reconciler = new HelioviewerReconciler(helioviewer.Database, contexts, _workspace.Archive, DataSources.Helioviewer, new TileCache(_workspace.CacheDir));
        var found = await reconciler.ReconcileAsync(["*"], repair: false, _ => { }, default);

        var differences = found.SelectMany(r => r.Differences).ToList();
        Assert.Equal(
            [(HelioviewerDifferenceKind.Missing, NeverWritten), (HelioviewerDifferenceKind.Gone, GoneOne), (HelioviewerDifferenceKind.Stale, StaleOne)],
            differences.Select(d => (d.Kind, d.FileName)).Order());
        Assert.Contains("DSUN_OBS", differences.Single(d => d.Kind == HelioviewerDifferenceKind.Stale).Detail, StringComparison.Ordinal);
        Assert.Equal(3, found.Sum(r => r.DifferenceCount));
        // Of the two files Helioviewer refuses, the catalog holds only the MDI one: the other is no JPEG 2000 and never got in.
        Assert.Equal(RealJp2Files.Refused.Where(n => n.Contains("MDI")), found.SelectMany(r => r.Refused).Select(r => r.Split(':')[0]).Order());
        Assert.Equal(rowsBefore, await helioviewer.RowsAsync()); // without --repair nothing is written

        var repaired = await reconciler.ReconcileAsync(["*"], repair: true, _ => { }, default);
        Assert.Equal(3, repaired.Sum(r => r.Repaired));

        var again = await reconciler.ReconcileAsync(["*"], repair: false, _ => { }, default);
        Assert.Equal(0, again.Sum(r => r.DifferenceCount));
        var rows = await helioviewer.RowsAsync();
        Assert.DoesNotContain(rows, r => r.Row.Filename == GoneOne);
        Assert.Equal(RealJp2Files.ExpectedRows[NeverWritten], rows.Single(r => r.Row.Filename == NeverWritten).Row);
        var stale = rows.Single(r => r.Row.Filename == StaleOne);
        Assert.Equal(staleId, stale.Id);
        Assert.Equal(HelioviewerDataRowReader.Read(stalePath, DataSources.Helioviewer), stale.Row);
        Assert.False(File.Exists(staleTile));
        // The gone row's bin counts only what is left; the missing file's source is enabled.
        var coverage = await helioviewer.CoverageAsync();
        var aiaBin = HelioviewerDatabase.CoverageBinOf(RealJp2Files.ExpectedRows[StaleOne].Date);
        Assert.Equal(1, coverage.Single(c => c.Bin == aiaBin && c.SourceId == 13).Count);
        Assert.Contains(RealJp2Files.ExpectedRows[NeverWritten].SourceId, await helioviewer.EnabledSourcesAsync());
    }

    [Fact]
    public async Task Only_the_datasets_asked_for_are_compared()
    {
        var helioviewer = await HelioviewerServer.CreateAsync(await server.CreateDatabaseAsync("reconcile"), _workspace.Archive.Root);
        var contexts = new CatalogDbContextFactory(CatalogConnection.ForSqliteFile(_workspace.Archive.DefaultSqliteCatalog));
        await CatalogMigrator.MigrateAsync(contexts);
        var ingester = new ArchiveIngester(_workspace.Archive, new FileRegistry(contexts, new IngestionClock(TimeProvider.System)), DataSources.Helioviewer);
        foreach (var name in RealJp2Files.All)
            await ingester.IngestFileAsync(_workspace.Archive.FullPath(WriterWorkspace.ArchivePathOf(name)), default);

        var reconciler = new HelioviewerReconciler(helioviewer.Database, contexts, _workspace.Archive, DataSources.Helioviewer, null);
        var results = await reconciler.ReconcileAsync(["AIA_*"], repair: false, _ => { }, default);

        Assert.Equal(["AIA_304"], results.Select(r => r.Source));
        Assert.Equal(2, results.Single().MissingCount);
    }

    public void Dispose() => _workspace.Dispose();
}
