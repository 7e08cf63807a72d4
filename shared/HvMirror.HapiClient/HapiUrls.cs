using System.Text;
using static HvMirror.HapiClient.UpstreamText;

namespace HvMirror.HapiClient;

/// <summary>
/// The URLs of the four HAPI requests a mirror makes, under an upstream's HAPI base URL (the one ending in <c>/hapi</c>,
/// with or without a trailing slash). HAPI 3 and HAPI 2 name the request parameters differently.
/// </summary>
/// <remarks>
/// No Refit: its typed answers would not serve, because every answer has to be read raw (a bounded body, the HAPI code
/// in the status line, an HTML page from a proxy, <c>/data</c> streamed as it arrives), and four URLs need no library.
/// </remarks>
internal sealed class HapiUrls(Uri hapiBaseUrl)
{
    private readonly string _base = hapiBaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');

    public Uri Capabilities => Build("capabilities");

    public Uri Catalog => Build("catalog");

    /// <summary><c>/catalog?depth=all</c>: every dataset with its info (HAPI 3.3).</summary>
    public Uri CatalogWithInfo => new(Build("catalog") + "?depth=all");

    public Uri Info(string dataset, bool hapi2) => Build("info", (hapi2 ? "id" : "dataset", dataset));

    /// <summary>
    /// The records of [<paramref name="start"/>, <paramref name="stop"/>) as csv, only the parameters a mirror reads,
    /// listed in the dataset's order (<paramref name="parameters"/>, default the order HvMirror itself serves).
    /// </summary>
    public Uri Data(string dataset, DateTime start, DateTime stop, bool hapi2, IReadOnlyList<string>? parameters = null) => Build("data",
        (hapi2 ? "id" : "dataset", dataset),
        (hapi2 ? "time.min" : "start", FormatTime(start)),
        (hapi2 ? "time.max" : "stop", FormatTime(stop)),
        ("parameters", parameters is null ? UpstreamClient.RequestedParameters : string.Join(",", parameters)),
        ("format", "csv"));

    private Uri Build(string endpoint, params ReadOnlySpan<(string Name, string Value)> query)
    {
        var url = new StringBuilder(_base).Append('/').Append(endpoint);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            url.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        return new Uri(url.ToString(), UriKind.Absolute);
    }
}
