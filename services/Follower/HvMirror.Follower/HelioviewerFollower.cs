using System.Diagnostics;
using System.Diagnostics.Metrics;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Helioviewer;
using HvMirror.Ingestion;
using HvMirror.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.Follower;

/// <summary>How a catch-up is going (reported every few seconds, and once at the end).</summary>
/// <param name="Remaining">Rows still to read, estimated from the highest <c>id</c> (ids may have gaps, so an upper bound).</param>
public sealed record FollowProgress(long Rows, long Added, long Replaced, long Unchanged, long Skipped, long Bytes, long Remaining, TimeSpan Elapsed)
{
    public double FilesPerSecond => Rows / Math.Max(Elapsed.TotalSeconds, 0.001);

    public double MegabytesPerSecond => Bytes / 1e6 / Math.Max(Elapsed.TotalSeconds, 0.001);

    /// <summary>At the rate so far; null before the first row.</summary>
    public TimeSpan? Eta => Rows == 0 ? null : TimeSpan.FromSeconds(Remaining / FilesPerSecond);
}

/// <summary>A row that could not be registered, and why.</summary>
public sealed record SkippedRow(long RowId, string FileName, string Reason)
{
    public override string ToString() => $"row {RowId} ({FileName}): {Reason}";
}

/// <summary>What one pass (catch-up, retry of skipped rows) did.</summary>
public sealed record FollowPass(FollowProgress Totals, IReadOnlyList<SkippedRow> Skipped, long LastRowId);

/// <summary>What one re-hash of the followed files found.</summary>
public sealed record RehashPass(long Checked, long Hashed, long Changed, IReadOnlyList<string> Missing);

