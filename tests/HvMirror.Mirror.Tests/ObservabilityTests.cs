using System.Diagnostics;
using System.Net;
using HvMirror.Testing;

namespace HvMirror.Mirror.Tests;

/// <summary>What an operator sees: one trace per file across the three services, and probes that tell broker trouble from a dead process.</summary>
[Collection(MirrorCollection.Name)]
public sealed class ObservabilityTests(PostgresServer postgres, RabbitMqBroker rabbit, ITestOutputHelper output)
    : MirrorTestBase(postgres, rabbit, output)
{
    [Fact]
    public async Task A_file_mirrored_through_poller_comparer_and_fetcher_is_one_trace_with_spans_in_all_three()
    {
        var primary = await StartPrimaryAsync();
        var file = Samples(1, ["AIA_171"])[0];
        await primary.IngestAsync([file]);
        var vhost = await Rabbit.CreateVirtualHostAsync();
        var catalog = await Postgres.CreateDatabaseAsync("traced");
        var archive = Path.Combine(Root, "traced");
        List<Activity> pollerSpans = [], comparerSpans = [], fetcherSpans = [];
        var fetcher = await StartMirrorAsync("fetcher", [primary], poller: false, comparer: false, fetcher: true, vhost: vhost, catalog: catalog, archive: archive, spans: fetcherSpans);
        await StartMirrorAsync("comparer", [primary], poller: false, comparer: true, fetcher: false, vhost: vhost, catalog: catalog, archive: archive, spans: comparerSpans);
        var poller = await StartMirrorAsync("poller", [primary], poller: true, comparer: false, fetcher: false, vhost: vhost, catalog: catalog, archive: archive, spans: pollerSpans);

        await poller.PollAsync();
        await ConvergedAsync(primary, fetcher, PrimaryName);

        var announce = Single(pollerSpans, s => s.OperationName.StartsWith("announce", StringComparison.Ordinal) && Tag(s, "hvmirror.file") == file.Name);
        var trace = announce.TraceId;
        var poll = Single(pollerSpans, s => s.OperationName == $"poll {PrimaryName}/AIA_171");
        Assert.NotEqual(poll.TraceId, trace);
        Assert.Contains(announce.Links, link => link.Context.SpanId == poll.SpanId);
        await Eventually.HoldsAsync(
            () => Task.FromResult(Snapshot(comparerSpans).Any(s => s.TraceId == trace) && Snapshot(fetcherSpans).Any(s => s.TraceId == trace && s.OperationName.StartsWith("fetch", StringComparison.Ordinal))),
            () => Task.FromResult($"spans of trace {trace}: comparer [{Names(comparerSpans, trace)}], fetcher [{Names(fetcherSpans, trace)}]"));
        Assert.Contains(Snapshot(comparerSpans), s => s.TraceId == trace && s.OperationName.StartsWith("compare", StringComparison.Ordinal));
        // The download itself (HttpClient) sits in the same trace, under the fetch.
        Assert.Contains(Snapshot(fetcherSpans), s => s.TraceId == trace && s.Kind == ActivityKind.Client && s.DisplayName.StartsWith("GET", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_of_a_mirrored_file_are_exposed_for_Prometheus_under_their_documented_names()
    {
        var primary = await StartPrimaryAsync();
        await primary.IngestAsync(Samples(3, ["SUVI_131"]));
        var mirror = await StartMirrorAsync("metrics", [primary]);

        await mirror.PollAsync();
        await ConvergedAsync(primary, mirror, PrimaryName);

        using var http = new HttpClient { BaseAddress = new Uri(mirror.BaseUrl) };
        string metrics = "";
        string[] names =
        [
            "hvmirror_files_announced_total", "hvmirror_files_needed_total", "hvmirror_files_ingested_total",
            "hvmirror_bytes_fetched_total", "hvmirror_download_duration_seconds_bucket", "hvmirror_mirror_lag_seconds_bucket",
            "hvmirror_cursor_age_seconds",
        ];
        await Eventually.HoldsAsync(
            async () => names.All((metrics = await http.GetStringAsync("/metrics")).Contains),
            () => Task.FromResult($"/metrics lacks {string.Join(", ", names.Where(n => !metrics.Contains(n)))}"));
        Assert.Contains("dataset=\"SUVI_131\"", metrics);
        Assert.Contains("upstream=\"primary\"", metrics);
    }

    [Fact]
    public async Task Readiness_fails_when_the_broker_goes_away_while_liveness_stays_healthy()
    {
        var primary = await StartPrimaryAsync();
        var fetcher = await StartMirrorAsync("fetcher", [primary], poller: false, comparer: false, fetcher: true);
        using var http = new HttpClient { BaseAddress = new Uri(fetcher.BaseUrl) };
        await Eventually.HoldsAsync(
            async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            async () => $"never ready: {await http.GetStringAsync("/health/ready")}");
        Output.WriteLine("ready: " + await http.GetStringAsync("/health/ready"));

        await Rabbit.DeleteVirtualHostAsync(fetcher.Spec.RabbitMq!);

        await Eventually.HoldsAsync(
            async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            async () => $"/health/ready stayed healthy after the broker went away: {await http.GetStringAsync("/health/ready")}");
        var ready = await http.GetAsync("/health/ready");
        Assert.Contains("\"bus\"", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }

    private static List<Activity> Snapshot(List<Activity> spans)
    {
        lock (spans) return [.. spans];
    }

    private static Activity Single(List<Activity> spans, Func<Activity, bool> match)
    {
        var found = Snapshot(spans).Where(match).ToList();
        Assert.True(found.Count == 1, $"expected one matching span, found {found.Count} among [{string.Join(", ", Snapshot(spans).Select(s => s.OperationName))}]");
        return found[0];
    }

    private static string? Tag(Activity span, string name) => span.GetTagItem(name) as string;

    private static string Names(List<Activity> spans, ActivityTraceId trace) =>
        string.Join(", ", Snapshot(spans).Where(s => s.TraceId == trace).Select(s => s.DisplayName));
}
