using System.Data.Common;
using System.Net.Sockets;
using HvMirror.Archive;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.Catalog;

/// <summary>
/// Brings the catalog schema up to date (creating the database or SQLite file if needed) before any other hosted
/// service starts (<see cref="IHostedLifecycleService.StartingAsync"/>), so a role never meets a missing table.
/// Safe to run from many replicas at once: EF Core takes a migration lock. An unreachable catalog is waited for, up to
/// <see cref="CatalogStartupOptions.WaitAtStart"/>, with one line a try: a host started during a database restart
/// comes up when the database does, instead of crashing.
/// </summary>
public sealed class CatalogMigrationHostedService(
    CatalogDbContextFactory contexts, ArchiveLocation archive, IOptions<CatalogStartupOptions> options, TimeProvider time,
    ILogger<CatalogMigrationHostedService> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(30);

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(archive.Root);
        var wait = options.Value.WaitAtStart;
        var giveUpAt = time.GetUtcNow() + wait;
        var pause = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                var applied = await CatalogMigrator.MigrateAsync(contexts, cancellationToken);
                logger.LogInformation("Catalog {Catalog} ready ({Count} migrations applied); archive root {Archive}",
                    contexts.Connection.Describe(), applied.Count, archive.Root);
                return;
            }
            catch (Exception e) when (IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
            {
                if (time.GetUtcNow() + pause > giveUpAt)
                    throw new CatalogUnavailableException(
                        $"the catalog {contexts.Connection.Describe()} is unreachable ({Reason(e)})" +
                        (wait > TimeSpan.Zero ? $" and stayed so for {wait} (HvMirror:Catalog:WaitAtStart)" : "") +
                        ". Check ConnectionStrings:Catalog and that the database server runs and accepts connections from here.", e);
                logger.LogWarning("The catalog {Catalog} is unreachable ({Reason}); trying again in {Pause:0} s, until {GiveUpAt:u} (HvMirror:Catalog:WaitAtStart)",
                    contexts.Connection.Describe(), Reason(e), pause.TotalSeconds, giveUpAt);
                await Task.Delay(pause, time, cancellationToken);
                pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
            }
        }
    }

    /// <summary>A server down, restarting or refusing connections for now; not a wrong password or a broken schema.</summary>
    private static bool IsUnreachable(Exception e) =>
        e is DbException { IsTransient: true } || e.InnerException is DbException { IsTransient: true } or SocketException or TimeoutException;

    private static string Reason(Exception e) => (e.InnerException is SocketException socket ? socket.Message : e.Message).Split('\n')[0].Trim();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class CatalogServiceCollectionExtensions
{
    /// <summary>
    /// The archive and catalog of a host, registered once whatever roles the host runs: <c>HvMirror:Archive</c> (default
    /// <c>./archive</c>), <c>ConnectionStrings:Catalog</c> (PostgreSQL <c>Host=…</c>, or a SQLite path; default
    /// <c>&lt;archive&gt;/.hvmirror/catalog.db</c>), the source table, the ingestion clock, the file registry, and the
    /// migration of the schema before the host starts. A host that registered <see cref="ArchiveLocation"/> or
    /// <see cref="CatalogDbContextFactory"/> itself (the CLI, from its options) keeps its own.
    /// </summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(DataSources.Helioviewer);
        services.TryAddSingleton(_ => new ArchiveLocation(configuration[ArchiveLocation.Setting] is { Length: > 0 } root ? root : ArchiveLocation.DefaultRoot));
        services.TryAddSingleton(sp => new CatalogDbContextFactory(
            CatalogConnection.ResolveOrDefault(configuration.GetConnectionString("Catalog"), sp.GetRequiredService<ArchiveLocation>())));
        services.TryAddSingleton(sp => new IngestionClock(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<FileRegistry>();
        services.TryAddSingleton<WorkList>();
        services.TryAddSingleton<RecordQuarantine>();
        services.AddOptions<WorkListOptions>().Bind(configuration.GetSection(WorkListOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkListOptions>, WorkListOptionsValidator>());
        services.AddOptions<CatalogStartupOptions>().Bind(configuration.GetSection(CatalogStartupOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CatalogStartupOptions>, CatalogStartupOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CatalogMigrationHostedService>());
        return services;
    }
}
