using HvMirror.Catalog;
using HvMirror.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HvMirror.Catalog.Tests;

/// <summary>New, reprocessed and repeated files, on both catalog providers.</summary>
[Collection(PostgresCollection.Name)]
public sealed class FileRegistryTests(PostgresServer postgres)
{
    public static TheoryData<CatalogProvider> Providers => new() { CatalogProvider.PostgreSql, CatalogProvider.Sqlite };

    [Theory, MemberData(nameof(Providers))]
    public async Task A_new_name_is_added_with_an_ingestion_time_and_placed(CatalogProvider provider)
    {
        var registry = new FileRegistry(await CatalogUnderTest.CreateAsync(provider, postgres), IngestionClock.System);
        var placed = 0;
        var before = DateTime.UtcNow.AddSeconds(-5);

        var result = await registry.RegisterAsync(CatalogUnderTest.Registration("f1.jp2"), _ => { placed++; return Task.CompletedTask; }, default);

        Assert.Equal(RegistrationOutcome.Added, result.Outcome);
        Assert.Equal(1, placed);
        var held = await registry.FindAsync("f1.jp2", default);
        Assert.NotNull(held);
        Assert.Equal(result.File.Checksum, held.Checksum);
        Assert.InRange(held.IngestedAt, before, DateTime.UtcNow.AddSeconds(5));
        Assert.Equal(DateTimeKind.Utc, held.IngestedAt.Kind);
        Assert.Equal(0, held.IngestedAt.Ticks % 10);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_same_bytes_again_change_nothing_and_place_nothing(CatalogProvider provider)
    {
        var registry = new FileRegistry(await CatalogUnderTest.CreateAsync(provider, postgres), IngestionClock.System);
        var first = await registry.RegisterAsync(CatalogUnderTest.Registration("f1.jp2"), CatalogUnderTest.NothingToPlace, default);

        var again = await registry.RegisterAsync(CatalogUnderTest.Registration("f1.jp2"),
            _ => throw new InvalidOperationException("an unchanged file must not be placed again"), default);

        Assert.Equal(RegistrationOutcome.Unchanged, again.Outcome);
        Assert.Equal(first.File.IngestedAt, (await registry.FindAsync("f1.jp2", default))!.IngestedAt);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Reprocessed_bytes_replace_the_row_with_a_new_checksum_and_a_later_time(CatalogProvider provider)
    {
        var contexts = await CatalogUnderTest.CreateAsync(provider, postgres);
        var registry = new FileRegistry(contexts, IngestionClock.System);
        var first = await registry.RegisterAsync(CatalogUnderTest.Registration("f1.jp2", checksumSeed: "old"), CatalogUnderTest.NothingToPlace, default);

        var second = await registry.RegisterAsync(CatalogUnderTest.Registration("f1.jp2", checksumSeed: "new"), CatalogUnderTest.NothingToPlace, default);

        Assert.Equal(RegistrationOutcome.Replaced, second.Outcome);
        Assert.Equal(first.File.Checksum, second.PreviousChecksum);
        Assert.NotEqual(first.File.Checksum, second.File.Checksum);
        Assert.True(second.File.IngestedAt > first.File.IngestedAt);
        await using var db = contexts.CreateDbContext();
        Assert.Equal(1, await db.Files.CountAsync());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_failure_to_place_the_file_registers_nothing(CatalogProvider provider)
    {
        var registry = new FileRegistry(await CatalogUnderTest.CreateAsync(provider, postgres), IngestionClock.System);

        await Assert.ThrowsAsync<IOException>(() => registry.RegisterAsync(
            CatalogUnderTest.Registration("f1.jp2"), _ => throw new IOException("disk full"), default));

        Assert.Null(await registry.FindAsync("f1.jp2", default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_clock_behind_the_last_ingestion_time_still_gives_strictly_later_times(CatalogProvider provider)
    {
        var contexts = await CatalogUnderTest.CreateAsync(provider, postgres);
        var registry = new FileRegistry(contexts, IngestionClock.System);
        await registry.RegisterAsync(CatalogUnderTest.Registration("f0.jp2"), CatalogUnderTest.NothingToPlace, default);
        var future = new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var db = contexts.CreateDbContext())
            await db.Datasets.ExecuteUpdateAsync(set => set.SetProperty(d => d.LastIngestedAt, future));

        var first = await registry.RegisterAsync(CatalogUnderTest.Registration("f1.jp2"), CatalogUnderTest.NothingToPlace, default);
        var second = await registry.RegisterAsync(CatalogUnderTest.Registration("f2.jp2"), CatalogUnderTest.NothingToPlace, default);

        Assert.Equal(future.AddTicks(10), first.File.IngestedAt);
        Assert.Equal(future.AddTicks(20), second.File.IngestedAt);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Registering_the_wanted_bytes_strikes_the_file_off_the_work_list_and_other_bytes_keep_it_listed(CatalogProvider provider)
    {
        var contexts = await CatalogUnderTest.CreateAsync(provider, postgres);
        var registry = new FileRegistry(contexts, IngestionClock.System);
        var workList = new WorkList(contexts, TimeProvider.System, Options.Create(new WorkListOptions()));
        var wanted = CatalogUnderTest.Registration("f1.jp2", checksumSeed: "new");
        var other = CatalogUnderTest.Registration("f2.jp2", checksumSeed: "new");
        await workList.WantAsync([Want(wanted), Want(other)], default);

        await registry.RegisterAsync(wanted, CatalogUnderTest.NothingToPlace, default);
        await registry.RegisterAsync(CatalogUnderTest.Registration("f2.jp2", checksumSeed: "old"), CatalogUnderTest.NothingToPlace, default);

        var listed = await workList.ListAsync(10, default);
        Assert.Equal(["f2.jp2"], listed.Select(w => w.Name));
        Assert.Equal(other.Checksum, listed[0].Checksum);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_file_that_could_not_be_placed_stays_on_the_work_list(CatalogProvider provider)
    {
        var contexts = await CatalogUnderTest.CreateAsync(provider, postgres);
        var registry = new FileRegistry(contexts, IngestionClock.System);
        var workList = new WorkList(contexts, TimeProvider.System, Options.Create(new WorkListOptions()));
        var wanted = CatalogUnderTest.Registration("f1.jp2");
        await workList.WantAsync([Want(wanted)], default);

        await Assert.ThrowsAsync<IOException>(() => registry.RegisterAsync(wanted, _ => throw new IOException("disk full"), default));

        Assert.Equal(["f1.jp2"], (await workList.ListAsync(10, default)).Select(w => w.Name));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Many_registrations_at_once_each_get_their_own_later_time_and_one_that_cannot_be_placed_fails_alone(CatalogProvider provider)
    {
        var contexts = await CatalogUnderTest.CreateAsync(provider, postgres);
        var registry = new FileRegistry(contexts, IngestionClock.System);
        var workList = new WorkList(contexts, TimeProvider.System, Options.Create(new WorkListOptions()));
        await registry.RegisterAsync(CatalogUnderTest.Registration("f05.jp2", checksumSeed: "old"), CatalogUnderTest.NothingToPlace, default);
        var before = (await registry.FindAsync("f05.jp2", default))!;
        // Every file wanted with the bytes it brings, but f10 wanted with other bytes (reprocessed again meanwhile).
        await workList.WantAsync([.. Enumerable.Range(0, 3 * FileRegistry.MaxGroup)
            .Select(i => Want(CatalogUnderTest.Registration($"f{i:D2}.jp2", checksumSeed: i == 10 ? "newer" : "a")))], default);
        var placed = 0;

        var registrations = Enumerable.Range(0, 3 * FileRegistry.MaxGroup).Select(i => Task.Run(() => registry.RegisterAsync(
            CatalogUnderTest.Registration($"f{i:D2}.jp2"),
            _ => i == 7 ? throw new IOException("disk full") : Task.FromResult(Interlocked.Increment(ref placed)),
            default))).ToList();
        await Assert.ThrowsAsync<IOException>(() => registrations[7]);
        var results = registrations.Where((_, i) => i != 7).Select(r => r.Result).ToList();

        Assert.Equal(3 * FileRegistry.MaxGroup - 1, placed);
        Assert.Equal(RegistrationOutcome.Replaced, results.Single(r => r.File.Name == "f05.jp2").Outcome);
        Assert.Equal(before.Checksum, results.Single(r => r.File.Name == "f05.jp2").PreviousChecksum);
        Assert.All(results.Where(r => r.File.Name != "f05.jp2"), r => Assert.Equal(RegistrationOutcome.Added, r.Outcome));
        Assert.Equal(results.Count, results.Select(r => r.File.IngestedAt).Distinct().Count());
        Assert.All(results, r => Assert.True(r.File.IngestedAt > before.IngestedAt));
        Assert.Null(await registry.FindAsync("f07.jp2", default));
        await using var db = contexts.CreateDbContext();
        var files = await db.Files.AsNoTracking().ToListAsync();
        Assert.Equal(3 * FileRegistry.MaxGroup - 1, files.Count);
        Assert.Equal(files.OrderBy(f => f.Name).Select(f => (f.Name, f.Checksum, f.IngestedAt)),
            results.OrderBy(r => r.File.Name).Select(r => (r.File.Name, r.File.Checksum, r.File.IngestedAt)));
        var day = await db.DaySummaries.AsNoTracking().SingleAsync();
        Assert.Equal(files.Count, day.Files);
        Assert.Equal(DaySummaries.DigestOf(files.Select(f => (f.Name, f.Checksum))), day.Digest);
        // Struck off the work list with the registrations: all but the file not placed and the one wanted with other bytes.
        Assert.Equal(["f07.jp2", "f10.jp2"], (await workList.ListAsync(10, default)).Select(w => w.Name).Order(StringComparer.Ordinal));
        // The clock is past every time the groups took: the next file is later than all of them.
        var next = await registry.RegisterAsync(CatalogUnderTest.Registration("later.jp2"), CatalogUnderTest.NothingToPlace, default);
        Assert.All(results, r => Assert.True(next.File.IngestedAt > r.File.IngestedAt));
    }

    private static WantedFileRequest Want(FileRegistration file) =>
        new(file.Name, "primary", file.Dataset, file.Checksum, new Uri($"http://primary.example.org/jp2/{file.Name}"),
            new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), "New", null);
}
