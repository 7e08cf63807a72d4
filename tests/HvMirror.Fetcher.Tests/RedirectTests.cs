using HvMirror.Archive;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HvMirror.Fetcher.Tests;

/// <summary>
/// A redirect cannot take a fetcher anywhere a record's url could not (issue 9, item 4): every hop must stay on the
/// upstream's own scheme, host and port or a configured file host, against real servers on 127.0.0.1, 127.0.0.2 and ::1.
/// </summary>
public sealed class RedirectTests() : LoopbackUpstreamTests(SampleJp2.Create("redirected"))
{
    private readonly Dictionary<string, LoopbackServer> _elsewhere = [];

    protected override void MapEndpoints(WebApplication app)
    {
        app.MapGet("/jp2/file.jp2", () => Results.Bytes(Jp2File, "image/jp2"));
        app.MapGet("/jp2/moved.jp2", () => Results.Redirect("/jp2/file.jp2"));
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
        app.MapGet("/loop", () => Results.Redirect("/loop"));
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // Another host, another host over IPv6, and the upstream's own host on another port.
        foreach (var (name, address) in new[] { ("other host", "127.0.0.2"), ("IPv6 loopback", "[::1]"), ("other port", "127.0.0.1") })
            _elsewhere[name] = await LoopbackServer.StartAsync(address, app => app.MapGet("/jp2/file.jp2", () => Results.Bytes(Jp2File, "image/jp2")));
    }

    [Theory]
    [InlineData("other host")]
    [InlineData("IPv6 loopback")]
    [InlineData("other port")]
    public async Task A_redirect_off_theUpstream_is_refused_as_permanent_naming_the_url_and_never_requested(string target)
    {
        var offList = _elsewhere[target].Url("/jp2/file.jp2");
        await using var node = new DownloaderNode(Upstream.BaseUrl);

        var e = await Assert.ThrowsAsync<PermanentFetchException>(() => node.DownloadAsync(RedirectTo(offList)));

        Assert.Contains($"redirected to {offList}", e.Message);
        Assert.Contains("neither the upstream's host nor one of its HvMirror:Upstreams:N:FileHosts", e.Message);
        Assert.Equal(0, _elsewhere[target].Requests);
        Assert.Empty(node.StagedLeftovers());
    }

    [Fact]
    public async Task A_redirect_to_aJp2File_url_is_refused_as_permanent_naming_the_url()
    {
        await using var node = new DownloaderNode(Upstream.BaseUrl);

        var e = await Assert.ThrowsAsync<PermanentFetchException>(() => node.DownloadAsync(RedirectTo(new Uri("file:///etc/passwd"))));

        Assert.Contains("redirected to file:///etc/passwd", e.Message);
        Assert.Contains("not an absolute http(s) url", e.Message);
    }

    [Fact]
    public async Task A_redirect_within_theUpstream_is_followed()
    {
        await using var node = new DownloaderNode(Upstream.BaseUrl);

        using var staged = await node.DownloadAsync(Upstream.Url("/jp2/moved.jp2"));

        Assert.Equal(Checksum.Sha256Of(Jp2File), staged.Checksum);
    }

    [Fact]
    public async Task A_redirect_to_a_configuredJp2File_host_and_port_is_followed()
    {
        var cdn = _elsewhere["other host"];
        await using var node = new DownloaderNode(Upstream.BaseUrl, FileHosts(cdn.BaseUrl.Authority));

        using var staged = await node.DownloadAsync(RedirectTo(cdn.Url("/jp2/file.jp2")));

        Assert.Equal(Checksum.Sha256Of(Jp2File), staged.Checksum);
        Assert.Equal(1, cdn.Requests);
    }

    [Fact]
    public async Task AJp2File_host_configured_without_a_port_admits_only_the_default_port()
    {
        var cdn = _elsewhere["other host"];
        await using var node = new DownloaderNode(Upstream.BaseUrl, FileHosts(cdn.BaseUrl.Host));

        var e = await Assert.ThrowsAsync<PermanentFetchException>(() => node.DownloadAsync(RedirectTo(cdn.Url("/jp2/file.jp2"))));

        Assert.Contains("host:port", e.Message);
        Assert.Equal(0, cdn.Requests);
    }

    [Fact]
    public async Task A_redirect_loop_is_given_up_after_a_few_hops_as_permanent()
    {
        await using var node = new DownloaderNode(Upstream.BaseUrl);

        var e = await Assert.ThrowsAsync<PermanentFetchException>(() => node.DownloadAsync(Upstream.Url("/loop")));

        Assert.Contains("redirected more than 5 times", e.Message);
        Assert.InRange(Upstream.Requests, 6, 6);
    }

    private Uri RedirectTo(Uri target) => Upstream.Url("/redirect?to=" + Uri.EscapeDataString(target.ToString()));

    private static Dictionary<string, string?> FileHosts(string entry) => new() { ["HvMirror:Upstreams:0:FileHosts:0"] = entry };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var server in _elsewhere.Values)
            await server.DisposeAsync();
    }
}
