using HvMirror.Catalog;
using HvMirror.Comparer;
using HvMirror.Fetcher;
using HvMirror.Follower;
using HvMirror.Audit;
using HvMirror.HapiServer;
using HvMirror.HelioviewerWriter;
using HvMirror.Poller;
using HvMirror.ServiceDefaults;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HvMirror.Node;

/// <summary>How a node is put together, besides which roles it runs.</summary>
public sealed class NodeSetup
{
    /// <summary>
    /// Poll on each upstream's interval (the poller's background service). Off: something else calls
    /// <see cref="UpstreamPoller.PollAsync"/> (<c>hvmirror mirror --once</c>, tests).
    /// </summary>
    public bool PollInBackground { get; set; } = true;

    /// <summary>
    /// Follow the Helioviewer database in the background (the follower's service). Off: something else calls
    /// <see cref="HelioviewerFollower.CatchUpAsync"/> (<c>hvmirror helioviewer follow --once</c>, tests).
    /// </summary>
    public bool FollowInBackground { get; set; } = true;

    /// <summary>More consumers on the node's bus (tests record what was published).</summary>
    public Action<IBusRegistrationConfigurator>? AddConsumers { get; set; }
}

/// <summary>
/// The one place HvMirror's roles are wired into a host. Order matters and is kept here: the catalog first (migrated
/// before anything starts), then the roles' services, then the bus with the consumers of the roles that run, and the
/// poller last, because hosted services start in order and its first poll must find the bus started.
/// </summary>
public static class HvMirrorNode
{
    /// <summary>
    /// Why these roles cannot run in this configuration, or null. Some but not all of the mirror roles in one process
    /// need RabbitMQ: alone, the in-memory bus would swallow messages no other role can receive (a poller would even move
    /// its cursors past records nobody got).
    /// </summary>
    public static string? Refusal(NodeRoles roles, bool distributed)
    {
        var mirror = roles & NodeRoles.Mirror;
        if (!distributed && roles.HasFlag(NodeRoles.HelioviewerWriter) && !roles.HasFlag(NodeRoles.Fetcher))
            return "This host runs the Helioviewer writer without a fetcher, so it needs the message broker it receives FileIngested on: set " +
                   "ConnectionStrings__RabbitMq (amqp://user:pass@host:5672/vhost) and ConnectionStrings__Catalog (Host=…;Database=…). " +
                   "To write into Helioviewer's database from one process without a broker, use `hvmirror mirror --helioviewer-db …`.";
        if (distributed || mirror is NodeRoles.None or NodeRoles.Mirror) return null;
        return $"This host runs the {Describe(mirror)} role(s) without the others, so it needs the message broker: set " +
               "ConnectionStrings__RabbitMq (amqp://user:pass@host:5672/vhost) and ConnectionStrings__Catalog (Host=…;Database=…). " +
               "To run every role in one process without a broker, use `hvmirror mirror`.";
    }

    /// <summary>Registers the catalog, the given roles and, when a mirror role runs, the bus. Throws when <see cref="Refusal"/> says no.</summary>
    public static TBuilder AddHvMirrorNode<TBuilder>(this TBuilder builder, NodeRoles roles, Action<NodeSetup>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        var setup = new NodeSetup();
        configure?.Invoke(setup);
        var configuration = builder.Configuration;
        if (Refusal(roles, MessagingExtensions.IsDistributed(configuration)) is { } refusal)
            throw new InvalidOperationException(refusal);

        var services = builder.Services;
        services.AddSingleton(new RunningRoles(roles));
        services.AddCatalog(configuration);
        services.AddHealthChecks().AddCheck<CatalogHealthCheck>("catalog", tags: [ServiceDefaultsExtensions.ReadyTag]);
        if (roles.HasFlag(NodeRoles.HapiServer)) services.AddHapiServer(configuration);
        if (roles.HasFlag(NodeRoles.Fetcher)) services.AddFetcherServices(configuration);
        if (roles.HasFlag(NodeRoles.HelioviewerWriter)) services.AddHelioviewerWriterServices(configuration);
        if (roles.HasFlag(NodeRoles.Follower)) services.AddFollower(configuration, setup.FollowInBackground);
        if ((roles & (NodeRoles.Mirror | NodeRoles.HelioviewerWriter)) != NodeRoles.None || setup.AddConsumers is not null)
        {
            services.AddHvMirrorBus(configuration, bus =>
            {
                if (roles.HasFlag(NodeRoles.Comparer)) bus.AddComparer();
                if (roles.HasFlag(NodeRoles.Fetcher)) bus.AddFetcher();
                if (roles.HasFlag(NodeRoles.HelioviewerWriter)) bus.AddHelioviewerWriter();
                setup.AddConsumers?.Invoke(bus);
            });
        }
        if (roles.HasFlag(NodeRoles.Poller))
        {
            if (roles.HasFlag(NodeRoles.Comparer))
            {
                // One process, an in-memory file-announced queue: the poller waits for this comparer.
                services.AddSingleton(new InFlightAnnouncements(tracked: true));
                services.AddConsumeObserver<ComparedAnnouncementsObserver>();
            }
            services.AddPoller(configuration, setup.PollInBackground);
            if (setup.PollInBackground) services.AddScheduledAudit(configuration);
        }
        return builder;
    }

    /// <summary>Maps the endpoints of the roles the node runs (the HAPI server's <c>/hapi</c>, <c>/jp2</c> and <c>/status</c>).</summary>
    public static WebApplication MapHvMirrorNode(this WebApplication app)
    {
        if (app.Services.GetRequiredService<RunningRoles>().Roles.HasFlag(NodeRoles.HapiServer)) app.MapHapi().MapStatus();
        return app;
    }

    /// <summary>
    /// A whole host of distributed mode: service defaults (telemetry, health, metrics), the roles, their endpoints.
    /// Exit code 2, with the reason on stderr, when the configuration cannot run them or an outage (the catalog database,
    /// the broker) stops it from starting.
    /// </summary>
    public static async Task<int> RunHostAsync(string[] args, string serviceName, NodeRoles roles)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (Refusal(roles, MessagingExtensions.IsDistributed(builder.Configuration)) is { } refusal)
        {
            await Console.Error.WriteLineAsync(refusal);
            return 2;
        }
        builder.AddServiceDefaults(serviceName);
        builder.AddHvMirrorNode(roles);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapHvMirrorNode();
        try
        {
            await app.RunAsync();
        }
        catch (Exception e) when (e is CatalogUnavailableException or OptionsValidationException)
        {
            // Expected: the configuration or the catalog is wrong. One line that says what to fix, not a stack trace.
            await Console.Error.WriteLineAsync($"{serviceName} cannot start: {OperatorText.Escape(e.Message)}");
            return 2;
        }
        catch (Exception e) when (OneLineConsoleFormatter.IsExpected(e))
        {
            // The host has logged why it could not start (one line); the stack trace of an outage would only bury it.
            await Console.Error.WriteLineAsync(
                $"{serviceName}: stopped: {OperatorText.Escape(OneLineConsoleFormatter.Describe(e))}. Check that the catalog database and the broker " +
                "run and that ConnectionStrings__Catalog and ConnectionStrings__RabbitMq name them; the host can be started again at any time.");
            return 2;
        }
        return 0;
    }

    private static string Describe(NodeRoles roles) =>
        string.Join(", ", Enum.GetValues<NodeRoles>().Where(r => r is NodeRoles.Poller or NodeRoles.Comparer or NodeRoles.Fetcher && roles.HasFlag(r))
            .Select(r => r.ToString().ToLowerInvariant()));

    private sealed record RunningRoles(NodeRoles Roles);
}
