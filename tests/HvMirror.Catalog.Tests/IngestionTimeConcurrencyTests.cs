using System.Collections.Concurrent;
using HvMirror.Catalog;
using HvMirror.Testing;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.Catalog.Tests;

/// <summary>
/// The promise mirrors rely on: a reader that has seen every record before a horizon never later finds a new record
/// before it, while many registrations run at once. Writers hold their transaction open for a while after taking their
/// time (as a real ingest does while it moves the file), which is exactly when a naive reader would skip them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class IngestionTimeConcurrencyTests(PostgresServer postgres)
{
    private const string Dataset = "AIA_171";

    [Theory]
    [InlineData(CatalogProvider.PostgreSql, 8, 40)]
    [InlineData(CatalogProvider.Sqlite, 4, 50)]
    public async Task A_reader_following_the_horizon_sees_every_concurrent_registration_exactly_once(
        CatalogProvider provider, int writers, int filesPerWriter)
    {
        var contexts = await CatalogUnderTest.CreateAsync(provider, postgres);
        var registry = new FileRegistry(contexts, IngestionClock.System);
        // The dataset exists before the race starts, as it does on any node that has ingested once.
        await registry.RegisterAsync(CatalogUnderTest.Registration("seed.jp2", Dataset), CatalogUnderTest.NothingToPlace, default);

        using var writersDone = new CancellationTokenSource();
        var writerTasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < filesPerWriter; i++)
            {
                var delay = random.Next(0, 8);
                await registry.RegisterAsync(CatalogUnderTest.Registration($"w{w}_f{i}.jp2", Dataset),
                    ct => Task.Delay(delay, ct), default);
                // A pause between registrations, as between real files: SQLite's single write lock would otherwise pass
                // from writer to writer and starve the reader, and the race would go unexercised.
                await Task.Delay(1);
            }
        })).ToArray();

        var seen = new ConcurrentDictionary<string, int>();
        var cursor = DateTime.UnixEpoch;
        var readsDuringWrites = 0;
        var allWritten = Task.WhenAll(writerTasks);
        while (true)
        {
            var finished = allWritten.IsCompleted;
            cursor = await ReadUpToHorizonAsync(contexts, cursor, seen);
            if (finished) break;
            readsDuringWrites++;
        }
        await allWritten;

        await using var db = contexts.CreateDbContext();
        var all = await db.Files.Where(f => f.Dataset == Dataset).Select(f => f.Name).ToListAsync();
        Assert.Equal(writers * filesPerWriter + 1, all.Count);
        Assert.True(readsDuringWrites >= 1, $"the reader read only {readsDuringWrites} times during the writes: the test did not exercise the race");
        Assert.Empty(all.Except(seen.Keys));
        Assert.All(seen, pair => Assert.True(pair.Value == 1, $"{pair.Key} was read {pair.Value} times"));
    }

    private static async Task<DateTime> ReadUpToHorizonAsync(
        CatalogDbContextFactory contexts, DateTime cursor, ConcurrentDictionary<string, int> seen)
    {
        await using var db = contexts.CreateDbContext();
        var horizon = await IngestionClock.System.HorizonAsync(db, Dataset, default);
        var names = await db.Files.AsNoTracking()
            .Where(f => f.Dataset == Dataset && f.IngestedAt >= cursor && f.IngestedAt < horizon)
            .Select(f => f.Name).ToListAsync();
        foreach (var name in names) seen.AddOrUpdate(name, 1, (_, count) => count + 1);
        return horizon;
    }
}
