using HvMirror.Upstreams;
using Microsoft.Extensions.Options;

namespace HvMirror.Fetcher;

/// <summary>The configured upstreams, and which hosts each may send this node to for files.</summary>
public sealed class UpstreamDirectory(IOptions<UpstreamsOptions> options)
{
    public UpstreamOptions? Find(string name) =>
        options.Value.Find(name);

    /// <summary>
    /// A file url must be http(s) on the upstream's own host (or one of its configured file hosts): a record cannot
    /// make this node download from anywhere else.
    /// </summary>
    public string? RefuseUrl(UpstreamOptions upstream, Uri url)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            return $"the url {url} is not an absolute http(s) url";
        var allowed = upstream.FileHosts.Append(upstream.BaseUrl.Host);
        return allowed.Any(host => string.Equals(host, url.Host, StringComparison.OrdinalIgnoreCase))
            ? null
            : $"the url's host '{url.Host}' is neither the upstream's host nor one of its HvMirror:Upstreams:N:FileHosts";
    }
}
