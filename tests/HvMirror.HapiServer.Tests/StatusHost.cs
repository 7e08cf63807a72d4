using System.Net;
using HvMirror.Catalog;
using HvMirror.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HvMirror.HapiServer.Tests;

/// <summary>
/// The HAPI server host over a temporary archive and SQLite catalog that <c>seed</c> filled, in memory
/// (<see cref="Client"/>) or, for a browser, on a loopback port (<see cref="StartKestrelAsync"/>).
/// </summary>
public sealed class StatusHost : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _factories = [];

    private StatusHost(string root) => Root = root;

    public string Root { get; }

    public string Archive => Path.Combine(Root, "archive");

    public string CatalogPath => Path.Combine(Root, "catalog.db");

    /// <summary>When the seed's relative times (checked an hour ago, …) count from.</summary>
    public DateTime Now { get; } = DateTime.UtcNow;

    public HttpClient Client { get; private set; } = null!;

    public static async Task<StatusHost> CreateAsync(Func<CatalogDbContextFactory, DateTime, Task>? seed)
    {
        var host = new StatusHost(Path.Combine(Path.GetTempPath(), "hvmirror-status-" + Guid.NewGuid().ToString("N")));
        Directory.CreateDirectory(host.Archive);
        var contexts = new CatalogDbContextFactory(CatalogConnection.ForSqliteFile(host.CatalogPath));
        await CatalogMigrator.MigrateAsync(contexts);
        if (seed is not null) await seed(contexts, host.Now);
        var factory = SeededHapiServer<Program>.CreateFactory(host.Archive, host.CatalogPath);
        host._factories.Add(factory);
        host.Client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        return host;
    }

    /// <summary>The same host listening on a free loopback port; its base address.</summary>
    public Uri StartKestrel()
    {
        var factory = SeededHapiServer<Program>.CreateFactory(Archive, CatalogPath);
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        _factories.Add(factory);
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.TrimEnd('/') + "/");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        foreach (var factory in _factories) await factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A host over <see cref="StatusSeeding.KnownGapAsync"/>'s catalog, shared by the status tests.</summary>
public sealed class StatusFixture : IAsyncLifetime
{
    public StatusHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await StatusHost.CreateAsync(StatusSeeding.KnownGapAsync);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
