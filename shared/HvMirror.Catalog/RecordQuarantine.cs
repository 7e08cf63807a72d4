using Microsoft.EntityFrameworkCore;

namespace HvMirror.Catalog;

/// <summary>A record the poller found unusable, as it hands it to the quarantine.</summary>
public sealed record UnusableUpstreamRecord(
    string Upstream, string Dataset, string Name, DateTime UpstreamIngestedAt, string Checksum, string Url, string Reason);

/// <summary>
/// The quarantine (table <c>quarantined_records</c>): upstream records that are bad on their own, so that one of them
/// never stops its dataset. A record stays until the upstream publishes a usable record of the same name (a fixed or
/// re-registered file), which the poller then announces and releases from here.
/// </summary>
public sealed class RecordQuarantine(CatalogDbContextFactory contexts, TimeProvider time)
{
    public const int MaxNameLength = 255;
    public const int MaxFieldLength = 2048;
    public const int MaxReasonLength = 2000;

    /// <summary>
    /// Keeps <paramref name="records"/> (one round trip). Returns those newly quarantined or quarantined now for another
    /// reason or other fields, so that each is logged once, not at every poll that reads it again.
    /// </summary>
    public async Task<IReadOnlyList<UnusableUpstreamRecord>> QuarantineAsync(IReadOnlyCollection<UnusableUpstreamRecord> records,
        CancellationToken cancellationToken)
    {
        if (records.Count == 0) return [];
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = contexts.CreateDbContext();
        var first = records.First();
        var names = records.Select(r => Cut(r.Name, MaxNameLength)).Distinct().ToList();
        var kept = await db.QuarantinedRecords
            .Where(q => q.Upstream == first.Upstream && q.Dataset == first.Dataset && names.Contains(q.Name))
            .ToDictionaryAsync(q => q.Name, StringComparer.Ordinal, cancellationToken);
        var changed = new List<UnusableUpstreamRecord>();
        foreach (var record in records)
        {
            if (record.Upstream != first.Upstream || record.Dataset != first.Dataset)
                throw new ArgumentException("All records of one call belong to one upstream dataset.", nameof(records));
            var name = Cut(record.Name, MaxNameLength);
            var checksum = Cut(record.Checksum, MaxFieldLength);
            var url = Cut(record.Url, MaxFieldLength);
            var reason = Cut(record.Reason, MaxReasonLength);
            if (!kept.TryGetValue(name, out var entry))
            {
                entry = new QuarantinedRecord
                {
                    Upstream = record.Upstream, Dataset = record.Dataset, Name = name, Checksum = checksum, Url = url, Reason = reason,
                    FirstSeenAt = now,
                };
                db.QuarantinedRecords.Add(entry);
                kept[name] = entry;
                changed.Add(record);
            }
            else if (entry.Checksum != checksum || entry.Url != url || entry.Reason != reason)
            {
                (entry.Checksum, entry.Url, entry.Reason) = (checksum, url, reason);
                changed.Add(record);
            }
            entry.UpstreamIngestedAt = record.UpstreamIngestedAt;
            entry.LastSeenAt = now;
        }
        await db.SaveChangesAsync(cancellationToken);
        return changed;
    }

    /// <summary>Releases the records of these names: the upstream now publishes usable ones. Returns how many left the quarantine.</summary>
    public async Task<int> ReleaseAsync(string upstream, string dataset, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        if (names.Count == 0) return 0;
        await using var db = contexts.CreateDbContext();
        return await db.QuarantinedRecords
            .Where(q => q.Upstream == upstream && q.Dataset == dataset && names.Contains(q.Name))
            .ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The names quarantined for one upstream dataset.</summary>
    public async Task<HashSet<string>> NamesAsync(string upstream, string dataset, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var names = await db.QuarantinedRecords.AsNoTracking()
            .Where(q => q.Upstream == upstream && q.Dataset == dataset)
            .Select(q => q.Name)
            .ToListAsync(cancellationToken);
        return names.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every quarantined record, or those of <paramref name="dataset"/>, in upstream, dataset and time order.</summary>
    public async Task<IReadOnlyList<QuarantinedRecord>> ListAsync(string? dataset, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var query = db.QuarantinedRecords.AsNoTracking();
        if (dataset is not null) query = query.Where(q => q.Dataset == dataset);
        return await query.OrderBy(q => q.Upstream).ThenBy(q => q.Dataset).ThenBy(q => q.UpstreamIngestedAt).ToListAsync(cancellationToken);
    }

    // PostgreSQL text cannot hold NUL, which a hostile upstream may send.
    private static string Cut(string text, int length)
    {
        if (text.Length > length) text = text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];
        return text.Replace('\0', '\uFFFD');
    }
}
