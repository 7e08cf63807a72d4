using HvMirror.Helioviewer;
using HvMirror.Ingestion;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HvMirror.Follower;

public static class FollowerRole
{
    /// <summary>
    /// The follower (needs <c>AddCatalog</c>): <c>HvMirror:Helioviewer:Database</c> (required) and <c>HvMirror:Follower</c>,
    /// both checked at start, the ingester it registers files in place with and, with <paramref name="inBackground"/>,
    /// the service that follows the database for as long as the host runs.
    /// </summary>
    public static IServiceCollection AddFollower(this IServiceCollection services, IConfiguration configuration, bool inBackground = true)
    {
        services.AddHelioviewerDatabase(configuration);
        services.AddOptions<FollowerOptions>().Bind(configuration.GetSection(FollowerOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FollowerOptions>, FollowerOptionsValidator>());
        services.AddIngestion();
        services.TryAddSingleton<HelioviewerFollower>();
        if (inBackground) services.AddHostedService<FollowerService>();
        return services;
    }
}
