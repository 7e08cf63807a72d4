using System.Collections;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Hapi;
using HvMirror.HapiClient;
using HvMirror.Ingestion;
using HvMirror.Upstreams;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.Audit;

/// <summary>What one dataset's verification found.</summary>
public sealed record DatasetVerification(string Dataset, long Upstream, long InSync, IReadOnlyList<string> Problems, string? Error = null)
{
    public bool Clean => Problems.Count == 0 && Error is null;
}

/// <summary>
/// Compares this node's catalog (and, deeply, its files on disk) with every record an upstream serves: a file missing
/// here, held with another checksum, or (deep) missing or different on disk is a problem to report. Streams the
/// upstream's records and looks them up in batches, so a dataset of millions of files needs no more memory than one.
/// </summary>
public sealed class ArchiveVerifier(UpstreamClient upstream, CatalogDbContextFactory contexts, ArchiveLocation archive, bool deep)
{
    private const int LookupBatch = 1000;

    public async Task<IReadOnlyList<DatasetVerification>> VerifyAsync(IReadOnlyList<string> patterns, Action<string> progress, CancellationToken cancellationToken)
    {
        var catalog = await upstream.GetCatalogAsync(cancellationToken);
        var results = new List<DatasetVerification>();
        foreach (var dataset in catalog.Datasets.Select(d => d.Id).Where(id => !CompanionDatasets.IsCompanion(id) && DatasetPattern.MatchesAny(patterns, id)))
        {
            try
            {
                results.Add(await VerifyDatasetAsync(dataset, cancellationToken));
            }
            catch (HapiClientException e)
            {
                results.Add(new DatasetVerification(dataset, 0, 0, [], e.Message));
            }
            var last = results[^1];
            progress($"   {dataset}: {last.InSync:N0} of {last.Upstream:N0} in sync" +
                     (last.Problems.Count > 0 ? $", {last.Problems.Count:N0} problem(s)" : "") + (last.Error is null ? "" : $", stopped: {last.Error}"));
        }
        return results;
    }

    private async Task<DatasetVerification> VerifyDatasetAsync(string dataset, CancellationToken cancellationToken)
    {
        var info = await upstream.GetInfoAsync(dataset, cancellationToken);
        var comparison = new NewestRecordComparison();
        var batch = new List<HapiRecord>(LookupBatch);
        // Records this node's poller set aside are reported with the reason they were, not as merely missing.
        var quarantined = (await new RecordQuarantine(contexts, TimeProvider.System).ListAsync(dataset, cancellationToken))
            .GroupBy(q => q.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Reason, StringComparer.Ordinal);
        await foreach (var row in upstream.ReadAsync(info, info.StartDate, info.StopDate, cancellationToken))
        {
            if (row is UnusableRecord unusable)
            {
                await CheckAsync(batch, comparison, cancellationToken); // records before it come first
                comparison.Supersede(unusable.Name, null);
                comparison.Problem(unusable.Name, $"unusable upstream record: {UpstreamText.Shown(unusable.Name)} at {HapiTime.Format(unusable.Time)}: {unusable.Problem}");
                continue;
            }
            var record = (HapiRecord)row;
            if (quarantined.TryGetValue(record.Name, out var reason))
            {
                await CheckAsync(batch, comparison, cancellationToken);
                comparison.Supersede(record.Name, null);
                comparison.Problem(record.Name, $"quarantined: {UpstreamText.Shown(record.Name)} (upstream {record.Checksum}): {reason}");
                continue;
            }
            batch.Add(record);
            if (batch.Count == LookupBatch) await CheckAsync(batch, comparison, cancellationToken);
        }
        await CheckAsync(batch, comparison, cancellationToken);
        return new DatasetVerification(dataset, comparison.Files, comparison.InSync, [.. comparison.Problems.Values]);
    }

    private async Task CheckAsync(List<HapiRecord> batch, NewestRecordComparison comparison, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return;
        var names = batch.Select(r => r.Name).Distinct().ToList();
        Dictionary<string, CatalogFile> held;
        await using (var db = contexts.CreateDbContext())
            held = await db.Files.AsNoTracking().Where(f => names.Contains(f.Name)).ToDictionaryAsync(f => f.Name, cancellationToken);

        // The client hands records over in strictly increasing Time, so each record of a name supersedes the ones before it.
        foreach (var record in batch)
        {
            var expected = record.Checksum.ToString();
            held.TryGetValue(record.Name, out var file);
            comparison.Supersede(record.Name, file);
            if (file is null)
                comparison.Problem(record.Name, $"missing: {record.Name} (upstream {expected})");
            else if (file.Checksum != expected)
                comparison.Problem(record.Name, $"different: {record.Name}: here {file.Checksum}, upstream {expected}");
            else if (deep && await OnDiskProblemAsync(file, cancellationToken) is { } diskProblem)
                comparison.Problem(record.Name, diskProblem);
            else
                comparison.Synced(file);
        }
        batch.Clear();
    }

    /// <summary>
    /// One dataset's outcome, judged by the newest record of each name: an upstream that keeps history (server-nodejs)
    /// still lists the superseded record of a reprocessed file beside the new one, and only the new one must match.
    /// Memory stays small for millions of records: a problem is kept by name until a newer record of that name replaces
    /// it (there are few), and the files found in sync are one bit each, by catalog id.
    /// </summary>
    private sealed class NewestRecordComparison
    {
        private readonly BitArray _syncedIds = new(0);

        public long Files { get; private set; }
        public long InSync { get; private set; }
        public OrderedDictionary<string, string> Problems { get; } = new(StringComparer.Ordinal);

        /// <summary>Forgets what an earlier record of <paramref name="name"/> found, so the one at hand counts instead.</summary>
        public void Supersede(string name, CatalogFile? file)
        {
            Files++;
            if (Problems.Remove(name))
                Files--;
            else if (file is not null && IsSynced(file.Id))
            {
                _syncedIds[checked((int)file.Id)] = false;
                InSync--;
                Files--;
            }
        }

        public void Problem(string name, string problem) => Problems[name] = problem;

        public void Synced(CatalogFile file)
        {
            var id = checked((int)file.Id);
            if (id >= _syncedIds.Length) _syncedIds.Length = Math.Max(id + 1, _syncedIds.Length * 2);
            _syncedIds[id] = true;
            InSync++;
        }

        private bool IsSynced(long id) => id < _syncedIds.Length && _syncedIds[(int)id];
    }

    private async Task<string?> OnDiskProblemAsync(CatalogFile file, CancellationToken cancellationToken)
    {
        var path = archive.FullPath(file.ArchivePath);
        if (!File.Exists(path)) return $"not on disk: {file.Name} (catalogued at {file.ArchivePath})";
        await using var content = FileStager.OpenRead(path);
        var onDisk = (await Checksum.Sha256OfAsync(content, cancellationToken)).ToString();
        return onDisk == file.Checksum ? null : $"corrupt on disk: {file.Name}: the catalog says {file.Checksum}, the file hashes to {onDisk}";
    }
}
