using System.Diagnostics;
using HvMirror.Catalog;
using HvMirror.ServiceDefaults;
using MassTransit.Logging;
using HvMirror.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace HvMirror.Comparer;

/// <summary>
/// Compares a batch of announced records with the catalog in one query and publishes <see cref="FileNeeded"/> for each
/// name this node lacks or holds with another checksum. Equal checksums need nothing. Replays publish again, which the
/// fetcher absorbs (it checks the catalog before downloading).
/// </summary>
public sealed class FileAnnouncedConsumer(CatalogDbContextFactory contexts, WorkList workList, ILogger<FileAnnouncedConsumer> logger)
    : IConsumer<Batch<FileAnnounced>>
{
    private static Activity? StartInTraceOf(ConsumeContext<FileAnnounced> announcement, FileAnnounced record)
    {
        var parentId = announcement.Headers.Get<string>(DiagnosticHeaders.ActivityId);
        var parent = ActivityContext.TryParse(parentId, null, out var context) ? context : default;
        Activity.Current = null;
        var activity = HvMirrorTelemetry.Source.StartActivity(ActivityKind.Internal, parent, name: $"compare {record.Dataset}");
        activity?.SetTag("hvmirror.file", record.Name);
        return activity;
    }

    public async Task Consume(ConsumeContext<Batch<FileAnnounced>> context)
    {
        // The same name may be announced twice in one batch (poll overlap); the newest upstream record wins.
        var announced = context.Message
            .GroupBy(m => m.Message.Name, StringComparer.Ordinal)
            .Select(g => g.MaxBy(m => m.Message.UpstreamIngestedAt)!)
            .ToList();
        var names = announced.Select(a => a.Message.Name).ToList();

        Dictionary<string, string> held;
        await using (var db = contexts.CreateDbContext())
        {
            held = await db.Files.AsNoTracking()
                .Where(f => names.Contains(f.Name))
                .ToDictionaryAsync(f => f.Name, f => f.Checksum, StringComparer.Ordinal, context.CancellationToken);
        }

        var wanted = announced
            .Select(a => (Announcement: a, Held: held.GetValueOrDefault(a.Message.Name)))
            .Where(w => w.Held != w.Announcement.Message.Checksum)
            .ToList();
        // Written down before it is asked for: should the request be lost or fail, the work list still knows the file.
        await workList.WantAsync(wanted.Select(w => new WantedFileRequest(w.Announcement.Message.Name, w.Announcement.Message.Upstream,
            w.Announcement.Message.Dataset, w.Announcement.Message.Checksum, w.Announcement.Message.Url, w.Announcement.Message.UpstreamIngestedAt,
            (w.Held is null ? FileNeedReason.New : FileNeedReason.Changed).ToString(), w.Held)).ToList(), context.CancellationToken);

        var needed = 0;
        var changed = 0;
        var batchActivity = Activity.Current;
        var publishes = new List<Task>();
        foreach (var (announcement, heldChecksum) in wanted)
        {
            var record = announcement.Message;
            var reason = heldChecksum is null ? FileNeedReason.New : FileNeedReason.Changed;
            needed++;
            if (reason == FileNeedReason.Changed) changed++;
            // Continue the file's own trace (started when it was announced), not the batch's.
            var compare = StartInTraceOf(announcement, record);
            try
            {
                compare?.SetTag("hvmirror.reason", reason.ToString());
                // Started inside the file's trace, awaited together below: a batch's publishes overlap.
                publishes.Add(context.PublishMandatory(new FileNeeded(record.Upstream, record.Dataset, record.Name, record.Checksum, record.Url,
                    record.UpstreamIngestedAt, reason, heldChecksum), context.CancellationToken));
            }
            finally
            {
                compare?.Dispose();
                Activity.Current = batchActivity;
            }
            ComparerMetrics.FilesNeeded.Add(1, new KeyValuePair<string, object?>("upstream", record.Upstream),
                new KeyValuePair<string, object?>("dataset", record.Dataset), new KeyValuePair<string, object?>("reason", reason.ToString()));
        }

        await Task.WhenAll(publishes);
        logger.LogInformation(
            "Compared {Announced} announced files: {New} new, {Changed} changed, {Held} already held",
            announced.Count, needed - changed, changed, announced.Count - needed);
    }
}
