using HvMirror.Archive;
using System.IO.Compression;
using HvMirror.Catalog;
using HvMirror.HapiServer.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.HapiServer;

public static class HapiServerExtensions
{
    /// <summary>
    /// Registers the HAPI server role: options from <c>HvMirror</c> (<c>PublicUrl</c>, <c>Hapi:*</c>), the node's archive and
    /// catalog (<see cref="CatalogServiceCollectionExtensions.AddCatalog"/>), gzip for <c>/hapi</c> responses, and CORS for
    /// <c>/hapi</c> and <c>/jp2</c>.
    /// </summary>
    public static IServiceCollection AddHapiServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HapiServerOptions>().Bind(configuration.GetSection(HapiServerOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HapiServerOptions>, HapiServerOptionsValidator>());
        services.AddCatalog(configuration);
        services.TryAddSingleton<HapiDatasets>();
        services.TryAddSingleton<HapiResponder>();
        services.TryAddSingleton<HapiMetadataEndpoints>();
        services.TryAddSingleton<HapiDataEndpoint>();
        services.TryAddSingleton<Jp2Files>();
        services.TryAddSingleton<StatusReader>();
        services.TryAddSingleton<StatusEndpoints>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, HapiStartupFilter>());

        // Public data for any page to read (HAPI 3.3 §5.1): any origin, the two methods served, the one header HAPI names.
        services.AddCors(o => o.AddPolicy(HapiStartupFilter.CorsPolicy,
            policy => policy.AllowAnyOrigin().WithMethods(HttpMethods.Get, HttpMethods.Head).WithHeaders("Content-Type")));

        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true; // public data, no secrets to leak through compression side channels
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["text/csv"]).ToArray();
        });
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        return services;
    }

    /// <summary>
    /// Maps <c>/hapi</c>, <c>/hapi/capabilities</c>, <c>/hapi/about</c>, <c>/hapi/catalog</c>, <c>/hapi/info</c>,
    /// <c>/hapi/data</c> (GET and HEAD), 1400 for other paths under <c>/hapi/</c>, and <c>/jp2/{**path}</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapHapi(this IEndpointRouteBuilder endpoints)
    {
        var hapi = endpoints.ServiceProvider.GetRequiredService<HapiMetadataEndpoints>();
        var data = endpoints.ServiceProvider.GetRequiredService<HapiDataEndpoint>();
        var files = endpoints.ServiceProvider.GetRequiredService<Jp2Files>();
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        endpoints.MapMethods("/hapi", methods, hapi.Landing);
        endpoints.MapMethods("/hapi/capabilities", methods, hapi.Capabilities);
        endpoints.MapMethods("/hapi/about", methods, hapi.About);
        endpoints.MapMethods("/hapi/catalog", methods, hapi.Catalog);
        endpoints.MapMethods("/hapi/info", methods, hapi.Info);
        endpoints.MapMethods("/hapi/data", methods, data.Data);
        endpoints.MapMethods("/hapi/{**rest}", methods, hapi.Unknown);
        endpoints.MapMethods("/jp2/{**path}", methods, files.Serve);
        return endpoints;
    }

    /// <summary>
    /// Maps <c>/status</c> (this node's audits, cursors and work list as a page; one source's with
    /// <c>?upstream=U&amp;dataset=D</c>) and <c>/status.json</c>, GET and HEAD.
    /// </summary>
    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder endpoints)
    {
        var status = endpoints.ServiceProvider.GetRequiredService<StatusEndpoints>();
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        endpoints.MapMethods("/status", methods, status.Page);
        endpoints.MapMethods("/status.json", methods, status.Json);
        return endpoints;
    }
}

/// <summary>
/// CORS for <c>/hapi</c> and <c>/jp2</c>, and gzip for <c>/hapi</c> and <c>/status</c> responses when the client asks, without the host
/// having to add middleware.
/// </summary>
internal sealed class HapiStartupFilter : IStartupFilter
{
    public const string CorsPolicy = "hapi";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/hapi") || c.Request.Path.StartsWithSegments("/jp2"),
            branch => branch.UseCors(CorsPolicy));
        // The status page of 150 sources is a few MB of repetitive markup: gzip takes it to a tenth.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/hapi") || c.Request.Path.StartsWithSegments("/status")
                || c.Request.Path.StartsWithSegments("/status.json"),
            branch => branch.UseResponseCompression());
        next(app);
    };
}
