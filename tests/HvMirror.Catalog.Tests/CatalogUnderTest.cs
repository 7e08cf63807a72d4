using HvMirror.Catalog;
using HvMirror.Testing;

namespace HvMirror.Catalog.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

/// <summary>A fresh, migrated catalog on either provider: each test gets its own database or file.</summary>
public static class CatalogUnderTest
{
    public static async Task<CatalogDbContextFactory> CreateAsync(CatalogProvider provider, PostgresServer? postgres)
    {
        var connection = provider == CatalogProvider.PostgreSql
            ? CatalogConnection.Parse(await postgres!.CreateDatabaseAsync("catalog"))
            : CatalogConnection.ForSqliteFile(Path.Combine(Path.GetTempPath(), "hvmirror-tests", $"{Guid.NewGuid():N}.db"));
        var factory = new CatalogDbContextFactory(connection);
        await CatalogMigrator.MigrateAsync(factory);
        return factory;
    }

    public static FileRegistration Registration(string name, string dataset = "AIA_171", string checksumSeed = "a", long size = 1000) =>
        new(name, dataset, $"AIA/2024/12/31/171/{name}", size, "sha256:" + Convert.ToHexStringLower(
                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name + checksumSeed))),
            new DateTime(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc));

    public static readonly Func<CancellationToken, Task> NothingToPlace = _ => Task.CompletedTask;
}
