using HvMirror.Catalog;
using HvMirror.Testing;

namespace HvMirror.Catalog.Tests;

[Collection(PostgresCollection.Name)]
public sealed class MirrorCursorStoreTests(PostgresServer postgres)
{
    public static TheoryData<CatalogProvider> Providers => new() { CatalogProvider.PostgreSql, CatalogProvider.Sqlite };

    [Theory, MemberData(nameof(Providers))]
    public async Task A_cursor_only_moves_forward(CatalogProvider provider)
    {
        var cursors = new MirrorCursorStore(await CatalogUnderTest.CreateAsync(provider, postgres), TimeProvider.System);
        var t1 = new DateTime(2024, 12, 31, 0, 0, 0, 123, DateTimeKind.Utc).AddTicks(4560);

        Assert.Null(await cursors.GetAsync("gsfc", "AIA_171", default));
        await cursors.AdvanceAsync("gsfc", "AIA_171", t1, default);
        await cursors.AdvanceAsync("gsfc", "AIA_171", t1.AddDays(-1), default);

        Assert.Equal(t1, await cursors.GetAsync("gsfc", "AIA_171", default));
        Assert.Null(await cursors.GetAsync("rob", "AIA_171", default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Only_one_poller_holds_the_lease_on_an_upstream_dataset_at_a_time(CatalogProvider provider)
    {
        var contexts = await CatalogUnderTest.CreateAsync(provider, postgres);
        // Two stores stand for two poller replicas sharing one catalog.
        var replicaA = new MirrorCursorStore(contexts, TimeProvider.System);
        var replicaB = new MirrorCursorStore(new CatalogDbContextFactory(contexts.Connection), TimeProvider.System);

        var first = await replicaA.TryLeaseAsync("gsfc", "AIA_171", default);
        var second = await replicaB.TryLeaseAsync("gsfc", "AIA_171", default);
        var otherDataset = await replicaB.TryLeaseAsync("gsfc", "AIA_193", default);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.NotNull(otherDataset);
        await first.DisposeAsync();
        await otherDataset.DisposeAsync();
        var afterRelease = await replicaB.TryLeaseAsync("gsfc", "AIA_171", default);
        Assert.NotNull(afterRelease);
        await afterRelease.DisposeAsync();
    }
}