/// <summary>
/// Makes a Helioviewer server a primary without re-ingesting it: tails its <c>data</c> table by <c>id</c> (its insertion
/// order) and registers each new row's file — already in the archive at <c>jp2_dir + filepath + filename</c> — in this
/// node's catalog, in place (hashed where it lies, never copied or moved, by <see cref="ArchiveIngester"/>), with a fresh
/// ingestion time, so the HAPI server lists it and mirrors fetch it.
/// </summary>
/// <remarks>
/// <para>The cursor (the last <c>id</c> done) is kept in the catalog and moves after each batch, so a crash costs at most
/// one batch, done again (registration is idempotent). The first run over an existing archive is a backfill.</para>
/// <para>A reprocessed file is registered anew (new checksum, new HAPI Time, mirrors fetch it again) however Helioviewer
/// shows it: a row deleted and re-inserted under the same name is simply a new id to follow; bytes changed under an
/// unchanged row are found by <see cref="RehashAsync"/>.</para>
/// <para>A row whose file is missing, not a JP2, or not where HvMirror's archive layout puts it is reported and skipped,
/// never holding up the rows after it. Skipped rows are kept in the catalog (<see cref="FollowerSkippedRow"/>) and
/// tried again after <see cref="FollowerOptions.RetrySkippedAfter"/>, the delay doubling per attempt up to a day, until
/// their file is registered or their row deleted.</para>
/// </remarks>
public sealed class HelioviewerFollower(
    HelioviewerDatabase database, ArchiveIngester ingester, CatalogDbContextFactory contexts, ArchiveLocation archive,
    DataSources sources, IOptions<FollowerOptions> options, TimeProvider time, ILogger<HelioviewerFollower> logger)
{
    private static readonly Counter<long> RowsFollowed =
        HvMirrorTelemetry.Meter.CreateCounter<long>("hvmirror.follower.rows", "{row}", "Rows of Helioviewer's data table the follower handled, by outcome.");

    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromDays(1);

    private readonly FollowerOptions _options = options.Value;

    /// <summary>The followed database (<c>server:port/database</c>): the key of this follower's cursor.</summary>
    public string Database => database.Location;

    /// <summary>The last <c>id</c> done (0 before the first row).</summary>
    public async Task<long> CursorAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return (await db.FollowerCursors.AsNoTracking().SingleOrDefaultAsync(c => c.Database == Database, cancellationToken))?.LastRowId ?? 0;
    }

    /// <summary>The rows skipped so far and waiting for another attempt.</summary>
    public async Task<IReadOnlyList<FollowerSkippedRow>> SkippedAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.FollowerSkippedRows.AsNoTracking().Where(s => s.Database == Database).OrderBy(s => s.RowId).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Reads every row after the cursor, batch by batch, until none is left, registering their files; reports to
    /// <paramref name="progress"/> every <paramref name="progressEvery"/> and at the end.
    /// </summary>
    public async Task<FollowPass> CatchUpAsync(Action<FollowProgress>? progress, TimeSpan progressEvery, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var cursor = await CursorAsync(cancellationToken);
        var maxId = await database.MaxIdAsync(cancellationToken);
        var totals = new Totals();
        var skipped = new List<SkippedRow>();
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            var rows = await database.ReadAfterAsync(cursor, _options.BatchSize, cancellationToken);
            if (rows.Count == 0) break;
            var outcomes = await ProcessAsync(rows, cancellationToken);
            var batchSkipped = outcomes.Where(o => o.Skip is not null).Select(o => o.Skip!).ToList();
            cursor = rows[^1].Id;
            await SaveBatchAsync(cursor, batchSkipped, cancellationToken);
            totals.Add(outcomes);
            skipped.AddRange(batchSkipped);
            foreach (var skip in batchSkipped)
                logger.LogWarning("Skipped {Row} of {Database}; it will be tried again later", skip, Database);
            if (cursor > maxId) maxId = cursor;
            if (progress is not null && clock.Elapsed - lastReport >= progressEvery)
            {
                lastReport = clock.Elapsed;
                progress(totals.Progress(maxId - cursor, clock.Elapsed));
            }
        }
        var final = totals.Progress(0, clock.Elapsed);
        if (final.Rows > 0) progress?.Invoke(final);
        return new FollowPass(final, skipped, cursor);
    }

    /// <summary>Tries the skipped rows again: those due (or all, with <paramref name="all"/>). A row deleted since is dropped.</summary>
    public async Task<FollowPass> RetrySkippedAsync(bool all, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var now = time.GetUtcNow().UtcDateTime;
        List<FollowerSkippedRow> due;
        await using (var db = contexts.CreateDbContext())
        {
            due = await db.FollowerSkippedRows.AsNoTracking()
                .Where(s => s.Database == Database && (all || s.NextAttemptAt <= now))
                .OrderBy(s => s.RowId).ToListAsync(cancellationToken);
        }
        var totals = new Totals();
        var stillSkipped = new List<SkippedRow>();
        foreach (var chunk in due.Chunk(_options.BatchSize))
        {
            var rows = await database.ReadIdsAsync(chunk.Select(s => s.RowId), cancellationToken);
            var outcomes = await ProcessAsync(rows, cancellationToken);
            totals.Add(outcomes);
            var failed = outcomes.Where(o => o.Skip is not null).ToDictionary(o => o.Skip!.RowId, o => o.Skip!);
            stillSkipped.AddRange(failed.Values);
            await using var db = contexts.CreateDbContext();
            var ids = chunk.Select(s => s.RowId).ToList();
            var held = await db.FollowerSkippedRows.Where(s => s.Database == Database && ids.Contains(s.RowId)).ToListAsync(cancellationToken);
            foreach (var row in held)
            {
                if (failed.TryGetValue(row.RowId, out var skip))
                {
                    row.Attempts++;
                    row.Reason = Truncate(skip.Reason);
                    row.NextAttemptAt = now + RetryDelay(row.Attempts);
                    logger.LogWarning("Skipped {Row} of {Database} again (attempt {Attempt}); next attempt at {Next:u}", skip, Database, row.Attempts, row.NextAttemptAt);
                }
                else
                {
                    // Registered now, or its row is gone from data (deleted: nothing left to follow).
                    db.FollowerSkippedRows.Remove(row);
                    logger.LogInformation("Row {RowId} ({File}) of {Database}, skipped before, is {Outcome}", row.RowId, row.FileName, Database,
                        rows.Any(r => r.Id == row.RowId) ? "registered now" : "deleted from the data table: dropped");
                }
            }
            await db.SaveChangesAsync(cancellationToken);
        }
        return new FollowPass(totals.Progress(0, clock.Elapsed), stillSkipped, await CursorAsync(cancellationToken));
    }

    /// <summary>
    /// Checks every file registered locally (not mirrored from an upstream) for bytes changed under an unchanged row: a
    /// file whose size differs from the catalog's or that was written after its registration — or every file, with
    /// <paramref name="full"/> — is hashed again where it lies; changed bytes are registered anew.
    /// </summary>
    public async Task<RehashPass> RehashAsync(bool full, CancellationToken cancellationToken)
    {
        long afterId = 0, checkedCount = 0, hashed = 0, changed = 0;
        var missing = new List<string>();
        while (true)
        {
            List<CatalogFile> page;
            await using (var db = contexts.CreateDbContext())
            {
                page = await db.Files.AsNoTracking().Where(f => f.Upstream == null && f.Id > afterId)
                    .OrderBy(f => f.Id).Take(_options.BatchSize).ToListAsync(cancellationToken);
            }
            if (page.Count == 0) break;
            afterId = page[^1].Id;
            checkedCount += page.Count;
            var suspects = new List<string>();
            foreach (var file in page)
            {
                var info = new FileInfo(archive.FullPath(file.ArchivePath));
                if (!info.Exists)
                {
                    missing.Add(file.ArchivePath);
                    continue;
                }
                if (full || info.Length != file.Size || info.LastWriteTimeUtc > file.IngestedAt)
                    suspects.Add(info.FullName);
            }
            hashed += suspects.Count;
            await Parallel.ForEachAsync(suspects, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken },
                async (path, ct) =>
                {
                    var result = await ingester.IngestFileAsync(path, ct);
                    if (result.Outcome == IngestOutcome.Updated)
                    {
                        Interlocked.Increment(ref changed);
                        logger.LogInformation("{File} changed under its unchanged row: registered anew ({Checksum})", result.File?.Name, result.File?.Checksum);
                    }
                    else if (result.Outcome == IngestOutcome.Rejected)
                    {
                        logger.LogWarning("Re-hashing {Path}: {Reason}", path, result.Reason);
                    }
                });
        }
        foreach (var path in missing.Take(20))
            logger.LogWarning("A followed file is no longer in the archive: {Path} (`hvmirror verify --deep` lists every such file)", path);

        await using (var db = contexts.CreateDbContext())
        {
            var cursor = await CursorRowAsync(db, cancellationToken);
            cursor.LastRehashAt = time.GetUtcNow().UtcDateTime;
            if (full) cursor.LastFullRehashAt = cursor.LastRehashAt;
            await db.SaveChangesAsync(cancellationToken);
        }
        logger.LogInformation("Re-hash of the followed files ({Mode}): {Checked} checked, {Hashed} hashed, {Changed} changed, {Missing} missing",
            full ? "every file" : "files whose size or time changed", checkedCount, hashed, changed, missing.Count);
        return new RehashPass(checkedCount, hashed, changed, missing);
    }

    /// <summary>When the last re-hash finished, and the last full one (null: never).</summary>
    public async Task<(DateTime? Rehash, DateTime? FullRehash)> LastRehashAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var cursor = await db.FollowerCursors.AsNoTracking().SingleOrDefaultAsync(c => c.Database == Database, cancellationToken);
        return (cursor?.LastRehashAt, cursor?.LastFullRehashAt);
    }

    /// <summary>Marks the followed files as just checked (a backfill has only now hashed them all).</summary>
    public async Task MarkRehashedAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var cursor = await CursorRowAsync(db, cancellationToken);
        cursor.LastRehashAt ??= time.GetUtcNow().UtcDateTime;
        cursor.LastFullRehashAt ??= cursor.LastRehashAt;
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<Outcome[]> ProcessAsync(IReadOnlyList<StoredDataRow> rows, CancellationToken cancellationToken)
    {
        var outcomes = new Outcome[rows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken },
            async (i, ct) => outcomes[i] = await RegisterAsync(rows[i], ct));
        foreach (var outcome in outcomes)
            RowsFollowed.Add(1, new KeyValuePair<string, object?>("outcome", outcome.Skip is null ? outcome.Result.ToString().ToLowerInvariant() : "skipped"));
        return outcomes;
    }

    /// <summary>Registers the file of one row in place, or says why it cannot be.</summary>
    private async Task<Outcome> RegisterAsync(StoredDataRow stored, CancellationToken cancellationToken)
    {
        var row = stored.Row;
        Outcome Skip(string reason) => new(IngestOutcome.Rejected, 0, new SkippedRow(stored.Id, row.Filename, reason));

        var relative = $"{row.Filepath.Trim('/')}/{row.Filename}";
        if (!ArchivePath.IsSafeRelative(relative))
            return Skip($"its filepath and filename ('{row.Filepath}', '{row.Filename}') are no safe path inside the archive");
        var path = archive.FullPath(relative);
        if (!HelioviewerFileName.TryParse(row.Filename, sources, out var name, out var nameError))
            return Skip(nameError);
        try
        {
            if (!File.Exists(path))
                return Skip($"its file is not at {path} (not written yet, or removed)");
            var source = name.Source;
            if (source is null)
            {
                await using var head = FileStager.OpenRead(path);
                source = FitsHeaderSource.Resolve(name, head, out var problem);
                if (source is null)
                    return Skip($"its name does not say its source and {problem}");
            }
            // Registering in place needs the file where the archive layout puts it; the follower never copies or moves one.
            var expected = ArchivePath.For(source, name);
            if (!string.Equals(expected, relative, StringComparison.Ordinal))
                return Skip($"Helioviewer keeps it at /{relative}, but the archive layout puts a file of this name at /{expected}; " +
                            "HvMirror registers files in place and never copies or moves them, so it cannot list this one");

            var result = await ingester.IngestFileAsync(path, cancellationToken);
            if (result.Outcome == IngestOutcome.Rejected)
                return Skip($"{path} {result.Reason}");
            return new Outcome(result.Outcome, result.File?.Size ?? 0, null);
        }
        catch (IOException e)
        {
            return Skip($"{path} could not be read: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return Skip($"{path} could not be read (permission denied): {e.Message}");
        }
    }

    private async Task SaveBatchAsync(long cursor, IReadOnlyList<SkippedRow> skipped, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = contexts.CreateDbContext();
        var row = await CursorRowAsync(db, cancellationToken);
        if (cursor > row.LastRowId) row.LastRowId = cursor;
        row.UpdatedAt = now;
        if (skipped.Count > 0)
        {
            var ids = skipped.Select(s => s.RowId).ToList();
            var held = await db.FollowerSkippedRows.Where(s => s.Database == Database && ids.Contains(s.RowId))
                .ToDictionaryAsync(s => s.RowId, cancellationToken);
            foreach (var skip in skipped)
            {
                if (!held.TryGetValue(skip.RowId, out var entry))
                {
                    entry = new FollowerSkippedRow
                    {
                        Database = Database, RowId = skip.RowId, FileName = skip.FileName, Reason = "", FirstSkippedAt = now,
                    };
                    db.FollowerSkippedRows.Add(entry);
                }
                entry.Attempts++;
                entry.Reason = Truncate(skip.Reason);
                entry.NextAttemptAt = now + RetryDelay(entry.Attempts);
            }
        }
        // One SaveChanges, one transaction: the cursor never moves past a row without its skip being recorded.
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<FollowerCursor> CursorRowAsync(CatalogDbContext db, CancellationToken cancellationToken)
    {
        var cursor = await db.FollowerCursors.SingleOrDefaultAsync(c => c.Database == Database, cancellationToken);
        if (cursor is null)
        {
            cursor = new FollowerCursor { Database = Database, UpdatedAt = time.GetUtcNow().UtcDateTime };
            db.FollowerCursors.Add(cursor);
        }
        return cursor;
    }

    private TimeSpan RetryDelay(int attempts)
    {
        var delay = _options.RetrySkippedAfter * Math.Pow(2, Math.Min(attempts - 1, 20));
        return delay > LongestRetryDelay ? LongestRetryDelay : delay;
    }

    private static string Truncate(string reason) => reason.Length <= 2000 ? reason : reason[..1997] + "…";

    private readonly record struct Outcome(IngestOutcome Result, long Bytes, SkippedRow? Skip);

    private sealed class Totals
    {
        private long _rows, _added, _replaced, _unchanged, _skipped, _bytes;

        public void Add(IEnumerable<Outcome> outcomes)
        {
            foreach (var o in outcomes)
            {
                _rows++;
                _bytes += o.Bytes;
                if (o.Skip is not null) _skipped++;
                else if (o.Result == IngestOutcome.Ingested) _added++;
                else if (o.Result == IngestOutcome.Updated) _replaced++;
                else _unchanged++;
            }
        }

        public FollowProgress Progress(long remaining, TimeSpan elapsed) =>
            new(_rows, _added, _replaced, _unchanged, _skipped, _bytes, Math.Max(remaining, 0), elapsed);
    }
}
