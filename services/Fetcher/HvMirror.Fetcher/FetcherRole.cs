using System.Net;
using HvMirror.Ingestion;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HvMirror.Fetcher;

public static class FetcherRole
{
    /// <summary>The fetcher's services: downloads over a pooled, decompressing HttpClient into the archive's staging folder.</summary>
    public static IServiceCollection AddFetcherServices(this IServiceCollection services)
    {
        services.TryAddSingleton<UpstreamDirectory>();
        services.TryAddSingleton<FetchGate>();
        services.TryAddSingleton<FileStager>();
        services.TryAddSingleton<FileDownloader>();
        services.AddHttpClient(FileDownloader.HttpClientName, http =>
            {
                http.Timeout = Timeout.InfiniteTimeSpan; // stalls are caught per read; a 1 GB file may take long
                http.DefaultRequestHeaders.UserAgent.ParseAdd("HvMirror-fetcher/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.None,
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
