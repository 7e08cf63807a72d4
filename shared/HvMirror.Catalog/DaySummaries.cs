using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.Catalog;

/// <summary>
/// The per-day summaries (table <c>day_summaries</c>, <see cref="DaySummary"/>). A day's digest is the XOR of
/// SHA-256(<c>name</c> + "\n" + <c>checksum</c>) over the day's files, in hex: it does not depend on the order the
/// files were registered in, so two nodes holding the same (name, checksum) pairs have the same digest, and it changes
/// by one XOR when a file is added, replaced or removed, inside that registration's transaction. Names are unique, so no
/// pair can cancel itself out.
/// </summary>
public static class DaySummaries
{
    public static readonly string EmptyDigest = new('0', 64);

    /// <summary>The day a file observed at <paramref name="observedAt"/> belongs to.</summary>
    public static DateTime DayOf(DateTime observedAt) => DateTime.SpecifyKind(observedAt.Date, DateTimeKind.Utc);

    /// <summary>The month a file observed at <paramref name="observedAt"/> (or a day) belongs to: its first day's midnight.</summary>
    public static DateTime MonthOf(DateTime observedAt) => new(observedAt.Year, observedAt.Month, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>One file's share of its day's digest.</summary>
    public static byte[] Digest(string name, string checksum) => SHA256.HashData(Encoding.UTF8.GetBytes(name + "\n" + checksum));

    /// <summary>The digest of a set of pairs, computed from scratch (what the maintained digest always equals).</summary>
    public static string DigestOf(IEnumerable<(string Name, string Checksum)> files)
    {
        var digest = new byte[32];
        foreach (var (name, checksum) in files) Xor(digest, Digest(name, checksum));
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>
    /// Adds (<paramref name="sign"/> +1) or takes away (-1) one file from its day's and its month's summaries, through
    /// <paramref name="db"/>'s change tracker: saved with the registration's own <c>SaveChanges</c>.
    /// </summary>
    public static async Task ApplyAsync(CatalogDbContext db, string dataset, DateTime observedAt, string name, string checksum, long size,
        int sign, DateTime now, CancellationToken cancellationToken)
    {
        var day = DayOf(observedAt);
        var summary = db.DaySummaries.Local.FirstOrDefault(s => s.Dataset == dataset && s.Day == day)
                      ?? await db.DaySummaries.SingleOrDefaultAsync(s => s.Dataset == dataset && s.Day == day, cancellationToken);
        var newDay = summary is null;
        if (summary is null)
        {
            summary = new DaySummary { Dataset = dataset, Day = day, Digest = EmptyDigest };
            db.DaySummaries.Add(summary);
        }
        var share = Digest(name, checksum);
        summary.Digest = Xor(summary.Digest, share);
        summary.Files += sign;
        summary.Bytes += sign * size;
        summary.UpdatedAt = now;

        var month = MonthOf(observedAt);
        var monthly = db.MonthSummaries.Local.FirstOrDefault(s => s.Dataset == dataset && s.Month == month)
                      ?? await db.MonthSummaries.SingleOrDefaultAsync(s => s.Dataset == dataset && s.Month == month, cancellationToken);
        if (monthly is null)
        {
            monthly = new MonthSummary { Dataset = dataset, Month = month, Digest = EmptyDigest };
            db.MonthSummaries.Add(monthly);
        }
        if (newDay) monthly.Days++;
        monthly.Digest = Xor(monthly.Digest, share);
        monthly.Files += sign;
        monthly.Bytes += sign * size;
        monthly.UpdatedAt = now;
    }

    private static string Xor(string hex, byte[] value)
    {
        var digest = Convert.FromHexString(hex);
        Xor(digest, value);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Deletes the summaries <see cref="ApplyAsync"/> emptied (a day without files has no summary). Call before saving.</summary>
    public static void DropEmpty(CatalogDbContext db)
    {
        foreach (var empty in db.DaySummaries.Local.Where(s => s.Files == 0).ToList())
        {
            db.DaySummaries.Remove(empty);
            var month = MonthOf(empty.Day);
            if (db.MonthSummaries.Local.FirstOrDefault(m => m.Dataset == empty.Dataset && m.Month == month) is { } monthly) monthly.Days--;
        }
        foreach (var empty in db.MonthSummaries.Local.Where(s => s.Files == 0).ToList())
            db.MonthSummaries.Remove(empty);
    }

    /// <summary>
    /// Recomputes every day and month summary from the files table, dataset by dataset (for a catalog that had files before summaries
    /// existed, or rows loaded by SQL). Streams the files in observation order: memory is one day's summary at a time.
    /// </summary>
    public static async Task<long> RebuildAsync(CatalogDbContextFactory contexts, Action<string>? progress, CancellationToken cancellationToken)
    {
        await using var read = contexts.CreateDbContext();
        await using var write = contexts.CreateDbContext();
        write.ChangeTracker.AutoDetectChangesEnabled = false;
        // One transaction: readers see the old summaries or the new ones, and SQLite syncs to disk once, not per batch.
        await using var transaction = await write.Database.BeginTransactionAsync(cancellationToken);
        await write.DaySummaries.ExecuteDeleteAsync(cancellationToken);
        await write.MonthSummaries.ExecuteDeleteAsync(cancellationToken);
        long days = 0, pending = 0;
        MonthSummary? month = null;
        var monthDigest = new byte[32];
        var now = DateTime.UtcNow;
        DaySummary? current = null;
        var digest = new byte[32];
        async Task FlushAsync(bool monthEnds)
        {
            if (current is null) return;
            current.Digest = Convert.ToHexStringLower(digest);
            write.DaySummaries.Add(current);
            days++;
            month ??= new MonthSummary { Dataset = current.Dataset, Month = MonthOf(current.Day), Digest = EmptyDigest, UpdatedAt = now };
            Xor(monthDigest, digest);
            month.Days++;
            month.Files += current.Files;
            month.Bytes += current.Bytes;
            if (monthEnds)
            {
                month.Digest = Convert.ToHexStringLower(monthDigest);
                write.MonthSummaries.Add(month);
                month = null;
                monthDigest = new byte[32];
            }
            if (++pending < 5000) return;
            await write.SaveChangesAsync(cancellationToken);
            write.ChangeTracker.Clear();
            pending = 0;
        }
        await foreach (var file in read.Files.AsNoTracking().OrderBy(f => f.Dataset).ThenBy(f => f.ObservedAt)
                           .Select(f => new { f.Dataset, f.Name, f.Checksum, f.Size, f.ObservedAt }).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var day = DayOf(file.ObservedAt);
            if (current is null || current.Day != day || current.Dataset != file.Dataset)
            {
                if (current is not null && current.Dataset != file.Dataset) progress?.Invoke($"   {current.Dataset}: done, {days + 1:N0} days so far");
                await FlushAsync(monthEnds: current is not null && (current.Dataset != file.Dataset || MonthOf(current.Day) != MonthOf(day)));
                current = new DaySummary { Dataset = file.Dataset, Day = day, Digest = EmptyDigest, UpdatedAt = now };
                digest = new byte[32];
            }
            Xor(digest, Digest(file.Name, file.Checksum));
            current.Files++;
            current.Bytes += file.Size;
        }
        await FlushAsync(monthEnds: true);
        await write.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return days;
    }

    private static void Xor(byte[] into, byte[] value)
    {
        for (var i = 0; i < into.Length; i++) into[i] ^= value[i];
    }
}
