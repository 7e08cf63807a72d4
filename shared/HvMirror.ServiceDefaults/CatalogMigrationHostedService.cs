using HvMirror.Archive;
using HvMirror.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HvMirror.ServiceDefaults;

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

public static class CatalogMigrationExtensions
{
    /// <summary>Migrates the catalog when the host starts (once per host, however often it is called).</summary>
    public static IServiceCollection AddHvMirrorCatalogMigration(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CatalogMigrationHostedService>());
        return services;
    }
}
