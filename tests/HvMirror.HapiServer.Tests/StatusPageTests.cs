using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HvMirror.HapiServer.Status;
using Xunit.Abstractions;

namespace HvMirror.HapiServer.Tests;

public sealed class StatusPageTests(StatusFixture fixture, ITestOutputHelper output) : IClassFixture<StatusFixture>
{
    private HttpClient Client => fixture.Host.Client;

    /// <summary>The opening tag of the day's square, wherever its attributes sit and however they are quoted.</summary>
    internal static string Square(string html, DateTime day, string source = "primary-AIA_171")
    {
        var start = html.IndexOf($"id=\"s-{source}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section of {source}");
        html = html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
        var match = Regex.Match(html, $"<i [^>]*data-day=\"?{day:yyyy-MM-dd}\"?[^>]*>");
        Assert.True(match.Success, $"no square for {day:yyyy-MM-dd}");
        return match.Value;
    }

    internal static string ClassOf(string square) => Regex.Match(square, "class=(\"[^\"]*\"|[^ >]+)").Groups[1].Value.Trim('"');

    internal static string TitleOf(string square) => WebUtility.HtmlDecode(Regex.Match(square, "title=\"([^\"]*)\"").Groups[1].Value);

    [Fact]
    public async Task The_page_shows_the_gap_day_incomplete_between_complete_days_and_unaudited_days_unknown()
    {
        using var response = await Client.GetAsync("/status");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);

        var gap = Square(html, StatusSeeding.Gap);
        Assert.Contains("incomplete", ClassOf(gap).Split(' '));
        Assert.Equal("2024-05-03: 12 of 40 missing, 1 stale", TitleOf(gap));
        foreach (var neighbour in new[] { StatusSeeding.Gap.AddDays(-1), StatusSeeding.Gap.AddDays(1) })
        {
            Assert.Equal("complete", ClassOf(Square(html, neighbour)));
            Assert.Equal($"{neighbour:yyyy-MM-dd}: all 40 held", TitleOf(Square(html, neighbour)));
        }
        Assert.Equal("unknown", ClassOf(Square(html, StatusSeeding.Unaudited)));
        Assert.Equal("complete empty", ClassOf(Square(html, StatusSeeding.NoFiles)));

