using HvMirror.Catalog;
using HvMirror.Testing;

namespace HvMirror.Catalog.Tests;

[Collection(PostgresCollection.Name)]
public sealed class RecordQuarantineTests(PostgresServer postgres)
{
    public static TheoryData<CatalogProvider> Providers => new() { CatalogProvider.PostgreSql, CatalogProvider.Sqlite };

    private static readonly DateTime T = new(2024, 12, 31, 0, 4, 47, 123, DateTimeKind.Utc);

    private static UnusableUpstreamRecord Md5(string name, DateTime time) =>
        new("gsfc", "AIA_171", name, time, "md5:0123456789abcdef0123456789abcdef", "https://gsfc.example.org/jp2/" + name,
            "bad checksum: unsupported checksum algorithm 'md5'");

    [Theory, MemberData(nameof(Providers))]
    public async Task A_record_is_kept_with_its_reason_reported_once_and_released_by_name(CatalogProvider provider)
    {
        var quarantine = new RecordQuarantine(await CatalogUnderTest.CreateAsync(provider, postgres), TimeProvider.System);
        var record = Md5("2024_12_31__00_04_47_123__SDO_AIA_AIA_171.jp2", T);

        var first = await quarantine.QuarantineAsync([record], default);
        var again = await quarantine.QuarantineAsync([record with { UpstreamIngestedAt = T.AddSeconds(1) }], default);
        var otherReason = await quarantine.QuarantineAsync([record with { Checksum = "sha1:00", Reason = "bad checksum: sha1" }], default);

        Assert.Equal([record], first);
        Assert.Empty(again);
        Assert.Single(otherReason);
        var kept = Assert.Single(await quarantine.ListAsync("AIA_171", default));
        Assert.Equal(("gsfc", "AIA_171", record.Name, "sha1:00", "bad checksum: sha1"), (kept.Upstream, kept.Dataset, kept.Name, kept.Checksum, kept.Reason));
        Assert.Equal([record.Name], await quarantine.NamesAsync("gsfc", "AIA_171", default));
        Assert.Empty(await quarantine.NamesAsync("rob", "AIA_171", default));

        Assert.Equal(1, await quarantine.ReleaseAsync("gsfc", "AIA_171", [record.Name], default));
        Assert.Empty(await quarantine.ListAsync(null, default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_hostile_name_with_nul_characters_and_thousands_of_characters_is_kept(CatalogProvider provider)
    {
        var quarantine = new RecordQuarantine(await CatalogUnderTest.CreateAsync(provider, postgres), TimeProvider.System);
        var hostile = "../\0/" + new string('x', 5000) + ".jp2";

        await quarantine.QuarantineAsync([Md5(hostile, T) with { Reason = "file name is 5009 characters long" }], default);

        var kept = Assert.Single(await quarantine.ListAsync("AIA_171", default));
        Assert.Equal(RecordQuarantine.MaxNameLength, kept.Name.Length);
        Assert.DoesNotContain('\0', kept.Name);
        Assert.StartsWith("../\uFFFD/xxx", kept.Name);
    }
}
