using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HvMirror.Catalog;

/// <summary>A file found wanted, as the comparer records it.</summary>
public sealed record WantedFileRequest(
    string Name, string Upstream, string Dataset, string Checksum, Uri Url, DateTime UpstreamIngestedAt, string Reason, string? HeldChecksum);

/// <summary>What the work list holds, for <c>hvmirror verify</c>, the metrics and the logs.</summary>
public sealed record WorkListSummary(int Count, int Failing, DateTime? OldestWantedSince, IReadOnlyList<(string Reason, int Count)> Reasons);

/// <summary>
/// The durable work list (table <c>wanted_files</c>): every file found needed stays here until it is registered with the
/// wanted bytes. A failed file is asked for again with growing delays (<see cref="RetryDelay"/>: minutes, then hours), and
/// a file whose request was lost (a crash, an in-memory bus at exit) is asked for again after
/// <see cref="WorkListOptions.InFlightGrace"/>. The re-drive (<c>WorkListRedriver</c>) publishes what is due.
/// </summary>
public sealed class WorkList(CatalogDbContextFactory contexts, TimeProvider time, IOptions<WorkListOptions> options)
{
    private TimeSpan InFlightGrace => options.Value.InFlightGrace;

    /// <summary>
    /// Delay before asking again after <paramref name="failures"/> failed attempts: <see cref="WorkListOptions.FirstRetry"/>,
    /// then four times longer each time up to <see cref="WorkListOptions.MaxRetry"/> (by default 1, 4, 16 minutes, 1 h, 4 h, 6 h, 6 h …).
    /// </summary>
    public TimeSpan RetryDelay(int failures)
    {
        if (failures <= 0) return TimeSpan.Zero;
        var delay = options.Value.FirstRetry * Math.Pow(4, Math.Min(failures - 1, 30));
        return delay < options.Value.MaxRetry ? delay : options.Value.MaxRetry;
    }

