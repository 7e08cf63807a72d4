using HvMirror.Upstreams;
using Microsoft.Extensions.Options;

namespace HvMirror.Fetcher.Tests;

/// <summary>The allow-list every file url and every redirect hop is checked against: scheme, host and port.</summary>
public sealed class UpstreamDirectoryTests
{
    private static readonly UpstreamOptions HttpUpstream = new()
    {
        Name = "primary",
        Url = new Uri("http://hapi.example.org:8080/hapi"),
        FileHosts = ["cdn.example.org", "files.example.org:8443", "::1"],
    };

    private static readonly UpstreamDirectory Directory = new(Options.Create(new UpstreamsOptions { Upstreams = [HttpUpstream] }));

    [Theory]
    [InlineData("http://hapi.example.org:8080/jp2/a.jp2")]
    [InlineData("https://hapi.example.org/jp2/a.jp2")] // the upstream's host upgraded to https
    [InlineData("http://cdn.example.org/jp2/a.jp2")]
    [InlineData("https://cdn.example.org/jp2/a.jp2")]
    [InlineData("https://files.example.org:8443/jp2/a.jp2")]
    [InlineData("http://[::1]/jp2/a.jp2")]
    public void A_url_on_the_upstreams_origin_or_a_file_host_is_allowed(string url)
    {
        Assert.Null(Directory.RefuseUrl(HttpUpstream, new Uri(url)));
    }

    [Theory]
    [InlineData("http://hapi.example.org/jp2/a.jp2")]       // the upstream's host, another port
    [InlineData("http://hapi.example.org:22/jp2/a.jp2")]
    [InlineData("http://cdn.example.org:8080/jp2/a.jp2")]   // a file host without a port admits only the default one
    [InlineData("https://files.example.org/jp2/a.jp2")]     // a file host with a port admits only that one
    [InlineData("http://[::1]:8080/jp2/a.jp2")]
    [InlineData("http://127.0.0.1:8080/jp2/a.jp2")]
    [InlineData("http://elsewhere.example.org:8080/jp2/a.jp2")]
    public void A_url_on_another_host_or_port_is_refused_saying_how_to_allow_it(string url)
    {
        var problem = Directory.RefuseUrl(HttpUpstream, new Uri(url));

        Assert.NotNull(problem);
        Assert.Contains("neither the upstream's host nor one of its HvMirror:Upstreams:N:FileHosts", problem);
        Assert.Contains("host:port", problem);
    }

    [Theory]
    [InlineData("http://elsewhere.example.org:8080/jp2/a.jp2", "elsewhere.example.org:8080")]
    [InlineData("https://cdn2.example.org/jp2/a.jp2", "cdn2.example.org")]
    [InlineData("http://[::2]:9000/jp2/a.jp2", "[::2]:9000")]
    public void A_refused_url_names_the_mirror_option_and_the_setting_with_the_entry_that_would_allow_it(string url, string entry)
    {
        var problem = Directory.RefuseUrl(HttpUpstream, new Uri(url));

        Assert.NotNull(problem);
        Assert.Contains($"hvmirror mirror --file-hosts {entry}", problem);
        Assert.Contains($"HvMirror__Upstreams__N__FileHosts__M={entry}", problem);
        // The entry offered really is one that admits the url, and only on its own port.
        Assert.True(FileHost.TryParse(entry, out _));
        var allowed = new UpstreamOptions { Name = "primary", Url = HttpUpstream.Url, FileHosts = [entry] };
        Assert.Null(Directory.RefuseUrl(allowed, new Uri(url)));
        Assert.NotNull(Directory.RefuseUrl(allowed, new UriBuilder(url) { Port = 9 }.Uri));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://hapi.example.org:8080/jp2/a.jp2")]
    public void A_url_that_is_not_http_is_refused(string url)
    {
        Assert.Contains("is not an absolute http(s) url", Directory.RefuseUrl(HttpUpstream, new Uri(url)));
    }

    [Fact]
    public void An_https_upstream_never_sends_this_node_to_plain_http()
    {
        var https = new UpstreamOptions { Name = "secure", Url = new Uri("https://hapi.example.org/hapi"), FileHosts = ["cdn.example.org"] };

        Assert.Null(Directory.RefuseUrl(https, new Uri("https://cdn.example.org/jp2/a.jp2")));
        Assert.Contains("plain http", Directory.RefuseUrl(https, new Uri("http://hapi.example.org/jp2/a.jp2")));
        Assert.Contains("plain http", Directory.RefuseUrl(https, new Uri("http://cdn.example.org/jp2/a.jp2")));
    }

    [Theory]
    [InlineData("cdn.example.org", "cdn.example.org", null)]
    [InlineData("cdn.example.org:8443", "cdn.example.org", 8443)]
    [InlineData("10.0.0.5", "10.0.0.5", null)]
    [InlineData("::1", "[::1]", null)]
    [InlineData("[::1]:8443", "[::1]", 8443)]
    public void A_file_host_is_a_host_with_or_without_a_port(string entry, string host, int? port)
    {
        Assert.True(FileHost.TryParse(entry, out var fileHost));
        Assert.Equal(new FileHost(host, port), fileHost);
    }

    [Theory]
    [InlineData("not a host/")]
    [InlineData("cdn.example.org/files")]
    [InlineData("user@cdn.example.org")]
    [InlineData("http://cdn.example.org")]
    [InlineData("cdn.example.org:http")]
    [InlineData("")]
    public void Anything_else_is_not_a_file_host(string entry)
    {
        Assert.False(FileHost.TryParse(entry, out _));
    }
}
