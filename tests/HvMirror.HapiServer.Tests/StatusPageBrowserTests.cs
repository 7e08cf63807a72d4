using HvMirror.Testing;
using Xunit.Abstractions;

namespace HvMirror.HapiServer.Tests;

/// <summary>
/// <c>/status</c> as a real browser renders it (headless Chromium, see <see cref="Chromium"/>). With
/// <c>HVMIRROR_STATUS_SCREENSHOT=PATH</c> the screenshot of the realistic page is kept there (docs/status.png is made so).
/// </summary>
public sealed class StatusPageBrowserTests(StatusFixture fixture, ITestOutputHelper output) : IClassFixture<StatusFixture>
{
    [Fact]
    public async Task Chromium_renders_the_gap_day_incomplete_its_neighbours_complete_and_an_unaudited_day_unknown()
    {
        var url = new Uri(fixture.Host.StartKestrel(), "status");
        var dom = await Chromium.DumpDomAsync(url);

        var gap = StatusPageTests.Square(dom, StatusSeeding.Gap);
        Assert.Contains("data-day=\"2024-05-03\"", gap);
        Assert.Contains("incomplete", StatusPageTests.ClassOf(gap).Split(' '));
        Assert.Equal("2024-05-03: 12 of 40 missing, 1 stale", StatusPageTests.TitleOf(gap));
        Assert.Equal("complete", StatusPageTests.ClassOf(StatusPageTests.Square(dom, StatusSeeding.Gap.AddDays(-1))));
        Assert.Equal("complete", StatusPageTests.ClassOf(StatusPageTests.Square(dom, StatusSeeding.Gap.AddDays(1))));
        Assert.Equal("unknown", StatusPageTests.ClassOf(StatusPageTests.Square(dom, StatusSeeding.Unaudited)));

        var png = Path.Combine(fixture.Host.Root, "status.png");
        await Chromium.ScreenshotAsync(url, png, 1200, 900);
        AssertPng(png);
    }

    [Fact]
    public async Task Chromium_screenshots_a_realistic_page()
    {
        await using var host = await StatusHost.CreateAsync(StatusSeeding.RealisticAsync);
        var url = new Uri(host.StartKestrel(), "status");
        var kept = Environment.GetEnvironmentVariable("HVMIRROR_STATUS_SCREENSHOT");
        var png = string.IsNullOrEmpty(kept) ? Path.Combine(host.Root, "status.png") : Path.GetFullPath(kept);
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);
        await Chromium.ScreenshotAsync(url, png, 1200, string.IsNullOrEmpty(kept) ? 900 : 1500);
        AssertPng(png);
        output.WriteLine($"{png}: {new FileInfo(png).Length:N0} bytes");
    }

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 10_000, $"{path} is {bytes.Length} bytes: a blank page?");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a }, bytes[..8]);
        // IHDR: width and height big-endian at 16 and 20.
        Assert.Equal(1200, (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19]);
    }
}
