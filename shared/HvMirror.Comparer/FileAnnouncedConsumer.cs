using HvMirror.Catalog;
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
public sealed class FileAnnouncedConsumer(CatalogDbContextFactory contexts, ILogger<FileAnnouncedConsumer> logger)
    : IConsumer<Batch<FileAnnounced>>
{
    public async Task Consume(ConsumeContext<Batch<FileAnnounced>> context)
    {
        // The same name may be announced twice in one batch (poll overlap); the newest upstream record wins.
        var announced = context.Message
            .Select(m => m.Message)
            .GroupBy(m => m.Name, StringComparer.Ordinal)
            .Select(g => g.MaxBy(m => m.UpstreamIngestedAt)!)
            .ToList();
        var names = announced.Select(a => a.Name).ToList();

        Dictionary<string, string> held;
        await using (var db = contexts.CreateDbContext())
        {
            held = await db.Files.AsNoTracking()
                .Where(f => names.Contains(f.Name))
                .ToDictionaryAsync(f => f.Name, f => f.Checksum, StringComparer.Ordinal, context.CancellationToken);
        }

        var needed = new List<FileNeeded>();
        foreach (var record in announced)
        {
            held.TryGetValue(record.Name, out var heldChecksum);
            if (heldChecksum == record.Checksum) continue;
            needed.Add(new FileNeeded(record.Upstream, record.Dataset, record.Name, record.Checksum, record.Url,
                record.UpstreamIngestedAt, heldChecksum is null ? FileNeedReason.New : FileNeedReason.Changed, heldChecksum));
        }

        if (needed.Count > 0)
            await context.PublishBatch(needed, context.CancellationToken);
        logger.LogInformation(
            "Compared {Announced} announced files: {New} new, {Changed} changed, {Held} already held",
            announced.Count, needed.Count(n => n.Reason == FileNeedReason.New), needed.Count(n => n.Reason == FileNeedReason.Changed),
            announced.Count - needed.Count);
    }
}
