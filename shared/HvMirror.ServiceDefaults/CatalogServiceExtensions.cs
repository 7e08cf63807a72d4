using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Ingestion;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HvMirror.ServiceDefaults;

public static class CatalogServiceExtensions
{
    /// <summary>
    /// Options, archive and catalog for a host (<see cref="CatalogServiceCollectionExtensions.AddCatalog"/>, migrated at
    /// start), and the ingester the fetcher places files with.
    /// </summary>
    public static IServiceCollection AddHvMirrorCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HvMirrorOptions>().Bind(configuration.GetSection(HvMirrorOptions.Section)).ValidateDataAnnotations();
        services.TryAddSingleton(DataSources.Helioviewer);
        services.AddCatalog(configuration);
        services.TryAddSingleton<ArchiveIngester>();
        return services;
    }
}
