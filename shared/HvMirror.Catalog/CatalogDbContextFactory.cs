using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace HvMirror.Catalog;

/// <summary>
/// Creates catalog contexts for the configured provider from a pool: a file's path takes several short-lived contexts,
/// and building each one afresh (EF Core's scoped services, resolved under locks the parallel downloads contend for)
/// was a measurable part of a small file's CPU.
/// </summary>
public sealed class CatalogDbContextFactory : IDbContextFactory<CatalogDbContext>
{
    private readonly Func<CatalogDbContext> _create;

    public CatalogDbContextFactory(CatalogConnection connection)
    {
        Connection = connection;
        if (connection.Provider == CatalogProvider.PostgreSql)
        {
            var options = new DbContextOptionsBuilder<PostgresCatalogDbContext>().UseNpgsql(connection.ConnectionString)
                .UseModel(CompiledModels.Postgres.PostgresCatalogDbContextModel.Instance).Options;
            var pool = new PooledDbContextFactory<PostgresCatalogDbContext>(options);
            _create = pool.CreateDbContext;
        }
        else
        {
            var options = new DbContextOptionsBuilder<SqliteCatalogDbContext>().UseSqlite(connection.ConnectionString)
                .UseModel(CompiledModels.Sqlite.SqliteCatalogDbContextModel.Instance)
                .AddInterceptors(SqliteConnectionSettings.Instance).Options;
            var pool = new PooledDbContextFactory<SqliteCatalogDbContext>(options);
            _create = pool.CreateDbContext;
        }
    }

    public CatalogConnection Connection { get; }

    public CatalogDbContext CreateDbContext() => _create();
}
