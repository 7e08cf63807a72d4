using System.Net;
using HvMirror.Ingestion;
using HvMirror.Upstreams;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HvMirror.Fetcher;

public static class FetcherRole
{
    /// <summary>
    /// The fetcher's services (options from <c>HvMirror:Fetcher</c> and <c>HvMirror:Upstreams</c>, checked at start):
    /// downloads over a pooled HttpClient into the archive's staging folder, and the ingester that places them.
    /// </summary>
    public static IServiceCollection AddFetcherServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FetcherOptions>().Bind(configuration.GetSection(FetcherOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FetcherOptions>, FetcherOptionsValidator>());
        services.AddUpstreams(configuration);
        services.AddIngestion();
        services.TryAddSingleton<UpstreamDirectory>();
        services.TryAddSingleton<FetchGate>();
        services.TryAddSingleton<FileDownloader>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<PartialFileSweeper>();
        services.AddHttpClient(FileDownloader.HttpClientName, http =>
            {
                http.Timeout = Timeout.InfiniteTimeSpan; // stalls are caught per read; a 1 GB file may take long
                http.DefaultRequestHeaders.UserAgent.ParseAdd("HvMirror-fetcher/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // The downloader decodes a compressed body itself, so that it can name the encoding when that fails.
                AutomaticDecompression = DecompressionMethods.None,
                // The downloader follows redirects itself, checking each hop against the upstream's allowed hosts.
                AllowAutoRedirect = false,
                ConnectTimeout = TimeSpan.FromSeconds(15),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        return services;
    }

    /// <summary>Adds the fetcher's consumer (queue <c>file-needed</c>).</summary>
    public static IBusRegistrationConfigurator AddFetcher(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<FileNeededConsumer, FileNeededConsumerDefinition>();
        return bus;
    }
}
