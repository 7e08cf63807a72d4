using HvMirror.Upstreams;
using Microsoft.Extensions.Options;

namespace HvMirror.Fetcher;

/// <summary>The configured upstreams, and where each may send this node for files.</summary>
public sealed class UpstreamDirectory(IOptions<UpstreamsOptions> options)
{
    public UpstreamOptions? Find(string name) =>
        options.Value.Find(name);

    /// <summary>
    /// A file url, and every url an upstream redirects to, must be http(s) on the upstream's own host and port (or that
    /// host over https on 443) or on one of its configured file hosts, and never plain http when the upstream is https:
    /// neither a record nor a redirect can make this node download from anywhere else (another host, a local service on
    /// another port, a <c>file:</c> url).
    /// </summary>
    /// <returns>Why the url is refused, or null when it is allowed.</returns>
    public string? RefuseUrl(UpstreamOptions upstream, Uri url)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            return $"the url {url} is not an absolute http(s) url";
        var own = upstream.BaseUrl;
        if (url.Scheme == "http" && own.Scheme == "https")
            return $"the url {url} is plain http while the upstream ({own.GetLeftPart(UriPartial.Authority)}) is https: a file is never fetched less securely";
        var ownHost = string.Equals(url.Host, own.Host, StringComparison.OrdinalIgnoreCase)
            && (url.Port == own.Port || url is { Scheme: "https", IsDefaultPort: true });
        if (ownHost || upstream.FileHosts.Any(entry => FileHost.TryParse(entry, out var fileHost) && fileHost.Admits(url)))
            return null;
        var fileHosts = upstream.FileHosts.Count == 0 ? "none" : string.Join(", ", upstream.FileHosts);
        var entry = FileHost.EntryFor(url);
        return $"{url.GetLeftPart(UriPartial.Authority)} is neither the upstream's host nor one of its HvMirror:Upstreams:N:FileHosts " +
               $"(the upstream {upstream.Name} is {own.GetLeftPart(UriPartial.Authority)}; file hosts: {fileHosts}): if the upstream's files " +
               $"really are served there (a CDN, another name of the same host), allow it with `hvmirror mirror --file-hosts {entry}` " +
               $"or HvMirror__Upstreams__N__FileHosts__M={entry} (as host for the default port, or host:port)";
    }
}
