using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HvMirror.ServiceDefaults;

public static class MessagingExtensions
{
    /// <summary>
    /// The message bus every host uses: RabbitMQ when <c>ConnectionStrings:RabbitMq</c> is set (distributed mode),
    /// otherwise MassTransit's in-memory transport (the embedded default: every role in this one process). Queues are
    /// named in kebab-case after their consumers (<c>file-announced</c>, <c>file-needed</c>); the README lists them.
    /// </summary>
    public static IServiceCollection AddHvMirrorBus(
        this IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator> addConsumers)
    {
        var rabbit = configuration.GetConnectionString("RabbitMq");
        // On SIGTERM a consumer gets this long to finish before its CancellationToken fires (downloads are then
        // abandoned, their partial files removed and their messages returned to the queue). The bus and the host get a
        // little longer, so they never cut a consumer short; Kubernetes' grace period must be longer still.
        var consumerStop = configuration.GetValue<TimeSpan?>("HvMirror:ConsumerStopTimeout") ?? TimeSpan.FromSeconds(20);
        services.AddOptions<MassTransitHostOptions>().Configure(options =>
        {
            options.WaitUntilStarted = true;
            options.ConsumerStopTimeout = consumerStop;
            options.StopTimeout = consumerStop + TimeSpan.FromSeconds(5);
        });
        services.Configure<HostOptions>(options =>
        {
            if (options.ShutdownTimeout < consumerStop + TimeSpan.FromSeconds(10))
                options.ShutdownTimeout = consumerStop + TimeSpan.FromSeconds(10);
        });
        var quorumQueues = configuration.GetValue<bool>("HvMirror:Messaging:QuorumQueues");
        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            // MassTransit 8.4+ reports its configuration to usage-tracking.masstransit.io a minute after start: an archive
            // server should not call out unasked, and one without a route out logged a warning for it in every host.
            // MASSTRANSIT_USAGE_TELEMETRY=true turns it back on.
            bus.DisableUsageTelemetry();
            // The bus's own health check decides readiness (/health/ready) together with the catalog's.
            bus.ConfigureHealthCheckOptions(options =>
            {
                options.Name = "bus";
                options.MinimalFailureStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy;
                options.Tags.Add(ServiceDefaultsExtensions.ReadyTag);
            });
            addConsumers(bus);
            if (quorumQueues)
            {
                // Replicated queues for a RabbitMQ cluster (the production overlay): the queue type is fixed when a queue
                // is declared, so existing classic queues must be drained and deleted once before switching.
                bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
                {
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbitEndpoint) rabbitEndpoint.SetQuorumQueue();
                });
            }
            if (string.IsNullOrWhiteSpace(rabbit))
            {
                bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
            else
            {
                var address = RabbitMqAddress.Parse(rabbit);
                bus.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(address.Host, address.Port, address.VirtualHost, host =>
                    {
                        host.Username(address.Username);
                        host.Password(address.Password);
                        if (address.UseTls) host.UseSsl(ssl => ssl.Protocol = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
                        // The poller advances its cursor only after the broker confirmed what it published.
                        host.PublisherConfirmation = true;
                    });
                    cfg.ConfigureEndpoints(context);
                });
            }
        });
        return services;
    }

    public static bool IsDistributed(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString("RabbitMq"));
}
