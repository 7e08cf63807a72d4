using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Helioviewer;
using HvMirror.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HvMirror.Follower.Tests;

[CollectionDefinition(Name)]
public sealed class FollowerCollection : ICollectionFixture<MariaDbServer>, ICollectionFixture<PostgresServer>
{
    public const string Name = "follower";
}

/// <summary>
/// The follower tailing a Helioviewer database (real MariaDB, rows inserted the way hvpull inserts them, the real files
/// at jp2_dir + filepath + filename) into a PostgreSQL catalog.
/// </summary>
[Collection(FollowerCollection.Name)]
public sealed class FollowerTests(MariaDbServer mariaDb, PostgresServer postgres) : IAsyncLifetime
{
    private const string Aia2024 = "2024_04_16__11_15_41_129__SDO_AIA_AIA_304.jp2";
    private const string Aia2021 = "2021_01_06__00_01_41_130__SDO_AIA_AIA_304.jp2";
    private const string Lasco = "2023_12_01__00_06_07_373__SOHO_LASCO_C3_white-light.jp2";

    private readonly string _root = Directory.CreateTempSubdirectory("hvmirror-follower-tests-").FullName;
    private readonly List<ServiceProvider> _providers = [];
    private HelioviewerServer _helioviewer = null!;
    private string _catalog = null!;

    public async Task InitializeAsync()
    {
        _helioviewer = await HelioviewerServer.CreateAsync(await mariaDb.CreateDatabaseAsync("follower"), Path.Combine(_root, "jp2"));
        _catalog = await postgres.CreateDatabaseAsync("follower");
    }

    [Fact]
    public async Task Each_row_s_file_is_registered_in_place_with_a_fresh_ingestion_time()
    {
        var ids = new List<long>();
        foreach (var row in RealJp2Files.ExpectedRows.Values.OrderBy(r => r.Filename)) ids.Add(await _helioviewer.IngestLikeHvpullAsync(row));
        var written = RealJp2Files.ExpectedRows.Values.ToDictionary(r => r.Filename, r => File.GetLastWriteTimeUtc(_helioviewer.PathOf(r)));
        var started = DateTime.UtcNow;
        var follower = await FollowerAsync();

        var pass = await follower.CatchUpAsync(null, TimeSpan.Zero, default);

        Assert.Equal(RealJp2Files.ExpectedRows.Count, pass.Totals.Added);
        Assert.Equal(ids.Max(), pass.LastRowId);
        Assert.Equal(ids.Max(), await follower.CursorAsync(default));
        var files = await FilesAsync();
        Assert.Equal(RealJp2Files.ExpectedRows.Keys.Order(), files.Select(f => f.Name));
        foreach (var file in files)
        {
            var row = RealJp2Files.ExpectedRows[file.Name];
            Assert.Equal($"{row.Filepath.TrimStart('/')}/{row.Filename}", file.ArchivePath);
            var bytes = await File.ReadAllBytesAsync(_helioviewer.PathOf(row));
            Assert.Equal(Checksum.Sha256Of(bytes).ToString(), file.Checksum);
            Assert.Equal(bytes.Length, file.Size);
            Assert.True(file.IngestedAt >= started.AddSeconds(-1), "a fresh ingestion time");
            Assert.Null(file.Upstream);
            // In place: the file was not rewritten, and nothing else appeared in the archive.
            Assert.Equal(written[file.Name], File.GetLastWriteTimeUtc(_helioviewer.PathOf(row)));
        }
        Assert.Equal(RealJp2Files.ExpectedRows.Count, Directory.GetFiles(_helioviewer.Jp2Dir, "*", SearchOption.AllDirectories).Length);

        // Caught up: reading again finds nothing and changes nothing.
        var again = await follower.CatchUpAsync(null, TimeSpan.Zero, default);
        Assert.Equal(0, again.Totals.Rows);
        Assert.Equal(files.Select(f => (f.Name, f.IngestedAt)), (await FilesAsync()).Select(f => (f.Name, f.IngestedAt)));
    }

