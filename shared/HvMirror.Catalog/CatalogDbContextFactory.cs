using Microsoft.EntityFrameworkCore;

namespace HvMirror.Catalog;

/// <summary>Creates catalog contexts for the configured provider; options are built once.</summary>
public sealed class CatalogDbContextFactory : IDbContextFactory<CatalogDbContext>
{
    private readonly Func<CatalogDbContext> _create;

    public CatalogDbContextFactory(CatalogConnection connection)
    {
        Connection = connection;
        if (connection.Provider == CatalogProvider.PostgreSql)
        {
            var options = new DbContextOptionsBuilder<PostgresCatalogDbContext>().UseNpgsql(connection.ConnectionString).Options;
            _create = () => new PostgresCatalogDbContext(options);
        }
        else
        {
            var options = new DbContextOptionsBuilder<SqliteCatalogDbContext>().UseSqlite(connection.ConnectionString)
                .AddInterceptors(SqliteConnectionSettings.Instance).Options;
            _create = () => new SqliteCatalogDbContext(options);
        }
    }

    public CatalogConnection Connection { get; }

    public CatalogDbContext CreateDbContext() => _create();
}
