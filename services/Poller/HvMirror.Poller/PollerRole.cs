using HvMirror.Catalog;
using HvMirror.HapiClient;
using HvMirror.Upstreams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HvMirror.Poller;

public static class PollerRole
{
    /// <summary>
    /// The poller's services (options from <c>HvMirror:Poller</c> and <c>HvMirror:Upstreams</c>, checked at start);
    /// <paramref name="background"/> adds the service that polls on each upstream's interval. It must be registered after
    /// the bus (hosted services start in order, and the first poll must find the bus started): <c>AddHvMirrorNode</c> does.
    /// </summary>
    public static IServiceCollection AddPoller(this IServiceCollection services, IConfiguration configuration, bool background = true)
    {
        services.AddOptions<PollerOptions>().Bind(configuration.GetSection(PollerOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PollerOptions>, PollerOptionsValidator>());
        services.AddUpstreams(configuration);
        services.TryAddSingleton<MirrorCursorStore>();
        services.TryAddSingleton<UpstreamPoller>();
        services.TryAddSingleton<WorkListRedriver>();
        services.TryAddSingleton(new InFlightAnnouncements(tracked: false));
        services.TryAddSingleton<AnnouncementBackpressure>();
        services.AddHttpClient(UpstreamPoller.HttpClientName, http => http.Timeout = TimeSpan.FromMinutes(5))
            .ConfigurePrimaryHttpMessageHandler(UpstreamClient.CreateHandler);
        if (background) services.AddHostedService<PollerService>();
        return services;
    }
}