    [Fact]
    public async Task A_refill_deleting_and_re_inserting_a_row_with_new_bytes_is_a_reprocessed_file()
    {
        var row = RealJp2Files.ExpectedRows[Aia2024];
        await _helioviewer.IngestLikeHvpullAsync(row);
        await _helioviewer.IngestLikeHvpullAsync(RealJp2Files.ExpectedRows[Aia2021]);
        var follower = await FollowerAsync();
        await follower.CatchUpAsync(null, TimeSpan.Zero, default);
        var before = (await FilesAsync()).Single(f => f.Name == Aia2024);

        // Helioviewer's refill: the rows of a range are deleted, the reprocessed files downloaded over the old ones and inserted again.
        await _helioviewer.DeleteRowAsync(row);
        var reprocessed = RealJp2Files.Reprocessed(await File.ReadAllBytesAsync(RealJp2Files.PathOf(Aia2024)));
        var newId = await _helioviewer.IngestLikeHvpullAsync(row, reprocessed);
        var pass = await follower.CatchUpAsync(null, TimeSpan.Zero, default);

        Assert.Equal(1, pass.Totals.Replaced);
        Assert.Equal(newId, pass.LastRowId);
        var after = (await FilesAsync()).Single(f => f.Name == Aia2024);
        Assert.Equal(Checksum.Sha256Of(reprocessed).ToString(), after.Checksum);
        Assert.NotEqual(before.Checksum, after.Checksum);
        Assert.True(after.IngestedAt > before.IngestedAt, "a new HAPI Time, so mirrors fetch it again");
        Assert.Equal(before.Id, after.Id);
    }

    [Fact]
    public async Task Bytes_changed_under_an_unchanged_row_are_found_by_the_periodic_rehash()
    {
        foreach (var row in RealJp2Files.ExpectedRows.Values) await _helioviewer.IngestLikeHvpullAsync(row);
        var follower = await FollowerAsync();
        await follower.CatchUpAsync(null, TimeSpan.Zero, default);
        var before = (await FilesAsync()).ToDictionary(f => f.Name);

        // A reprocessed file copied over the old one; the row stays as it was (what Helioviewer's own ingestion would leave).
        var path = _helioviewer.PathOf(RealJp2Files.ExpectedRows[Aia2024]);
        await File.WriteAllBytesAsync(path, RealJp2Files.Reprocessed(await File.ReadAllBytesAsync(path)));
        var quick = await follower.RehashAsync(full: false, default);

        Assert.Equal(RealJp2Files.ExpectedRows.Count, quick.Checked);
        Assert.Equal(1, quick.Hashed); // only the file written after its registration is read
        Assert.Equal(1, quick.Changed);
        var after = (await FilesAsync()).ToDictionary(f => f.Name);
        Assert.Equal(Checksum.Sha256Of(await File.ReadAllBytesAsync(path)).ToString(), after[Aia2024].Checksum);
        Assert.True(after[Aia2024].IngestedAt > before[Aia2024].IngestedAt);
        Assert.All(after.Values.Where(f => f.Name != Aia2024), f => Assert.Equal(before[f.Name].IngestedAt, f.IngestedAt));

        // Bytes changed with size and modification time kept (cp -p, rsync -a) only a full re-hash can see.
        var lasco = _helioviewer.PathOf(RealJp2Files.ExpectedRows[Lasco]);
        var time = File.GetLastWriteTimeUtc(lasco);
        var bytes = await File.ReadAllBytesAsync(lasco);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(lasco, bytes);
        File.SetLastWriteTimeUtc(lasco, time);
        Assert.Equal(0, (await follower.RehashAsync(full: false, default)).Changed);
        var full = await follower.RehashAsync(full: true, default);
        Assert.Equal(RealJp2Files.ExpectedRows.Count, full.Hashed);
        Assert.Equal(1, full.Changed);
        Assert.Equal(Checksum.Sha256Of(bytes).ToString(), (await FilesAsync()).Single(f => f.Name == Lasco).Checksum);
        var (rehash, fullRehash) = await follower.LastRehashAsync(default);
        Assert.NotNull(rehash);
        Assert.Equal(rehash, fullRehash);
    }

