using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HvMirror.Helioviewer;

public static class HelioviewerServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="HelioviewerOptions"/> bound from <c>HvMirror:Helioviewer</c> and checked at start (a missing or
    /// malformed <c>Database</c> stops the host with a message naming the setting), and the database they name.
    /// </summary>
    public static IServiceCollection AddHelioviewerDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HelioviewerOptions>().Bind(configuration.GetSection(HelioviewerOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HelioviewerOptions>, HelioviewerOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<HelioviewerOptions>>().Value.OpenDatabase());
        return services;
    }
}
