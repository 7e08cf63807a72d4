using System.Diagnostics;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Contracts;
using HvMirror.HapiClient;
using HvMirror.ServiceDefaults;
using HvMirror.Upstreams;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.Poller;

/// <summary>
/// One poll of one upstream: for each matching dataset (under a lease, so replicas never poll the same one at once),
/// reads records from <c>cursor − overlap</c> up to now, publishes a <see cref="FileAnnounced"/> per record, and moves
/// the cursor to the last published record only after the broker confirmed the publish. An error stops that dataset
/// where it is: the cursor never passes a record that was not announced.
/// </summary>
public sealed class UpstreamPoller(
    IBus bus,
    MirrorCursorStore cursors,
    DataSources sources,
    IHttpClientFactory httpClients,
    TimeProvider time,
    IOptions<PollerOptions> options,
    ILogger<UpstreamPoller> logger)
{
    public const string HttpClientName = "hvmirror-hapi";
    private const int PublishBatch = 500;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Upstream, string Dataset), RecentAnnouncements> _recent = new();

    public async Task<IReadOnlyList<DatasetPollResult>> PollAsync(UpstreamOptions upstream, CancellationToken cancellationToken)
    {
        using var client = new UpstreamClient(upstream.Name, CreateHttpClient(upstream), new UpstreamClientOptions { ChunkLength = options.Value.Chunk });
        HapiCatalog catalog;
        try
        {
            catalog = await client.GetCatalogAsync(cancellationToken);
        }
        catch (HapiClientException e)
        {
            logger.LogError("Polling {Upstream} failed: {Problem}", upstream.Name, e.Message);
            return [new DatasetPollResult(upstream.Name, "*", 0, null, e.Message)];
        }

        var results = new List<DatasetPollResult>();
        foreach (var dataset in catalog.Datasets.Select(d => d.Id).Where(id => DatasetPattern.MatchesAny(upstream.Datasets, id)))
        {
            if (!sources.TryGet(dataset, out _))
            {
                logger.LogWarning("{Upstream} lists dataset {Dataset}, which is not a known Helioviewer source; it is not mirrored", upstream.Name, dataset);
                continue;
            }
            await using var lease = await cursors.TryLeaseAsync(upstream.Name, dataset, cancellationToken);
            if (lease is null)
            {
                results.Add(new DatasetPollResult(upstream.Name, dataset, 0, null, Skipped: true));
                continue;
            }
            results.Add(await PollDatasetAsync(client, upstream, dataset, cancellationToken));
        }
        return results;
    }

    private async Task<DatasetPollResult> PollDatasetAsync(UpstreamClient client, UpstreamOptions upstream, string dataset, CancellationToken cancellationToken)
    {
        using var poll = HvMirrorTelemetry.Source.StartActivity($"poll {upstream.Name}/{dataset}");
        poll?.SetTag("hvmirror.upstream", upstream.Name);
        poll?.SetTag("hvmirror.dataset", dataset);
        var cursor = await cursors.GetAsync(upstream.Name, dataset, cancellationToken);
        var recent = _recent.GetOrAdd((upstream.Name, dataset), _ => new RecentAnnouncements());
        var announced = 0;
        var batch = new List<FileAnnounced>(PublishBatch);
        try
        {
            var info = await client.GetInfoAsync(dataset, cancellationToken);
            var from = cursor is { } c ? c - options.Value.Overlap : options.Value.BackfillFrom ?? info.StartDate;
            var to = time.GetUtcNow().UtcDateTime;
            await foreach (var record in client.ReadAsync(info, from, to, cancellationToken))
            {
                if (record.Time <= cursor && recent.Contains(record.Name, record.Checksum.ToString()))
                    continue; // announced by an earlier poll: the overlap is there for records that arrive late
                batch.Add(new FileAnnounced(upstream.Name, dataset, record.Name, record.Checksum.ToString(), record.Url, record.Time));
                if (batch.Count == PublishBatch)
                    (cursor, announced) = await FlushAsync(upstream.Name, dataset, batch, recent, cursor, announced, cancellationToken);
            }
            (cursor, announced) = await FlushAsync(upstream.Name, dataset, batch, recent, cursor, announced, cancellationToken);
            poll?.SetTag("hvmirror.announced", announced);
            if (announced > 0)
                logger.LogInformation("Announced {Count} files of {Upstream}/{Dataset}; cursor now {Cursor:O}", announced, upstream.Name, dataset, cursor);
            return new DatasetPollResult(upstream.Name, dataset, announced, cursor);
        }
        catch (HapiClientException e)
        {
            // Whatever was read before the problem is announced; the cursor stays before the problem.
            (cursor, announced) = await FlushAsync(upstream.Name, dataset, batch, recent, cursor, announced, cancellationToken);
            poll?.SetStatus(ActivityStatusCode.Error, e.Message);
            logger.LogError("Polling {Upstream}/{Dataset} stopped after {Count} files, cursor stays at {Cursor:O}: {Problem}",
                upstream.Name, dataset, announced, cursor, e.Message);
            return new DatasetPollResult(upstream.Name, dataset, announced, cursor, e.Message);
        }
        catch (MessageReturnedException)
        {
            const string problem = "RabbitMQ has no queue bound for FileAnnounced: no comparer has started on this broker yet " +
                                   "(queue file-announced). Start the comparer; the cursor stays and the next poll announces again.";
            poll?.SetStatus(ActivityStatusCode.Error, problem);
            logger.LogError("Polling {Upstream}/{Dataset}: {Problem}", upstream.Name, dataset, problem);
            return new DatasetPollResult(upstream.Name, dataset, announced, cursor, problem);
        }
    }

    private async Task<(DateTime? Cursor, int Announced)> FlushAsync(
        string upstream, string dataset, List<FileAnnounced> batch, RecentAnnouncements recent, DateTime? cursor, int announced,
        CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return (cursor, announced);
        // Every publish returns once the broker confirmed it (publisher confirms), so moving the cursor afterwards
        // never loses a record; a crash in between only announces them again.
        await PublishEachInItsOwnTraceAsync(batch, cancellationToken);
        // Late records found in the overlap lie before the cursor: it never moves back.
        var last = cursor is { } current && current > batch[^1].UpstreamIngestedAt ? current : batch[^1].UpstreamIngestedAt;
        await cursors.AdvanceAsync(upstream, dataset, last, cancellationToken);
        recent.Remember(batch.Select(a => (a.Name, a.Checksum, a.UpstreamIngestedAt)), last - options.Value.Overlap);
        PollerMetrics.RecordCursor(upstream, dataset, last);
        PollerMetrics.FilesAnnounced.Add(batch.Count,
            new KeyValuePair<string, object?>("upstream", upstream), new KeyValuePair<string, object?>("dataset", dataset));
        var count = announced + batch.Count;
        batch.Clear();
        return (last, count);
    }

    /// <summary>
    /// Each file's journey (announce, compare, fetch, ingest) is a trace of its own, linked to the poll that found it:
    /// a poll that announces 10,000 files stays a small trace, and each file's trace stays readable.
    /// </summary>
    private async Task PublishEachInItsOwnTraceAsync(List<FileAnnounced> batch, CancellationToken cancellationToken)
    {
        var poll = Activity.Current;
        ActivityLink[]? links = poll is null ? null : [new ActivityLink(poll.Context)];
        var publishes = new List<Task>(batch.Count);
        var journeys = new List<Activity>(batch.Count);
        try
        {
            foreach (var message in batch)
            {
                Activity.Current = null;
                var journey = HvMirrorTelemetry.Source.StartActivity(ActivityKind.Producer, default(ActivityContext), links: links,
                    name: $"announce {message.Dataset}");
                if (journey is not null)
                {
                    journey.SetTag("hvmirror.upstream", message.Upstream);
                    journey.SetTag("hvmirror.dataset", message.Dataset);
                    journey.SetTag("hvmirror.file", message.Name);
                    journeys.Add(journey);
                }
                publishes.Add(bus.PublishMandatory(message, cancellationToken));
            }
        }
        finally
        {
            Activity.Current = poll;
        }
        try
        {
            await Task.WhenAll(publishes);
        }
        finally
        {
            foreach (var journey in journeys) journey.Dispose();
        }
    }

    private HttpClient CreateHttpClient(UpstreamOptions upstream)
    {
        var http = httpClients.CreateClient(HttpClientName);
        var url = upstream.BaseUrl.ToString();
        http.BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/");
        return http;
    }
}
