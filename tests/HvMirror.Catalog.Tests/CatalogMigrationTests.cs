using HvMirror.Catalog;
using HvMirror.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HvMirror.Catalog.Tests;

[Collection(PostgresCollection.Name)]
public sealed class CatalogMigrationTests(PostgresServer postgres)
{
    [Fact]
    public async Task Migrating_creates_a_PostgreSQL_database_that_does_not_exist_yet()
    {
        var existing = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync("probe"));
        existing.Database = $"hvmirror_new_{Guid.NewGuid():N}";
        var contexts = new CatalogDbContextFactory(CatalogConnection.Parse(existing.ConnectionString));

        var applied = await CatalogMigrator.MigrateAsync(contexts);

        Assert.NotEmpty(applied);
        await using var db = contexts.CreateDbContext();
        Assert.Equal(0, await db.Files.CountAsync());
        await db.Database.EnsureDeletedAsync();
    }

    [Fact]
    public async Task Migrating_creates_the_SQLite_file_and_a_second_run_applies_nothing()
    {
        var path = Path.Combine(Path.GetTempPath(), "hvmirror-tests", Guid.NewGuid().ToString("N"), "catalog.db");
        var contexts = new CatalogDbContextFactory(CatalogConnection.ForSqliteFile(path));

        var first = await CatalogMigrator.MigrateAsync(contexts);
        var second = await CatalogMigrator.MigrateAsync(contexts);

        Assert.True(File.Exists(path));
        Assert.NotEmpty(first);
        Assert.Empty(second);
    }

    [Fact]
    public async Task The_migrations_of_both_providers_match_the_model()
    {
        var sqlite = new CatalogDbContextFactory(CatalogConnection.ForSqliteFile(Path.Combine(Path.GetTempPath(), "hvmirror-tests", $"{Guid.NewGuid():N}.db")));
        var postgresCatalog = new CatalogDbContextFactory(CatalogConnection.Parse(await postgres.CreateDatabaseAsync("model")));

        foreach (var contexts in new[] { sqlite, postgresCatalog })
        {
            await using var db = contexts.CreateDbContext();
            Assert.False(db.Database.HasPendingModelChanges(),
                $"{db.GetType().Name}: the model changed without a migration; run dotnet ef migrations add (see README)");
        }
    }
}
