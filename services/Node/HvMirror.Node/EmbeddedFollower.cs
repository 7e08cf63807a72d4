using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Follower;
using HvMirror.Helioviewer;
using HvMirror.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HvMirror.Node;

/// <summary>What <c>hvmirror helioviewer follow</c> is asked to follow, and into which catalog.</summary>
/// <param name="HelioviewerDatabase">Helioviewer's MariaDB database (MySqlConnector connection string).</param>
/// <param name="Archive">Helioviewer's <c>jp2_dir</c>: the archive root the rows' <c>filepath</c>s are relative to.</param>
public sealed record FollowSettings(string HelioviewerDatabase, ArchiveLocation Archive, CatalogConnection Catalog);

/// <summary>
/// The follower role in this process (composed by <see cref="HvMirrorNode.AddHvMirrorNode"/> like every host): in the
/// background for as long as it runs, or driven by the caller through <see cref="Follower"/> (<c>--once</c>).
/// </summary>
public sealed class EmbeddedFollower : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedFollower(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public HelioviewerFollower Follower => Services.GetRequiredService<HelioviewerFollower>();

    public static EmbeddedFollower Create(FollowSettings settings, bool followInBackground, LogLevel logLevel = LogLevel.Warning)
    {
        var builder = Host.CreateApplicationBuilder(CommandLineHost.Args);
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddOneLineConsole();
        builder.Services.AddSingleton(settings.Archive);
        builder.Services.AddSingleton(new CatalogDbContextFactory(settings.Catalog));
        builder.Configuration[HelioviewerOptions.Section + ":" + nameof(HelioviewerOptions.Database)] = settings.HelioviewerDatabase;
        builder.Configuration[CatalogStartupOptions.Section + ":" + nameof(CatalogStartupOptions.WaitAtStart)] ??= "00:00:00";
        builder.AddHvMirrorNode(NodeRoles.Follower, node => node.FollowInBackground = followInBackground);
        return new EmbeddedFollower(builder.Build());
    }

    public Task StartAsync(CancellationToken cancellationToken) => _host.StartAsync(cancellationToken);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _host.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(30));
        _host.Dispose();
    }
}
