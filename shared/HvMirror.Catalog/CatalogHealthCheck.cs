using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace HvMirror.Catalog;

/// <summary>Ready only when the catalog database answers.</summary>
public sealed class CatalogHealthCheck(CatalogDbContextFactory contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = contexts.CreateDbContext();
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy(contexts.Connection.Describe())
                : HealthCheckResult.Unhealthy($"{contexts.Connection.Describe()} does not answer");
        }
        catch (Exception e) when (e is NpgsqlException or SqliteException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"{contexts.Connection.Describe()}: {e.Message}");
        }
    }
}