    /// <summary>
    /// Records files found wanted (one round trip for the batch). A file already listed for the same bytes keeps its
    /// history; one listed for other bytes (reprocessed again upstream) starts afresh. The comparer asks for the files
    /// itself right after; with <paramref name="dueNow"/> (an audit's repair) they are due at once instead, for the
    /// re-drive (or the next <c>mirror --once</c>) to ask for, failing ones included.
    /// </summary>
    public async Task WantAsync(IReadOnlyCollection<WantedFileRequest> files, CancellationToken cancellationToken, bool dueNow = false)
    {
        if (files.Count == 0) return;
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = contexts.CreateDbContext();
        var names = files.Select(f => f.Name).ToList();
        var listed = await db.WantedFiles.Where(w => names.Contains(w.Name)).ToDictionaryAsync(w => w.Name, StringComparer.Ordinal, cancellationToken);
        foreach (var file in files)
        {
            if (!listed.TryGetValue(file.Name, out var entry))
            {
                entry = new WantedFile
                {
                    Name = file.Name, Upstream = file.Upstream, Dataset = file.Dataset, Checksum = file.Checksum, Url = file.Url.ToString(),
                    Reason = file.Reason, WantedSince = now,
                };
                db.WantedFiles.Add(entry);
                listed[file.Name] = entry;
            }
            else if (entry.Checksum != file.Checksum)
            {
                entry.Checksum = file.Checksum;
                entry.Attempts = 0;
                entry.LastError = null;
            }
            else if (entry.Attempts > 0 && !dueNow)
            {
                continue; // failing: its retry schedule decides when it is asked again
            }
            entry.Upstream = file.Upstream;
            entry.Dataset = file.Dataset;
            entry.Url = file.Url.ToString();
            entry.UpstreamIngestedAt = file.UpstreamIngestedAt;
            entry.Reason = file.Reason;
            entry.HeldChecksum = file.HeldChecksum;
            entry.NextAttemptAt = dueNow ? now : now + InFlightGrace;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The file is registered with <paramref name="checksum"/>: it leaves the list unless other bytes are wanted since.</summary>
    public async Task CompleteAsync(string name, string checksum, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await db.WantedFiles.Where(w => w.Name == name && w.Checksum == checksum).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>A fetch of these bytes failed for good this time: remember why and when to ask again. Null when it is no longer listed.</summary>
    public async Task<WantedFile?> FailAsync(string name, string checksum, string error, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var entry = await db.WantedFiles.SingleOrDefaultAsync(w => w.Name == name && w.Checksum == checksum, cancellationToken);
        if (entry is null) return null;
        entry.Attempts++;
        entry.LastError = error.Length > 2000 ? error[..2000] : error;
        entry.NextAttemptAt = time.GetUtcNow().UtcDateTime + RetryDelay(entry.Attempts);
        await db.SaveChangesAsync(cancellationToken);
        return entry;
    }

    /// <summary>
    /// Reads one page of up to <paramref name="limit"/> entries due by <paramref name="dueBy"/> whose names sort after
    /// <paramref name="afterName"/> (pages go in name order) and takes the ones still to fetch, moving their next attempt on
    /// by <see cref="WorkListOptions.InFlightGrace"/> so that another re-drive meanwhile does not ask for them again.
    /// <c>Next</c> is where the next page starts, null after the last page.
    /// </summary>
    public async Task<(IReadOnlyList<WantedFile> Due, string? Next)> TakeDueAsync(
        int limit, DateTime dueBy, string? afterName, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = contexts.CreateDbContext();
        var query = db.WantedFiles.Where(w => w.NextAttemptAt <= dueBy);
        if (afterName is not null) query = query.Where(w => string.Compare(w.Name, afterName) > 0);
        var page = await query.OrderBy(w => w.Name).Take(limit).ToListAsync(cancellationToken);
        if (page.Count == 0) return ([], null);
        // Registered with these bytes, but the fetcher stopped before it struck them off (a crash in between): done.
        var names = page.Select(w => w.Name).ToList();
        var held = (await db.Files.AsNoTracking().Where(f => names.Contains(f.Name)).Select(f => new { f.Name, f.Checksum })
            .ToListAsync(cancellationToken)).ToDictionary(f => f.Name, f => f.Checksum, StringComparer.Ordinal);
        var due = new List<WantedFile>(page.Count);
        foreach (var entry in page)
        {
            if (held.GetValueOrDefault(entry.Name) == entry.Checksum)
            {
                db.WantedFiles.Remove(entry);
                continue;
            }
            entry.NextAttemptAt = now + InFlightGrace;
            due.Add(entry);
        }
        await db.SaveChangesAsync(cancellationToken);
        return (due, page.Count < limit ? null : page[^1].Name);
    }

    public async Task<IReadOnlyList<WantedFile>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.WantedFiles.AsNoTracking().OrderBy(w => w.WantedSince).ThenBy(w => w.Name).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>Files asked for and not yet fetched nor failed: the fetchers' backlog, which the poller keeps bounded.</summary>
    public async Task<int> CountInFlightAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.WantedFiles.CountAsync(w => w.LastError == null, cancellationToken);
    }

    public async Task<WorkListSummary> SummarizeAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var count = await db.WantedFiles.CountAsync(cancellationToken);
        if (count == 0) return new WorkListSummary(0, 0, null, []);
        var failing = await db.WantedFiles.CountAsync(w => w.Attempts > 0, cancellationToken);
        var oldest = await db.WantedFiles.MinAsync(w => w.WantedSince, cancellationToken);
        var reasons = await db.WantedFiles.Where(w => w.LastError != null)
            .GroupBy(w => w.LastError!).Select(g => new { Reason = g.Key, Count = g.Count() })
            .OrderByDescending(r => r.Count).Take(5).ToListAsync(cancellationToken);
        return new WorkListSummary(count, failing, oldest, reasons.Select(r => (r.Reason, r.Count)).ToList());
    }
}
