using System.Net;
using HvMirror.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HvMirror.Poller;

public static class PollerRole
{
    /// <summary>
    /// The poller's services; <paramref name="background"/> adds the service that polls on each upstream's interval. Call it
    /// after AddHvMirrorBus: hosted services start in order, and the first poll must find the bus started.
    /// </summary>
    public static IServiceCollection AddPoller(this IServiceCollection services, bool background = true)
    {
        services.TryAddSingleton<MirrorCursorStore>();
        services.TryAddSingleton<UpstreamPoller>();
        services.AddHttpClient(UpstreamPoller.HttpClientName, http => http.Timeout = TimeSpan.FromMinutes(5))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                ConnectTimeout = TimeSpan.FromSeconds(15),
            });
        if (background) services.AddHostedService<PollerService>();
        return services;
    }
}
