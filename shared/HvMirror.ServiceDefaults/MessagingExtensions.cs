using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
        services.AddOptions<MassTransitHostOptions>().Configure(options =>
        {
            options.WaitUntilStarted = true;
            // On SIGTERM a consumer gets this long to finish before its CancellationToken fires (downloads are then
            // abandoned, their partial files removed and their messages returned to the queue).
            options.ConsumerStopTimeout = configuration.GetValue<TimeSpan?>("HvMirror:ConsumerStopTimeout") ?? TimeSpan.FromSeconds(20);
            options.StopTimeout = TimeSpan.FromSeconds(30);
        });
        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            // The bus's own health check decides readiness (/health/ready) together with the catalog's.
            bus.ConfigureHealthCheckOptions(options =>
            {
                options.Name = "bus";
                options.MinimalFailureStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy;
                options.Tags.Add(ServiceDefaultsExtensions.ReadyTag);
            });
            addConsumers(bus);
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

    /// <summary>
    /// Why a single-role host cannot start, or null. Alone in its process, the in-memory bus would swallow messages no
    /// other role can receive (a poller would even move its cursors past records nobody got).
    /// </summary>
    public static string? RefuseEmbedded(IConfiguration configuration, string role) => IsDistributed(configuration)
        ? null
        : $"The {role} host runs in distributed mode: set ConnectionStrings__RabbitMq (amqp://user:pass@host:5672/vhost) and " +
          "ConnectionStrings__Catalog (Host=…;Database=…). To run every role in one process without a broker, use `hvmirror mirror`.";
}
