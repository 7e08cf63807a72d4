using HvMirror.Catalog;
using Npgsql;
using Microsoft.Data.Sqlite;

namespace HvMirror.Cli.Commands;

/// <summary>Opens the catalog for a command, creating or upgrading its schema, and turns failures into advice.</summary>
internal static class CatalogStartup
{
    public static async Task<CatalogDbContextFactory?> OpenAsync(CatalogConnection connection, TextWriter log, CancellationToken cancellationToken)
    {
        var factory = new CatalogDbContextFactory(connection);
        try
        {
            var applied = await CatalogMigrator.MigrateAsync(factory, cancellationToken);
            if (applied.Count > 0)
                log.WriteLine($"catalog: {connection.Describe()}: applied {applied.Count} migration(s): {string.Join(", ", applied)}");
            return factory;
        }
        catch (Exception e) when (e is NpgsqlException or SqliteException or InvalidOperationException or TimeoutException)
        {
            log.WriteLine($"error: cannot open the catalog ({connection.Describe()}): {e.GetBaseException().Message}");
            log.WriteLine(connection.Provider == CatalogProvider.PostgreSql
                ? "       Check that the PostgreSQL server runs and that --catalog names the right host, port, user and password."
                : "       Check that the folder is writable and that no other program has the file locked.");
            return null;
        }
    }
}
