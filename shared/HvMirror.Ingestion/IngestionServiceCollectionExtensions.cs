using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HvMirror.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>The ingester and the stager it hashes files into the archive with (needs <c>AddCatalog</c>).</summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.TryAddSingleton<FileStager>();
        services.TryAddSingleton<ArchiveIngester>();
        return services;
    }
}
