using HvMirror.Archive;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HvMirror.Catalog;

/// <summary>
/// Brings the catalog schema up to date (creating the database or SQLite file if needed) before any other hosted
/// service starts (<see cref="IHostedLifecycleService.StartingAsync"/>), so a role never meets a missing table.
/// Safe to run from many replicas at once: EF Core takes a migration lock.
/// </summary>
public sealed class CatalogMigrationHostedService(
    CatalogDbContextFactory contexts, ArchiveLocation archive, ILogger<CatalogMigrationHostedService> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(archive.Root);
        var applied = await CatalogMigrator.MigrateAsync(contexts, cancellationToken);
        logger.LogInformation("Catalog {Catalog} ready ({Count} migrations applied); archive root {Archive}",
            contexts.Connection.Describe(), applied.Count, archive.Root);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class CatalogServiceCollectionExtensions
{
    /// <summary>
    /// The catalog of a host, registered once whatever roles the host runs: <c>ConnectionStrings:Catalog</c> (PostgreSQL
    /// <c>Host=…</c>, or a SQLite path; default <c>&lt;HvMirror:Archive&gt;/.hvmirror/catalog.db</c>), the ingestion clock,
    /// the file registry, and the migration of the schema before the host starts.
    /// </summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new ArchiveLocation(
            string.IsNullOrWhiteSpace(configuration["HvMirror:Archive"]) ? "./archive" : configuration["HvMirror:Archive"]!));
        services.TryAddSingleton(sp =>
        {
            var value = configuration.GetConnectionString("Catalog");
            return new CatalogDbContextFactory(string.IsNullOrWhiteSpace(value)
                ? CatalogConnection.ForSqliteFile(sp.GetRequiredService<ArchiveLocation>().DefaultSqliteCatalog)
                : CatalogConnection.Parse(value));
        });
        services.TryAddSingleton(sp => new IngestionClock(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<FileRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CatalogMigrationHostedService>());
        return services;
    }
}
