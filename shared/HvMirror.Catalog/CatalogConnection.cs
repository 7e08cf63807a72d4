using HvMirror.Archive;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace HvMirror.Catalog;

public enum CatalogProvider { PostgreSql, Sqlite }

/// <summary>
/// Where the catalog lives, as an operator writes it: a PostgreSQL connection string (<c>Host=…</c>) for distributed
/// mode, or a SQLite file path (or <c>Data Source=…</c>) for the embedded default.
/// </summary>
public sealed record CatalogConnection(CatalogProvider Provider, string ConnectionString)
{
    public static CatalogConnection Parse(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException("The catalog connection is empty: give a PostgreSQL connection string (Host=…;Database=…) or a SQLite file path.");
        var trimmed = value.Trim();
        if (trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("PostgreSQL URLs are not supported: write the catalog as Host=…;Port=5432;Database=…;Username=…;Password=….");
        if (LooksLikePostgres(trimmed))
        {
            try { _ = new NpgsqlConnectionStringBuilder(trimmed); }
            catch (ArgumentException e) { throw new ArgumentException($"The catalog connection looks like PostgreSQL but does not parse: {e.Message}", e); }
            return new(CatalogProvider.PostgreSql, trimmed);
        }
        if (trimmed.Contains('=', StringComparison.Ordinal))
        {
            var builder = new SqliteConnectionStringBuilder(trimmed);
            return ForSqliteFile(builder.DataSource);
        }
        return ForSqliteFile(trimmed);
    }

    /// <summary>
    /// The catalog a node uses: <paramref name="setting"/> (<c>ConnectionStrings:Catalog</c> or <c>--catalog</c>) when given,
    /// otherwise the embedded default, a SQLite file inside the archive.
    /// </summary>
    public static CatalogConnection ResolveOrDefault(string? setting, ArchiveLocation archive) =>
        string.IsNullOrWhiteSpace(setting) ? ForSqliteFile(archive.DefaultSqliteCatalog) : Parse(setting);

    public static CatalogConnection ForSqliteFile(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // A busy timeout lets concurrent registrations in one process queue for SQLite's single writer instead of failing.
        var builder = new SqliteConnectionStringBuilder { DataSource = full, DefaultTimeout = 60, Pooling = true };
        return new(CatalogProvider.Sqlite, builder.ToString());
    }

    /// <summary>A description for logs and errors, without the password.</summary>
    public string Describe() => Provider switch
    {
        CatalogProvider.PostgreSql => DescribePostgres(),
        _ => $"SQLite {new SqliteConnectionStringBuilder(ConnectionString).DataSource}",
    };

    private string DescribePostgres()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
    }

    private static bool LooksLikePostgres(string value) =>
        value.Split(';').Any(part => part.Trim().StartsWith("Host=", StringComparison.OrdinalIgnoreCase)
                                     || part.Trim().StartsWith("Server=", StringComparison.OrdinalIgnoreCase));
}
