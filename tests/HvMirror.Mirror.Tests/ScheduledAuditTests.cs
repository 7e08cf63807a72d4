using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Testing;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// The audit a running mirror does on its own (PostgreSQL catalogs, RabbitMQ): a file lost from the mirror after it
/// synced shows in the metrics, in <c>audit_results</c> and on the <c>/status</c> page as rendered by a real browser.
/// </summary>
[Collection(MirrorCollection.Name)]
public sealed class ScheduledAuditTests(PostgresServer postgres, RabbitMqBroker rabbit, ITestOutputHelper output)
    : MirrorTestBase(postgres, rabbit, output)
{
    private static readonly DateTime Start = new(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_file_lost_after_the_sync_shows_as_missing_in_the_metrics_and_as_a_gap_on_the_status_page()
    {
        var primary = await StartPrimaryAsync();
        // Nine files 8 h apart: three observation days.
        var files = SampleFiles.Generate(DataSources.Helioviewer, ["AIA_171"], 9, Start, TimeSpan.FromHours(8), sizeBytes: 8_000).ToList();
        await primary.IngestAsync(files);
        var mirror = await StartMirrorAsync("audited", [primary], backgroundPoller: true, hapi: true, settings: new()
        {
            ["HvMirror:Audit:FirstAfter"] = "00:00:00",
            ["HvMirror:Audit:Interval"] = "00:00:01",
        });
        await ConvergedAsync(primary, mirror, PrimaryName);
        using var http = new HttpClient { BaseAddress = new Uri(mirror.BaseUrl) };
        string metrics = "";
        await Eventually.HoldsAsync(
            async () => HasGauge(metrics = await http.GetStringAsync("/metrics"), "hvmirror_audit_completeness_ratio", 1),
            () => Task.FromResult($"the audit never found the mirror complete:\n{AuditLines(metrics)}"));

        // Lost on the mirror after it synced: gone from its catalog, past its cursor, on no work list.
        var lost = files[4];
        Assert.True(await new FileRegistry(mirror.Contexts, IngestionClock.System).RemoveAsync(lost.Name, default));

        await Eventually.HoldsAsync(
            async () => HasGauge(metrics = await http.GetStringAsync("/metrics"), "hvmirror_audit_missing", 1),
            () => Task.FromResult($"the audit never found the lost file:\n{AuditLines(metrics)}"));
        Assert.True(HasGauge(metrics, "hvmirror_audit_oldest_missing_day_seconds", new DateTimeOffset(Start.AddDays(1)).ToUnixTimeSeconds()), AuditLines(metrics));
        Assert.Contains("hvmirror_audit_age_seconds{", metrics);
        await using (var db = mirror.Contexts.CreateDbContext())
        {
            var result = await db.AuditResults.AsNoTracking().SingleAsync(a => a.Dataset == "AIA_171");
            Assert.Equal((9L, 8L, 1L, 2, 1, Start.AddDays(1)), (result.Expected, result.InSync, result.Missing, result.DaysComplete, result.DaysIncomplete,
                result.OldestMissingDay!.Value));
        }

        var page = await Chromium.DumpDomAsync(new Uri(mirror.BaseUrl + "/status"));

        Assert.Equal(("incomplete m4", "2024-06-02: 1 of 3 missing"), Square(page, "2024-06-02"));
        Assert.Equal(("complete", "2024-06-01: all 3 held"), Square(page, "2024-06-01"));
        Assert.Equal(("complete", "2024-06-03: all 3 held"), Square(page, "2024-06-03"));
    }

    /// <summary>Whether the Prometheus text has <paramref name="name"/> for this upstream's AIA_171 at <paramref name="value"/>.</summary>
    private static bool HasGauge(string metrics, string name, double value) =>
        metrics.Split('\n').Any(line => line.StartsWith(name + "{", StringComparison.Ordinal)
                                        && line.Contains("dataset=\"AIA_171\"", StringComparison.Ordinal)
                                        && line.Contains($"upstream=\"{PrimaryName}\"", StringComparison.Ordinal)
                                        && double.TryParse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0],
                                            System.Globalization.CultureInfo.InvariantCulture, out var actual)
                                        && actual == value);

    /// <summary>The class and title of the calendar square of <paramref name="day"/> in the rendered page.</summary>
    private static (string Class, string Title) Square(string page, string day)
    {
        var square = System.Text.RegularExpressions.Regex.Match(page, $"<i [^>]*data-day=\"{day}\"[^>]*>");
        Assert.True(square.Success, $"no square for {day} in the page:\n{page[..Math.Min(page.Length, 4000)]}");
        string Attribute(string name) =>
            System.Text.RegularExpressions.Regex.Match(square.Value, $"{name}=\"([^\"]*)\"") is { Success: true } m ? m.Groups[1].Value : "";
        return (Attribute("class"), Attribute("title"));
    }

    private static string AuditLines(string metrics) =>
        string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("hvmirror_audit", StringComparison.Ordinal)));
}
