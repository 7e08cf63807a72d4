using HvMirror.Helioviewer;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HvMirror.HelioviewerWriter;

public static class HelioviewerWriterRole
{
    /// <summary>
    /// The writer's services: <c>HvMirror:Helioviewer</c> (its <c>Database</c> is required, checked at start), the tile
    /// cache when <c>CacheDir</c> is set, and the row writer (needs <c>AddCatalog</c> for the archive and the sources).
    /// </summary>
    public static IServiceCollection AddHelioviewerWriterServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHelioviewerDatabase(configuration);
        services.TryAddSingleton(sp => new HelioviewerRowWriter(
            sp.GetRequiredService<HelioviewerDatabase>(),
            sp.GetRequiredService<HvMirror.Archive.ArchiveLocation>(),
            sp.GetRequiredService<HvMirror.Archive.DataSources>(),
            sp.GetRequiredService<IOptions<HelioviewerOptions>>().Value.OpenTileCache(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<HelioviewerRowWriter>>()));
        return services;
    }

    /// <summary>Adds the writer's consumer (queue <c>helioviewer-writer</c>).</summary>
    public static IBusRegistrationConfigurator AddHelioviewerWriter(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<HelioviewerWriterConsumer, HelioviewerWriterConsumerDefinition>();
        return bus;
    }
}
