using System.Diagnostics;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Contracts;
using HvMirror.Hapi;
using HvMirror.HapiClient;
using HvMirror.ServiceDefaults;
using HvMirror.Upstreams;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.Poller;

/// <summary>
/// One poll of one upstream: for each matching dataset (under a lease, so replicas never poll the same one at once),
/// reads records from <c>cursor − overlap</c> up to now, publishes a <see cref="FileAnnounced"/> per usable record,
/// quarantines each record that is unusable on its own (<see cref="RecordQuarantine"/>), and moves the cursor over them
/// only after the broker confirmed the publish and the quarantine was written. An answer that is wrong as a whole (an
/// error, a broken CSV, a row out of time order) stops that dataset: the cursor never passes a record that was neither
/// announced nor quarantined, not even one found out of order after later rows were announced.
/// </summary>
public sealed class UpstreamPoller(
    IBus bus,
    MirrorCursorStore cursors,
    RecordQuarantine quarantine,
    DataSources sources,
    IHttpClientFactory httpClients,
    TimeProvider time,
    AnnouncementBackpressure backpressure,
    InFlightAnnouncements inFlight,
    IOptions<PollerOptions> options,
    ILogger<UpstreamPoller> logger)
{
    public const string HttpClientName = "hvmirror-hapi";
    private const int PublishBatch = 500;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Upstream, string Dataset), RecentAnnouncements> _recent = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Upstream, string Dataset, string Warning), byte> _warned = new();

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

        var listings = new List<(IGrouping<string, HapiCatalogEntry> Listing, DataSource Source)>();
        foreach (var listing in catalog.Datasets.GroupBy(d => d.Id, StringComparer.Ordinal).Where(g => !CompanionDatasets.IsCompanion(g.Key) && DatasetPattern.MatchesAny(upstream.Datasets, g.Key)))
        {
            if (sources.TryGet(listing.Key, out var source))
                listings.Add((listing, source));
            else
                logger.LogWarning("{Upstream} lists dataset {Dataset}, which is not a known Helioviewer source; it is not mirrored", upstream.Name, listing.Key);
        }

        // Each dataset's poll waits on round trips of its own (its /info, its first /data chunk): over a long link,
        // polling Helioviewer's ~200 datasets one after another would cost a cycle minutes before anything is announced.
        var results = new DatasetPollResult[listings.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, listings.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.ConcurrentDatasets, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var (listing, source) = listings[i];
                var dataset = listing.Key;
                var warnings = new List<string>();
                if (listing.Count() > 1)
                    Warn(warnings, upstream.Name, dataset,
                        $"the upstream's /catalog lists dataset {dataset} {listing.Count()} times; it is polled once. Tell the upstream's operators.");
                await using var lease = await cursors.TryLeaseAsync(upstream.Name, dataset, ct);
                results[i] = lease is null
                    ? new DatasetPollResult(upstream.Name, dataset, 0, null, Skipped: true, Warnings: warnings)
                    : await PollDatasetAsync(client, upstream, source, warnings, ct);
            });
        return results;
    }

    /// <summary>Where one dataset's poll has got to: what is read but not yet handed on, and what was handed on.</summary>
    private sealed class DatasetPoll(string upstream, string dataset, DateTime? cursor, HashSet<string> quarantinedNames)
    {
        public string Upstream { get; } = upstream;
        public string Dataset { get; } = dataset;
        public DateTime? StartCursor { get; } = cursor;
        public DateTime? Cursor { get; set; } = cursor;
        public HashSet<string> QuarantinedNames { get; } = quarantinedNames;
        public List<FileAnnounced> Announcements { get; } = new(PublishBatch);
        public List<UnusableUpstreamRecord> Unusable { get; } = [];
        public DateTime? LastRead { get; set; }
        public int Announced { get; set; }
        public int Quarantined { get; set; }
        public bool MoreToRead { get; set; }
        public int Pending => Announcements.Count + Unusable.Count;
    }

    private async Task<DatasetPollResult> PollDatasetAsync(UpstreamClient client, UpstreamOptions upstream, DataSource source, List<string> warnings,
        CancellationToken cancellationToken)
    {
        var dataset = source.Name;
        using var activity = HvMirrorTelemetry.Source.StartActivity($"poll {upstream.Name}/{dataset}");
        activity?.SetTag("hvmirror.upstream", upstream.Name);
        activity?.SetTag("hvmirror.dataset", dataset);
        var poll = new DatasetPoll(upstream.Name, dataset, await cursors.GetAsync(upstream.Name, dataset, cancellationToken),
            await quarantine.NamesAsync(upstream.Name, dataset, cancellationToken));
        PollerMetrics.RecordQuarantined(upstream.Name, dataset, poll.QuarantinedNames.Count);
        var recent = _recent.GetOrAdd((upstream.Name, dataset), _ => new RecentAnnouncements());
        var rows = 0;
        var beyondCursor = 0;
        try
        {
            var info = await client.GetInfoAsync(dataset, cancellationToken);
            var from = poll.Cursor is { } c ? c - options.Value.Overlap : options.Value.BackfillFrom ?? info.StartDate;
            var to = time.GetUtcNow().UtcDateTime;
            if (info.StopDate < to)
                Warn(warnings, upstream.Name, dataset,
                    $"the upstream's /info gives dataset {dataset} the stopDate {HapiTime.Format(info.StopDate)}, which is in the past: records " +
                    "registered after it are never asked for. A live HvMirror dataset's stopDate lies ahead; tell the upstream's operators.");
            await foreach (var row in client.ReadAsync(info, from, to, cancellationToken))
            {
                if (beyondCursor == options.Value.MaxRecordsPerPoll)
                {
                    poll.MoreToRead = true;
                    Warn(warnings, upstream.Name, dataset,
                        $"this poll stopped after {beyondCursor:N0} records (HvMirror:Poller:MaxRecordsPerPoll); the next one goes on from the cursor");
                    break;
                }
                rows++;
                // The overlap re-read before the cursor does not count: a poll must get past it to make progress.
                if (poll.StartCursor is not { } startCursor || row.Time > startCursor) beyondCursor++;
                poll.LastRead = row.Time;
                switch (row)
                {
                    case UnusableRecord unusable:
                        poll.Unusable.Add(new UnusableUpstreamRecord(upstream.Name, dataset, unusable.Name, unusable.Time, unusable.Checksum, unusable.Url,
                            unusable.Problem));
                        break;
                    case HapiRecord record when RefusedName(record.Name, source) is { } nameProblem:
                        poll.Unusable.Add(new UnusableUpstreamRecord(upstream.Name, dataset, record.Name, record.Time, record.Checksum.ToString(),
                            record.Url.ToString(), nameProblem));
                        break;
                    case HapiRecord record when record.Time <= poll.Cursor && recent.Contains(record.Name, record.Checksum.ToString()):
                        break; // announced by an earlier poll: the overlap is there for records that arrive late
                    case HapiRecord record:
                        poll.Announcements.Add(new FileAnnounced(upstream.Name, dataset, record.Name, record.Checksum.ToString(), record.Url, record.Time));
                        break;
                }
                if (poll.Pending >= PublishBatch)
                    await FlushAsync(poll, recent, cancellationToken);
            }
            await FlushAsync(poll, recent, cancellationToken);
            if (rows == 0 && poll.StartCursor is null)
                Warn(warnings, upstream.Name, dataset,
                    $"the upstream lists dataset {dataset} but answered no records for [{HapiTime.Format(from < info.StartDate ? info.StartDate : from)}, " +
                    $"{HapiTime.Format(to < info.StopDate ? to : info.StopDate)}): nothing of it is mirrored yet. If it should hold files, check the " +
                    "upstream's /hapi/data for it (and this node's HvMirror:Poller:BackfillFrom).");
            activity?.SetTag("hvmirror.announced", poll.Announced);
            if (poll.Announced > 0 || poll.Quarantined > 0)
                logger.LogInformation("Announced {Count} files of {Upstream}/{Dataset} ({Quarantined} records quarantined); cursor now {Cursor:O}",
                    poll.Announced, upstream.Name, dataset, poll.Quarantined, poll.Cursor);
            return Result(poll, warnings);
        }
        catch (HapiClientException e)
        {
            // Whatever was read before the problem is handed on; the cursor stays before the problem.
            await FlushAsync(poll, recent, cancellationToken, holdBefore: e.RecordTime);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            logger.LogError("Polling {Upstream}/{Dataset} stopped after {Count} files, cursor stays at {Cursor:O}: {Problem}",
                upstream.Name, dataset, poll.Announced, poll.Cursor, e.Message);
            return Result(poll, warnings, e.Message);
        }
        catch (MessageReturnedException)
        {
            const string problem = "RabbitMQ has no queue bound for FileAnnounced: no comparer has started on this broker yet " +
                                   "(queue file-announced). Start the comparer; the cursor stays and the next poll announces again.";
            activity?.SetStatus(ActivityStatusCode.Error, problem);
            logger.LogError("Polling {Upstream}/{Dataset}: {Problem}", upstream.Name, dataset, problem);
            return Result(poll, warnings, problem);
        }
    }

    private static DatasetPollResult Result(DatasetPoll poll, List<string> warnings, string? error = null) =>
        new(poll.Upstream, poll.Dataset, poll.Announced, poll.Cursor, error, Quarantined: poll.Quarantined, Warnings: warnings)
        {
            MoreToRead = poll.MoreToRead,
        };

    /// <summary>
    /// Why a record's name cannot be mirrored into <paramref name="dataset"/>, or null: it must be a Helioviewer file name
    /// (bare, plain ASCII, <c>.jp2</c>; the checks <c>hvmirror ingest</c> makes) of that source.
    /// </summary>
    private string? RefusedName(string name, DataSource dataset)
    {
        if (!HelioviewerFileName.TryParse(name, sources, out var parsed, out var problem))
            return problem;
        return parsed.AgreesWith(dataset)
            ? null
            : $"the name {name} belongs to {parsed.Source?.Name ?? "another source"}, not to dataset {dataset.Name}";
    }

    /// <summary>
    /// Logs a warning once per process and dataset (a poll every 30 s would repeat it endlessly) and adds it to the
    /// poll's result every time, for <c>hvmirror mirror --once</c> to print.
    /// </summary>
    private void Warn(List<string> warnings, string upstream, string dataset, string warning)
    {
        warnings.Add(warning);
        if (_warned.TryAdd((upstream, dataset, warning), 0))
            logger.LogWarning("Polling {Upstream}/{Dataset}: {Warning}", upstream, dataset, warning);
    }

    /// <summary>
    /// Hands on what was read: quarantines the unusable records, publishes the announcements, then moves the cursor over
    /// both. <paramref name="holdBefore"/>: the Time of a row that stopped the read, which the cursor must stay before.
    /// </summary>
    private async Task FlushAsync(DatasetPoll poll, RecentAnnouncements recent, CancellationToken cancellationToken, DateTime? holdBefore = null)
    {
        var (upstream, dataset) = (poll.Upstream, poll.Dataset);
        if (poll.Pending > 0)
        {
            if (poll.Unusable.Count > 0)
            {
                var entered = await quarantine.QuarantineAsync(poll.Unusable, cancellationToken);
                PollerMetrics.RecordsQuarantined.Add(entered.Count, Tags(upstream, dataset));
                foreach (var record in entered)
                    logger.LogWarning(
                        "Quarantined the record {Name} (Time {Time}) of {Upstream}/{Dataset}: {Reason}. It is not fetched and the poll goes on; " +
                        "it is judged again when the upstream publishes a record of that name. Tell the upstream's operators.",
                        UpstreamText.Shown(record.Name), HapiTime.Format(record.UpstreamIngestedAt), upstream, dataset, record.Reason);
                foreach (var record in poll.Unusable) poll.QuarantinedNames.Add(record.Name);
                poll.Quarantined += poll.Unusable.Count;
            }
            var batch = poll.Announcements;
            if (batch.Count > 0)
            {
                // Reading pauses here while the mirror is behind: the answer is a stream, and memory stays flat.
                await backpressure.WaitForRoomAsync(upstream, dataset, cancellationToken);
                // Every publish returns once the broker confirmed it (publisher confirms), so moving the cursor afterwards
                // never loses a record; a crash in between only announces them again.
                await PublishEachInItsOwnTraceAsync(batch, cancellationToken);
                inFlight.Published(batch.Count);
                var fixedUpstream = batch.Select(a => a.Name).Where(poll.QuarantinedNames.Contains).ToList();
                if (fixedUpstream.Count > 0)
                {
                    var released = await quarantine.ReleaseAsync(upstream, dataset, fixedUpstream, cancellationToken);
                    poll.QuarantinedNames.ExceptWith(fixedUpstream);
                    logger.LogInformation("Released {Count} records of {Upstream}/{Dataset} from the quarantine: the upstream now publishes them usable ({Names})",
                        released, upstream, dataset, string.Join(", ", fixedUpstream.Take(10)));
                }
                PollerMetrics.FilesAnnounced.Add(batch.Count, Tags(upstream, dataset));
                poll.Announced += batch.Count;
            }
            PollerMetrics.RecordQuarantined(upstream, dataset, poll.QuarantinedNames.Count);
            // Late records found in the overlap lie before the cursor: it never moves back for them.
            var last = poll.LastRead!.Value;
            if (holdBefore is { } bad && last >= bad) last = JustBefore(bad);
            if (poll.Cursor is not { } current || last > current)
            {
                await cursors.AdvanceAsync(upstream, dataset, last, cancellationToken);
                poll.Cursor = last;
            }
            recent.Remember(batch.Select(a => (a.Name, a.Checksum, a.UpstreamIngestedAt)), poll.Cursor!.Value - options.Value.Overlap);
            batch.Clear();
            poll.Unusable.Clear();
        }
        if (holdBefore is { } stop && poll.Cursor >= stop)
        {
            // Rows later than the bad one came before it in the answer and were handed on (in this flush or an earlier
            // batch): the cursor goes back to just before it, but never behind where this poll started, since what lies
            // before that was read in order by earlier polls (a row that far back lies outside the range asked).
            var hold = JustBefore(stop);
            if (poll.StartCursor is { } started && hold < started) hold = started;
            if (hold < poll.Cursor)
            {
                await cursors.HoldAtAsync(upstream, dataset, hold, cancellationToken);
                poll.Cursor = hold;
            }
        }
        if (poll.Cursor is { } position) PollerMetrics.RecordCursor(upstream, dataset, position);
    }

    /// <summary>The latest microsecond (the catalog's precision) before <paramref name="t"/>.</summary>
    private static DateTime JustBefore(DateTime t)
    {
        var ticks = t.Ticks - 1;
        return new DateTime(ticks - ticks % 10, DateTimeKind.Utc);
    }

    private static KeyValuePair<string, object?>[] Tags(string upstream, string dataset) =>
        [new("upstream", upstream), new("dataset", dataset)];

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
