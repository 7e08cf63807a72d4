using HvMirror.Catalog;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.HapiServer.Status;

/// <summary>Where a mirror's poller stands on one upstream dataset (table <c>mirror_cursors</c>).</summary>
public sealed record CursorStatus(DateTime Position, DateTime UpdatedAt)
{
    /// <summary>Now − <see cref="Position"/>: how far behind the newest upstream record announced, as <c>hvmirror_cursor_age_seconds</c> counts it.</summary>
    public TimeSpan Lag(DateTime now) => now - Position;

    /// <summary>Now − <see cref="UpdatedAt"/>: how long since the poller last moved the cursor.</summary>
    public TimeSpan Age(DateTime now) => now - UpdatedAt;
}

/// <summary>The work-list entries of one upstream dataset.</summary>
public sealed record SourceWorkList(int Count, int Failing, DateTime? OldestWantedSince);

/// <summary>One upstream dataset as <c>/status</c> shows it: its last audit, its cursor and its work list, each null when absent.</summary>
public sealed record SourceStatus(string Upstream, string Dataset, AuditResult? Audit, IReadOnlyList<AuditDay> Days, CursorStatus? Cursor, SourceWorkList? WorkList)
{
    public string Key => $"{Upstream}/{Dataset}";
}

public sealed record StatusReport(DateTime Now, IReadOnlyList<SourceStatus> Sources, WorkListSummary WorkList)
{
    public bool AnyAudit => Sources.Any(s => s.Audit is not null);
}

/// <summary>Reads what <c>/status</c> shows from the catalog: four queries, whatever the number of sources.</summary>
public sealed class StatusReader(CatalogDbContextFactory contexts, WorkList workList, TimeProvider time)
{
    public async Task<StatusReport> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = contexts.CreateDbContext();
        var audits = await db.AuditResults.AsNoTracking().ToListAsync(cancellationToken);
        var cursors = await db.MirrorCursors.AsNoTracking().ToListAsync(cancellationToken);
        var wanted = await db.WantedFiles.AsNoTracking()
            .GroupBy(w => new { w.Upstream, w.Dataset })
            .Select(g => new { g.Key.Upstream, g.Key.Dataset, Count = g.Count(), Failing = g.Count(w => w.Attempts > 0), Oldest = g.Min(w => w.WantedSince) })
            .ToListAsync(cancellationToken);
        var summary = await workList.SummarizeAsync(cancellationToken);

        var keys = audits.Select(a => (a.Upstream, a.Dataset))
            .Concat(cursors.Select(c => (c.Upstream, c.Dataset)))
            .Concat(wanted.Select(w => (w.Upstream, w.Dataset)))
            .Distinct()
            .OrderBy(k => k.Upstream, StringComparer.Ordinal).ThenBy(k => k.Dataset, StringComparer.Ordinal);
        var sources = new List<SourceStatus>();
        foreach (var (upstream, dataset) in keys)
        {
            var audit = audits.FirstOrDefault(a => a.Upstream == upstream && a.Dataset == dataset);
            var cursor = cursors.FirstOrDefault(c => c.Upstream == upstream && c.Dataset == dataset);
            var work = wanted.FirstOrDefault(w => w.Upstream == upstream && w.Dataset == dataset);
            sources.Add(new SourceStatus(upstream, dataset, audit,
                audit is null ? [] : AuditDays.Decode(audit.Days),
                cursor is null ? null : new CursorStatus(Utc(cursor.Position), Utc(cursor.UpdatedAt)),
                work is null ? null : new SourceWorkList(work.Count, work.Failing, Utc(work.Oldest))));
        }
        return new StatusReport(now, sources, summary);
    }

    // SQLite hands DateTimes back unspecified; every catalog time is UTC.
    private static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
