using Refit;

namespace HvMirror.HapiClient;

/// <summary>
/// The four HAPI endpoints a mirror uses, relative to an upstream's HAPI base URL (the one ending in <c>/hapi</c>).
/// Every method answers the raw <see cref="HttpResponseMessage"/>: the body is read by <see cref="HapiClient"/>, which
/// tells a HAPI status from an HTML page or a proxy's error and streams <c>/data</c> without buffering it.
/// HAPI 3 and HAPI 2 name the request parameters differently, hence two methods for <c>info</c> and <c>data</c>.
/// </summary>
public interface IHapiApi
{
    [Get("/capabilities")]
    Task<HttpResponseMessage> CapabilitiesAsync(CancellationToken cancellationToken = default);

    [Get("/catalog")]
    Task<HttpResponseMessage> CatalogAsync(CancellationToken cancellationToken = default);

    /// <summary>HAPI 3.x: <c>/info?dataset=…</c>.</summary>
    [Get("/info")]
    Task<HttpResponseMessage> InfoAsync([AliasAs("dataset")] string dataset, CancellationToken cancellationToken = default);

    /// <summary>HAPI 2.x: <c>/info?id=…</c>.</summary>
    [Get("/info")]
    Task<HttpResponseMessage> InfoV2Async([AliasAs("id")] string id, CancellationToken cancellationToken = default);

    /// <summary>HAPI 3.x: <c>/data?dataset=…&amp;start=…&amp;stop=…&amp;parameters=…&amp;format=csv</c>.</summary>
    [Get("/data")]
    Task<HttpResponseMessage> DataAsync(
        [AliasAs("dataset")] string dataset,
        [AliasAs("start")] string start,
        [AliasAs("stop")] string stop,
        [AliasAs("parameters")] string parameters,
        [AliasAs("format")] string format,
        CancellationToken cancellationToken = default);

    /// <summary>HAPI 2.x: <c>/data?id=…&amp;time.min=…&amp;time.max=…&amp;parameters=…&amp;format=csv</c>.</summary>
    [Get("/data")]
    Task<HttpResponseMessage> DataV2Async(
        [AliasAs("id")] string id,
        [AliasAs("time.min")] string timeMin,
        [AliasAs("time.max")] string timeMax,
        [AliasAs("parameters")] string parameters,
        [AliasAs("format")] string format,
        CancellationToken cancellationToken = default);
}
