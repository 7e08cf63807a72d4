using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HvMirror.Upstreams;

public static class UpstreamServiceCollectionExtensions
{
    /// <summary>Binds <see cref="UpstreamsOptions"/> from <c>HvMirror:Upstreams</c> and validates it (every item) when the host starts.</summary>
    public static IServiceCollection AddUpstreams(this IServiceCollection services, IConfiguration configuration)
    {
        // The poller and the fetcher both need the upstreams; binding twice would list every upstream twice.
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<UpstreamsOptions>))) return services;
        services.AddOptions<UpstreamsOptions>()
            .Bind(configuration.GetSection(UpstreamsOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<UpstreamsOptions>, UpstreamsOptionsValidator>();
        return services;
    }
}

/// <summary>Every upstream's own checks (generated from its attributes), and names unique across upstreams.</summary>
[OptionsValidator]
public sealed partial class UpstreamsOptionsValidator : IValidateOptions<UpstreamsOptions>;
