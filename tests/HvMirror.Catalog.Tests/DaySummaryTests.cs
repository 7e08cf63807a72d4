using HvMirror.Catalog;
using HvMirror.Testing;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.Catalog.Tests;

/// <summary>
/// The <c>day_summaries</c> FileRegistry keeps inside each registration and removal always equal what
/// <see cref="DaySummaries.RebuildAsync"/> and <see cref="DaySummaries.DigestOf"/> compute from the files, on both providers.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DaySummaryTests(PostgresServer postgres)
{
    public static TheoryData<CatalogProvider> Providers => new() { CatalogProvider.PostgreSql, CatalogProvider.Sqlite };

    private static readonly DateTime Day1 = new(2024, 12, 30, 0, 0, 0, DateTimeKind.Utc);

    private static FileRegistration File(string name, DateTime observedAt, string dataset = "AIA_171", string seed = "a", long size = 1000) =>
        CatalogUnderTest.Registration(name, dataset, seed, size) with { ObservedAt = observedAt };

    private sealed record Summary(string Dataset, DateTime Day, long Files, long Bytes, string Digest);

    private static async Task<List<Summary>> MaintainedAsync(CatalogDbContextFactory contexts)
    {
        await using var db = contexts.CreateDbContext();
        var rows = await db.DaySummaries.AsNoTracking().Select(s => new Summary(s.Dataset, s.Day, s.Files, s.Bytes, s.Digest)).ToListAsync();
        return rows.Select(s => s with { Day = DateTime.SpecifyKind(s.Day, DateTimeKind.Utc) })
            .OrderBy(s => s.Dataset, StringComparer.Ordinal).ThenBy(s => s.Day).ToList();
    }

    /// <summary>The summaries as the files table says they must be, computed here without the catalog's help.</summary>
    private static async Task<List<Summary>> FromScratchAsync(CatalogDbContextFactory contexts)
    {
        await using var db = contexts.CreateDbContext();
        var files = await db.Files.AsNoTracking().ToListAsync();
        return files.GroupBy(f => (f.Dataset, Day: DaySummaries.DayOf(f.ObservedAt)))
            .Select(g => new Summary(g.Key.Dataset, g.Key.Day, g.Count(), g.Sum(f => f.Size), DaySummaries.DigestOf(g.Select(f => (f.Name, f.Checksum)))))
            .OrderBy(s => s.Dataset, StringComparer.Ordinal).ThenBy(s => s.Day).ToList();
    }

    private sealed record MonthRow(string Dataset, DateTime Month, int Days, long Files, long Bytes, string Digest);

    private static async Task<List<MonthRow>> MaintainedMonthsAsync(CatalogDbContextFactory contexts)
    {
        await using var db = contexts.CreateDbContext();
        var rows = await db.MonthSummaries.AsNoTracking().Select(s => new MonthRow(s.Dataset, s.Month, s.Days, s.Files, s.Bytes, s.Digest)).ToListAsync();
        return rows.Select(s => s with { Month = DateTime.SpecifyKind(s.Month, DateTimeKind.Utc) })
            .OrderBy(s => s.Dataset, StringComparer.Ordinal).ThenBy(s => s.Month).ToList();
    }

    private static async Task<List<MonthRow>> MonthsFromScratchAsync(CatalogDbContextFactory contexts)
    {
        await using var db = contexts.CreateDbContext();
        var files = await db.Files.AsNoTracking().ToListAsync();
        return files.GroupBy(f => (f.Dataset, Month: DaySummaries.MonthOf(f.ObservedAt)))
            .Select(g => new MonthRow(g.Key.Dataset, g.Key.Month, g.Select(f => DaySummaries.DayOf(f.ObservedAt)).Distinct().Count(), g.Count(),
                g.Sum(f => f.Size), DaySummaries.DigestOf(g.Select(f => (f.Name, f.Checksum)))))
            .OrderBy(s => s.Dataset, StringComparer.Ordinal).ThenBy(s => s.Month).ToList();
    }

    private static async Task AssertConsistentAsync(CatalogDbContextFactory contexts)
    {
        var maintained = await MaintainedAsync(contexts);
        var months = await MaintainedMonthsAsync(contexts);
        Assert.Equal(await FromScratchAsync(contexts), maintained);
        Assert.Equal(await MonthsFromScratchAsync(contexts), months);
        await DaySummaries.RebuildAsync(contexts, progress: null, default);
        Assert.Equal(maintained, await MaintainedAsync(contexts));
        Assert.Equal(months, await MaintainedMonthsAsync(contexts));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Registering_replacing_and_removing_keep_the_summaries_equal_to_a_rebuild(CatalogProvider provider)
    {
        var contexts = await CatalogUnderTest.CreateAsync(provider, postgres);
        var registry = new FileRegistry(contexts, IngestionClock.System);
        async Task Register(FileRegistration file) => await registry.RegisterAsync(file, CatalogUnderTest.NothingToPlace, default);

        await Register(File("a1.jp2", Day1.AddHours(1)));
        await Register(File("a2.jp2", Day1.AddHours(23).AddMinutes(59), size: 2000));
        await Register(File("a3.jp2", Day1.AddDays(1), size: 3_000_000_000)); // a day past 32 bits
        await Register(File("a4.jp2", Day1.AddDays(3).AddSeconds(1)));
        await Register(File("h1.jp2", Day1.AddHours(1), dataset: "HMI_MAG"));
        await AssertConsistentAsync(contexts);
        var first = await MaintainedAsync(contexts);
        Assert.Equal([2L, 1L, 1L, 1L], first.Select(s => s.Files));
        Assert.Equal(3_000_000_000, first.Single(s => s.Dataset == "AIA_171" && s.Day == Day1.AddDays(1)).Bytes);

        // Reprocessed: same name, other bytes; then one whose observation time moved to another day.
        await Register(File("a2.jp2", Day1.AddHours(23).AddMinutes(59), seed: "b", size: 2500));
        await AssertConsistentAsync(contexts);
        var replaced = await MaintainedAsync(contexts);
        Assert.NotEqual(first[0].Digest, replaced[0].Digest);
        Assert.Equal((2L, 3500L), (replaced[0].Files, replaced[0].Bytes));
        Assert.Equal(first.Skip(1), replaced.Skip(1));

        await Register(File("a4.jp2", Day1.AddDays(1).AddHours(2), seed: "c"));
        await AssertConsistentAsync(contexts);
        Assert.DoesNotContain(await MaintainedAsync(contexts), s => s.Day == Day1.AddDays(3));

        Assert.True(await registry.RemoveAsync("a1.jp2", default));
        await AssertConsistentAsync(contexts);
        Assert.True(await registry.RemoveAsync("h1.jp2", default));
        await AssertConsistentAsync(contexts);
        var last = await MaintainedAsync(contexts);
        Assert.DoesNotContain(last, s => s.Dataset == "HMI_MAG");
        Assert.Equal(DaySummaries.DigestOf([("a2.jp2", CatalogUnderTest.Registration("a2.jp2", checksumSeed: "b").Checksum)]), last[0].Digest);
        Assert.False(await registry.RemoveAsync("a1.jp2", default));
    }

    [Fact]
    public void The_digest_does_not_depend_on_order_and_is_zero_for_no_files()
    {
        (string, string)[] files = [("a.jp2", "sha256:01"), ("b.jp2", "sha256:02"), ("c.jp2", "sha256:03")];
        Assert.Equal(DaySummaries.DigestOf(files), DaySummaries.DigestOf(files.AsEnumerable().Reverse()));
        Assert.Equal(DaySummaries.EmptyDigest, DaySummaries.DigestOf([]));
        Assert.Equal(Convert.ToHexStringLower(DaySummaries.Digest("a.jp2", "sha256:01")), DaySummaries.DigestOf(files.Take(1)));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("a.jp2\nsha256:01"u8)), DaySummaries.DigestOf(files.Take(1)));
    }
}
