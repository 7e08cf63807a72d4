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
        foreach (var dataset in catalog.Datasets.Select(d => d.Id).Where(id => DatasetPattern.MatchesAny(patterns, id)))
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
        var problems = new List<string>();
        long total = 0, inSync = 0;
        var batch = new List<HapiRecord>(LookupBatch);
        // Records this node's poller set aside are reported with the reason they were, not as merely missing.
        var quarantined = (await new RecordQuarantine(contexts, TimeProvider.System).ListAsync(dataset, cancellationToken))
            .GroupBy(q => q.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Reason, StringComparer.Ordinal);
        await foreach (var row in upstream.ReadAsync(info, info.StartDate, info.StopDate, cancellationToken))
        {
            total++;
            if (row is UnusableRecord unusable)
            {
                problems.Add($"unusable upstream record: {UpstreamText.Shown(unusable.Name)} at {HapiTime.Format(unusable.Time)}: {unusable.Problem}");
                continue;
            }
            var record = (HapiRecord)row;
            if (quarantined.TryGetValue(record.Name, out var reason))
            {
                problems.Add($"quarantined: {UpstreamText.Shown(record.Name)} (upstream {record.Checksum}): {reason}");
                continue;
            }
            batch.Add(record);
            if (batch.Count == LookupBatch) inSync += await CheckAsync(batch, problems, cancellationToken);
        }
        inSync += await CheckAsync(batch, problems, cancellationToken);
        return new DatasetVerification(dataset, total, inSync, problems);
    }

    private async Task<long> CheckAsync(List<HapiRecord> batch, List<string> problems, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return 0;
        var names = batch.Select(r => r.Name).ToList();
        Dictionary<string, CatalogFile> held;
        await using (var db = contexts.CreateDbContext())
            held = await db.Files.AsNoTracking().Where(f => names.Contains(f.Name)).ToDictionaryAsync(f => f.Name, cancellationToken);

        long inSync = 0;
        foreach (var record in batch)
        {
            var expected = record.Checksum.ToString();
            if (!held.TryGetValue(record.Name, out var file))
                problems.Add($"missing: {record.Name} (upstream {expected})");
            else if (file.Checksum != expected)
                problems.Add($"different: {record.Name}: here {file.Checksum}, upstream {expected}");
            else if (deep && await OnDiskProblemAsync(file, cancellationToken) is { } diskProblem)
                problems.Add(diskProblem);
            else
                inSync++;
        }
        batch.Clear();
        return inSync;
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