        // The figures of the source: 60 days of 40 files (2,400), one stale and 12 missing.
        Assert.Contains("99.4%", html);
        Assert.Contains("missing <b>12</b>", html);
        Assert.Contains("stale <b>1</b>", html);
        Assert.Contains("days incomplete <b>1</b> of 60", html);
        Assert.Contains("oldest missing <b>2024-05-03</b>", html);
        Assert.Contains("work list <b>1</b>, 1 failing", html);
        Assert.Contains("HTTP 503 from primary", html);
        Assert.Contains("lag <b>2 h</b>", html);
        Assert.DoesNotContain("No audit has run yet", html);
    }

    [Fact]
    public async Task Every_text_from_the_catalog_is_html_encoded()
    {
        var html = await Client.GetStringAsync("/status");
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<b>evil</b>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&lt;b&gt;evil&lt;/b&gt;&amp;co", html);
        Assert.Contains("Last audit failed", html);
    }

    [Fact]
    public async Task A_source_page_shows_its_whole_range_and_an_unknown_source_is_404()
    {
        var html = await Client.GetStringAsync($"/status?upstream=primary&dataset=AIA_171");
        Assert.Contains("incomplete", ClassOf(Square(html, StatusSeeding.Gap)).Split(' '));
        Assert.Equal("unknown", ClassOf(Square(html, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc))));
        Assert.Equal("unknown", ClassOf(Square(html, new DateTime(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc))));
        Assert.Contains("id=y2024", html);

        using var missing = await Client.GetAsync($"/status?upstream={TestHelpers.Q("<x>")}&dataset=AIA_171");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("&lt;x&gt;", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Status_json_has_the_same_figures()
    {
        var (status, json, _) = await Client.GetJsonAsync("/status.json");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(json.GetProperty("audited").GetBoolean());
        Assert.Equal(1, json.GetProperty("workList").GetProperty("count").GetInt32());
        Assert.Equal("HTTP 503 from primary", json.GetProperty("workList").GetProperty("reasons")[0].GetProperty("reason").GetString());

        var source = json.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("upstream").GetString() == "primary");
        var audit = source.GetProperty("audit");
        Assert.Equal(2400, audit.GetProperty("expected").GetInt64());
        Assert.Equal(12, audit.GetProperty("missing").GetInt64());
        Assert.Equal(1, audit.GetProperty("stale").GetInt64());
        Assert.Equal(1, audit.GetProperty("daysIncomplete").GetInt32());
        Assert.Equal("2024-05-03", audit.GetProperty("oldestMissingDay").GetString());
        Assert.Equal(2387.0 / 2400, audit.GetProperty("completeness").GetDouble(), 9);
        var day = Assert.Single(audit.GetProperty("days").EnumerateArray());
        Assert.Equal("2024-05-03", day.GetProperty("day").GetString());
        Assert.Equal(40, day.GetProperty("expected").GetInt64());
        Assert.Equal(12, day.GetProperty("missing").GetInt64());

        var lag = source.GetProperty("cursor").GetProperty("lagSeconds").GetDouble();
        Assert.InRange(lag, 7200 - 5, 7200 + 600);
        Assert.InRange(source.GetProperty("cursor").GetProperty("ageSeconds").GetDouble(), 300 - 5, 300 + 600);
        Assert.Equal(1, source.GetProperty("workList").GetProperty("failing").GetInt32());

        var hostile = json.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("upstream").GetString() == StatusSeeding.HostileUpstream);
        Assert.Equal(StatusSeeding.HostileError, hostile.GetProperty("audit").GetProperty("error").GetString());

        var (_, all, _) = await Client.GetJsonAsync("/status.json?days=all");
        var allDays = all.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("upstream").GetString() == "primary")
            .GetProperty("audit").GetProperty("days");
        Assert.Equal(60, allDays.GetArrayLength());
    }

    [Theory]
    [InlineData("/status")]
    [InlineData("/status.json")]
    public async Task Head_answers_the_headers_without_a_body(string path)
    {
        using var get = await Client.GetAsync(path);
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_node_without_audits_says_how_to_run_one()
    {
        await using var empty = await StatusHost.CreateAsync(null);
        var html = await empty.Client.GetStringAsync("/status");
        Assert.Contains("No audit has run yet: run <code>hvmirror audit --from URL</code> or enable the scheduled audit.", html);
        var (_, json, _) = await empty.Client.GetJsonAsync("/status.json");
        Assert.False(json.GetProperty("audited").GetBoolean());
        Assert.Contains("No audit has run yet", json.GetProperty("message").GetString());
    }

    [Fact]
    public void The_overview_of_150_sources_over_20_years_stays_under_5_MB()
    {
        var now = DateTime.UtcNow;
        foreach (var share in new[] { 0.01, 0.2, 1.0 })
        {
            var report = StatusSeeding.Large(150, 20, share, now);
            var page = Encoding.UTF8.GetBytes(StatusPage.Render(report));
            var html = page.Length;
            using var gzipped = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(gzipped, System.IO.Compression.CompressionLevel.Fastest)) gzip.Write(page);
            var source = Encoding.UTF8.GetByteCount(StatusPage.RenderSource(report, report.Sources[0]));
            var json = StatusJson.Render(report, allDays: false).Length;
            var year = Encoding.UTF8.GetByteCount(StatusPage.Render(report, weeks: 53));
            output.WriteLine($"150 sources × 20 years, {share:P0} of days incomplete: /status {html / 1e6:0.00} MB ({gzipped.ToArray().Length / 1e6:0.00} MB gzipped; ?weeks=53: {year / 1e6:0.00} MB), " +
                             $"one source's page {source / 1e6:0.00} MB, /status.json {json / 1e6:0.00} MB");
            if (share <= 0.2) Assert.InRange(html, 0, 5_000_000);
            Assert.InRange(source, 0, 1_000_000);
        }
    }
}