    [Fact]
    public async Task A_row_whose_file_is_missing_or_not_a_JP2_is_skipped_never_blocks_the_rows_after_it_and_is_retried_later()
    {
        var missing = RealJp2Files.ExpectedRows[Aia2021];
        var missingId = await _helioviewer.InsertRowAsync(missing);          // the row before its file (or a file removed since)
        var garbage = RealJp2Files.ExpectedRows[Lasco];
        var garbageId = await _helioviewer.IngestLikeHvpullAsync(garbage, "not a jpeg 2000 file"u8.ToArray());
        var goodId = await _helioviewer.IngestLikeHvpullAsync(RealJp2Files.ExpectedRows[Aia2024]);
        var follower = await FollowerAsync();

        var pass = await follower.CatchUpAsync(null, TimeSpan.Zero, default);

        Assert.Equal(goodId, pass.LastRowId);
        Assert.Equal([Aia2024], (await FilesAsync()).Select(f => f.Name));
        Assert.Equal([missingId, garbageId], pass.Skipped.Select(s => s.RowId));
        Assert.Contains("is not at", pass.Skipped[0].Reason, StringComparison.Ordinal);
        Assert.Contains("JPEG 2000", pass.Skipped[1].Reason, StringComparison.Ordinal);
        var waiting = await follower.SkippedAsync(default);
        Assert.Equal([missingId, garbageId], waiting.Select(s => s.RowId));
        Assert.All(waiting, s => Assert.True(s.NextAttemptAt > DateTime.UtcNow, "retried later, not at once"));

        // Not due yet: nothing is tried. Then the file arrives, and the garbage row is deleted (Helioviewer cleaned it up).
        Assert.Equal(0, (await follower.RetrySkippedAsync(all: false, default)).Totals.Rows);
        var path = _helioviewer.PathOf(missing);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(RealJp2Files.PathOf(missing.Filename), path);
        await _helioviewer.DeleteRowAsync(garbage);
        var retried = await follower.RetrySkippedAsync(all: true, default);

        Assert.Equal(1, retried.Totals.Added);
        Assert.Empty(retried.Skipped);
        Assert.Empty(await follower.SkippedAsync(default));
        Assert.Equal([Aia2021, Aia2024], (await FilesAsync()).Select(f => f.Name));
    }

    [Fact]
    public async Task A_backfill_interrupted_after_a_batch_resumes_from_its_cursor()
    {
        var rows = RealJp2Files.ExpectedRows.Values.OrderBy(r => r.Filename).ToList();
        foreach (var row in rows) await _helioviewer.IngestLikeHvpullAsync(row);
        var follower = await FollowerAsync(batchSize: 2);
        var reports = new List<FollowProgress>();

        // The process dies after its first batch (here: the progress report after it throws).
        await Assert.ThrowsAsync<InvalidOperationException>(() => follower.CatchUpAsync(p =>
        {
            reports.Add(p);
            throw new InvalidOperationException("crash");
        }, TimeSpan.Zero, default));
        Assert.Equal(2, (await FilesAsync()).Count);
        var firstTwo = (await FilesAsync()).ToDictionary(f => f.Name, f => f.IngestedAt);
        Assert.Equal(2, reports.Single().Rows);
        Assert.Equal(rows.Count - 2, reports.Single().Remaining);
        Assert.NotNull(reports.Single().Eta);

        var restarted = await FollowerAsync(batchSize: 2);
        var progress = new List<FollowProgress>();
        var pass = await restarted.CatchUpAsync(progress.Add, TimeSpan.Zero, default);

        Assert.Equal(rows.Count - 2, pass.Totals.Rows);
        Assert.Equal(rows.Count - 2, pass.Totals.Added);
        Assert.Equal(rows.Select(r => r.Filename).Order(), (await FilesAsync()).Select(f => f.Name));
        var now = (await FilesAsync()).ToDictionary(f => f.Name, f => f.IngestedAt);
        Assert.All(firstTwo, f => Assert.Equal(f.Value, now[f.Key])); // the batch done before the crash is not done again
        Assert.True(progress[^1].FilesPerSecond > 0 && progress[^1].MegabytesPerSecond > 0);
    }

    private async Task<HelioviewerFollower> FollowerAsync(int batchSize = 500)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HvMirror:Archive"] = _helioviewer.Jp2Dir,
            ["ConnectionStrings:Catalog"] = _catalog,
            ["HvMirror:Helioviewer:Database"] = _helioviewer.ConnectionString,
            ["HvMirror:Follower:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCatalog(configuration);
        services.AddFollower(configuration, inBackground: false);
        var provider = services.BuildServiceProvider(validateScopes: true);
        _providers.Add(provider);
        await CatalogMigrator.MigrateAsync(provider.GetRequiredService<CatalogDbContextFactory>());
        return provider.GetRequiredService<HelioviewerFollower>();
    }

    private async Task<List<CatalogFile>> FilesAsync()
    {
        await using var db = new CatalogDbContextFactory(CatalogConnection.Parse(_catalog)).CreateDbContext();
        return await db.Files.AsNoTracking().OrderBy(f => f.Name).ToListAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers) await provider.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
