using System.Diagnostics;
using HvMirror.Archive;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HvMirror.Fetcher.Tests;

/// <summary>
/// A file that drips in slower than <c>HvMirror:Fetcher:MinimumRate</c> gives its download slot back (issue 9, item 7),
/// against a real server that sends a few bytes at a time; small settings keep each test to a second or two.
/// </summary>
public sealed class SlowDownloadTests() : LoopbackUpstreamTests(SampleJp2.Create("dripping", padToBytes: 3000))
{
    protected override void MapEndpoints(WebApplication app)
    {
        // 20 bytes every 100 ms: 200 bytes/s, 15 s for the whole file.
        app.MapGet("/jp2/drip.jp2", (HttpContext context) => SendInChunksAsync(context, chunkBytes: 20, TimeSpan.FromMilliseconds(100)));
        // 300 bytes every 100 ms: 3,000 bytes/s, one second for the whole file.
        app.MapGet("/jp2/steady.jp2", (HttpContext context) => SendInChunksAsync(context, chunkBytes: 300, TimeSpan.FromMilliseconds(100)));
        app.MapGet("/jp2/silent.jp2", async (HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            return Results.Bytes(Jp2File, "image/jp2");
        });
    }

    [Fact]
    public async Task A_download_slower_than_the_minimum_rate_fails_as_transient_within_the_window()
    {
        await using var node = new DownloaderNode(Upstream.BaseUrl, Rate(minimumBytesPerSecond: 1000, window: "00:00:00.500"));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<TransientFetchException>(() => node.DownloadAsync(Upstream.Url("/jp2/drip.jp2")));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.4), TimeSpan.FromSeconds(5));
        Assert.Contains("less than HvMirror:Fetcher:MinimumRate (1,000 bytes/s)", e.Message);
        Assert.Contains("HvMirror:Fetcher:MinimumRateWindow", e.Message);
        Assert.Empty(node.StagedLeftovers());
    }

    [Fact]
    public async Task A_download_above_the_minimum_rate_completes()
    {
        // Far below the 3,000 bytes/s sent: a loaded CI machine stretches the sender's delays (934 bytes/s was seen at 1,000).
        await using var node = new DownloaderNode(Upstream.BaseUrl, Rate(minimumBytesPerSecond: 300, window: "00:00:00.500"));

        using var staged = await node.DownloadAsync(Upstream.Url("/jp2/steady.jp2"));

        Assert.Equal(Checksum.Sha256Of(Jp2File), staged.Checksum);
    }

    [Fact]
    public async Task A_minimum_rate_of_zero_turns_the_check_off()
    {
        await using var node = new DownloaderNode(Upstream.BaseUrl, Rate(minimumBytesPerSecond: 0, window: "00:00:00.100"));

        using var staged = await node.DownloadAsync(Upstream.Url("/jp2/steady.jp2"));

        Assert.Equal(Jp2File.Length, staged.Size);
    }

    [Fact]
    public async Task AnUpstream_that_accepts_and_never_answers_fails_as_transient_after_the_stall_timeout()
    {
        await using var node = new DownloaderNode(Upstream.BaseUrl, new Dictionary<string, string?> { ["HvMirror:Fetcher:StallTimeout"] = "00:00:00.300" });
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<TransientFetchException>(() => node.DownloadAsync(Upstream.Url("/jp2/silent.jp2")));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(3));
        Assert.Contains("did not answer within 0.3 s (HvMirror:Fetcher:StallTimeout)", e.Message);
    }

    [Theory]
    [InlineData(-1, "00:00:30", nameof(FetcherOptions.MinimumRate))]
    [InlineData(4096, "00:00:00", nameof(FetcherOptions.MinimumRateWindow))]
    public void A_negative_rate_or_an_empty_window_is_refused_when_the_host_starts(long rate, string window, string setting)
    {
        var result = new FetcherOptionsValidator().Validate(null, new FetcherOptions { MinimumRate = rate, MinimumRateWindow = TimeSpan.Parse(window) });

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage);
    }

    private async Task SendInChunksAsync(HttpContext context, int chunkBytes, TimeSpan interval)
    {
        context.Response.ContentType = "image/jp2";
        context.Response.ContentLength = Jp2File.Length;
        for (var offset = 0; offset < Jp2File.Length; offset += chunkBytes)
        {
            await context.Response.Body.WriteAsync(Jp2File.AsMemory(offset, Math.Min(chunkBytes, Jp2File.Length - offset)), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(interval, context.RequestAborted);
        }
    }

    private static Dictionary<string, string?> Rate(int minimumBytesPerSecond, string window) => new()
    {
        ["HvMirror:Fetcher:MinimumRate"] = minimumBytesPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["HvMirror:Fetcher:MinimumRateWindow"] = window,
    };
}
