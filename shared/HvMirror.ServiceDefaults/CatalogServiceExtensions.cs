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
    /// Options, archive and catalog for a host: <c>HvMirror:*</c> and <c>ConnectionStrings:Catalog</c> (PostgreSQL
    /// <c>Host=…</c>, or a SQLite path; default <c>&lt;archive&gt;/.hvmirror/catalog.db</c>).
    /// </summary>
    public static IServiceCollection AddHvMirrorCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HvMirrorOptions>().Bind(configuration.GetSection(HvMirrorOptions.Section)).ValidateDataAnnotations();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(DataSources.Helioviewer);
        services.TryAddSingleton(sp => new ArchiveLocation(sp.GetRequiredService<IOptions<HvMirrorOptions>>().Value.Archive));
        services.TryAddSingleton(sp =>
        {
            var value = configuration.GetConnectionString("Catalog");
            return new CatalogDbContextFactory(string.IsNullOrWhiteSpace(value)
                ? CatalogConnection.ForSqliteFile(sp.GetRequiredService<ArchiveLocation>().DefaultSqliteCatalog)
                : CatalogConnection.Parse(value));
        });
        services.TryAddSingleton(sp => new IngestionClock(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<FileRegistry>();
        services.TryAddSingleton<ArchiveIngester>();
        return services;
    }
}
