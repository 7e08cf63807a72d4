using Microsoft.EntityFrameworkCore;

namespace HvMirror.Catalog;

/// <summary>Brings a catalog's schema up to date, creating the database (or SQLite file) if it does not exist yet.</summary>
public static class CatalogMigrator
{
    /// <summary>The migrations that add summary tables: a catalog that had files before them gets them computed once.</summary>
    private static readonly string[] SummaryMigrations = ["_DaySummaries", "_MonthSummaries"];

    public static async Task<IReadOnlyList<string>> MigrateAsync(CatalogDbContextFactory contexts, CancellationToken cancellationToken = default)
    {
        await using var db = contexts.CreateDbContext();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        // Only when something is pending (a new database or SQLite file has every migration pending): on a current schema
        // MigrateAsync still takes the migration lock and compares the model with its snapshot: ~0.1 s of a 1.4 s command
        // (`mirror --once` in sync). CatalogMigrationTests holds the model to its snapshot instead.
        if (pending.Count > 0) await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets HAPI readers stream while a registration writes; it is a property of the file, set once.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        if (pending.Any(m => SummaryMigrations.Any(suffix => m.EndsWith(suffix, StringComparison.Ordinal))))
            await DaySummaries.RebuildAsync(contexts, progress: null, cancellationToken);
        return pending;
    }
}
