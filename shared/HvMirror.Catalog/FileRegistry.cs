using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.Catalog;

/// <summary>
/// Registers files in the catalog. Placing the bytes in the archive happens inside the registration, under the
/// dataset's lock, so the archive and the catalog change together and two registrations of one name cannot interleave.
/// </summary>
public sealed class FileRegistry(CatalogDbContextFactory contexts, IngestionClock clock)
{
    private readonly ConcurrentDictionary<string, bool> _datasetsWithClock = new(StringComparer.Ordinal);

    public async Task<CatalogFile?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Files.AsNoTracking().SingleOrDefaultAsync(f => f.Name == name, cancellationToken);
    }

    /// <summary>
    /// Registers <paramref name="file"/> (callers that may hold it already check with <see cref="FindAsync"/> first, so
    /// an unchanged file costs no lock). Unless the catalog already holds these exact bytes under this name,
    /// <paramref name="placeFile"/> runs first (move the verified bytes into the archive), then the row is written with
    /// a fresh ingestion time and the file leaves the work list if these are the bytes it wants; if placing fails
    /// nothing is registered.
    /// </summary>
    /// <remarks>
    /// Registrations of one dataset that arrive while its transaction is busy wait and then commit together, up to
    /// <see cref="MaxGroup"/> in one transaction under one hold of the dataset's lock: the lock is what serializes
    /// them anyway, and a commit and a lock round trip a file were most of a small file's catalog cost. Each file still
    /// gets its own strictly later ingestion time, and one file that cannot be placed fails alone.
    /// </remarks>
    public async Task<RegistrationResult> RegisterAsync(
        FileRegistration file, Func<CancellationToken, Task> placeFile, CancellationToken cancellationToken)
    {
        var pending = new PendingRegistration(file, placeFile);
        var group = _groups.GetOrAdd(file.Dataset, _ => new RegistrationGroup());
        group.Waiting.Enqueue(pending);
        // Not cancellable: a queued registration is in someone's group from here on, and the wait lasts one group's commit.
        await group.Turn.WaitAsync(CancellationToken.None);
        try
        {
            // Whoever holds the turn commits what is waiting; until this file's group is done (more may wait than one group holds).
            while (!pending.Done.Task.IsCompleted)
            {
                var batch = new List<PendingRegistration>(MaxGroup);
                while (batch.Count < MaxGroup && group.Waiting.TryDequeue(out var next)) batch.Add(next);
                await CommitGroupAsync(file.Dataset, batch, cancellationToken);
            }
        }
        finally
        {
            group.Turn.Release();
        }
        return await pending.Done.Task;
    }

    /// <summary>The most registrations of one dataset committed in one transaction.</summary>
    public const int MaxGroup = 64;

    private readonly ConcurrentDictionary<string, RegistrationGroup> _groups = new(StringComparer.Ordinal);

    private sealed class RegistrationGroup
    {
        public readonly ConcurrentQueue<PendingRegistration> Waiting = new();
        public readonly SemaphoreSlim Turn = new(1, 1);
    }

    private sealed record PendingRegistration(FileRegistration File, Func<CancellationToken, Task> PlaceFile)
    {
        public TaskCompletionSource<RegistrationResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task CommitGroupAsync(string dataset, List<PendingRegistration> batch, CancellationToken ct)
    {
        var registered = new List<(PendingRegistration Pending, CatalogFile Row, CatalogFile Result, string? PreviousChecksum)>(batch.Count);
        var unchanged = new List<(PendingRegistration Pending, CatalogFile Row)>();
        try
        {
            await using var db = contexts.CreateDbContext();
            if (!_datasetsWithClock.ContainsKey(dataset))
            {
                await clock.EnsureDatasetAsync(db, dataset, ct);
                _datasetsWithClock[dataset] = true;
            }
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // The dataset's lock, until the commit, and a time for every file of the group (one statement, not one a file).
            var firstTime = await clock.ReserveAsync(db, transaction, dataset, batch.Count, ct);
            var timesTaken = 0;

            // Read again under the lock: another registration of these names may have committed meanwhile.
            var names = batch.Select(p => p.File.Name).Distinct(StringComparer.Ordinal).ToList();
            var rows = await db.Files.Where(f => names.Contains(f.Name)).ToDictionaryAsync(f => f.Name, StringComparer.Ordinal, ct);
            foreach (var pending in batch)
            {
                var file = pending.File;
                var row = rows.GetValueOrDefault(file.Name);
                if (IsSameFile(row, file))
                {
                    unchanged.Add((pending, Copy(row!)));
                    continue;
                }
                try
                {
                    await pending.PlaceFile(ct);
                }
                catch (Exception e)
                {
                    pending.Done.TrySetException(e);
                    continue;
                }
                var previousChecksum = row?.Checksum;
                var now = firstTime.AddTicks(10 * timesTaken++); // each registered file its own, strictly later time
                if (row is not null)
                    await DaySummaries.ApplyAsync(db, row.Dataset, row.ObservedAt, row.Name, row.Checksum, row.Size, -1, now, ct);
                await DaySummaries.ApplyAsync(db, file.Dataset, file.ObservedAt, file.Name, file.Checksum, file.Size, +1, now, ct);
                if (row is null)
                {
                    row = new CatalogFile { Name = file.Name, Dataset = file.Dataset, ArchivePath = file.ArchivePath, Checksum = file.Checksum };
                    db.Files.Add(row);
                    rows[file.Name] = row;
                }
                row.Dataset = file.Dataset;
                row.ArchivePath = file.ArchivePath;
                row.Checksum = file.Checksum;
                row.Size = file.Size;
                row.ObservedAt = file.ObservedAt;
                row.IngestedAt = now;
                row.Upstream = file.Upstream;
                row.UpstreamIngestedAt = file.UpstreamIngestedAt;
                // Its own values now: a later file of the group with the same name changes the same row.
                registered.Add((pending, row, Copy(row), previousChecksum));
            }
            if (registered.Count == 0)
            {
                await transaction.RollbackAsync(ct);
            }
            else
            {
                DaySummaries.DropEmpty(db);
                await db.SaveChangesAsync(ct);
                // Wanted with these bytes: struck off the work list in the same commit, so a file is never held but still
                // listed as wanted. One statement for the group; a name wanted with other bytes stays wanted.
                var registeredNames = registered.Select(r => r.Pending.File.Name).Distinct(StringComparer.Ordinal).ToList();
                var registeredBytes = registered.Select(r => r.Pending.File.Name + "\n" + r.Pending.File.Checksum).ToList();
                await db.WantedFiles.Where(w => registeredNames.Contains(w.Name) && registeredBytes.Contains(w.Name + "\n" + w.Checksum))
                    .ExecuteDeleteAsync(ct);
                await transaction.CommitAsync(ct);
            }
        }
        catch (Exception e)
        {
            foreach (var pending in batch) pending.Done.TrySetException(e);
            return;
        }
        // Answered once committed: until then a file's outcome is not known (an unchanged file may be one this group added).
        foreach (var (pending, row) in unchanged)
            pending.Done.TrySetResult(new RegistrationResult(RegistrationOutcome.Unchanged, row, row.Checksum));
        foreach (var (pending, row, result, previousChecksum) in registered)
        {
            result.Id = row.Id; // a new row's id is known once saved
            pending.Done.TrySetResult(new RegistrationResult(
                previousChecksum is null ? RegistrationOutcome.Added : RegistrationOutcome.Replaced, result, previousChecksum));
        }
    }

    /// <summary>A row as it was committed: one file's result must not change when a later file of its group has the same name.</summary>
    private static CatalogFile Copy(CatalogFile row) => new()
    {
        Id = row.Id, Name = row.Name, Dataset = row.Dataset, ArchivePath = row.ArchivePath, Checksum = row.Checksum, Size = row.Size,
        ObservedAt = row.ObservedAt, IngestedAt = row.IngestedAt, Upstream = row.Upstream, UpstreamIngestedAt = row.UpstreamIngestedAt,
    };

    /// <summary>
    /// Takes <paramref name="name"/> out of the catalog (its day summary with it), e.g. when its bytes on disk no longer
    /// match; false when it was not catalogued. The file on disk is the caller's to remove.
    /// </summary>
    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var row = await db.Files.AsNoTracking().SingleOrDefaultAsync(f => f.Name == name, cancellationToken);
        if (row is null) return false;
        await clock.EnsureDatasetAsync(db, row.Dataset, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = await clock.NextAsync(db, transaction, row.Dataset, cancellationToken); // the dataset's lock
        var held = await db.Files.SingleOrDefaultAsync(f => f.Name == name, cancellationToken);
        if (held is null) return false;
        await DaySummaries.ApplyAsync(db, held.Dataset, held.ObservedAt, held.Name, held.Checksum, held.Size, -1, now, cancellationToken);
        DaySummaries.DropEmpty(db);
        db.Files.Remove(held);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public static bool IsSameFile(CatalogFile? held, FileRegistration file) =>
        held is not null && held.Checksum == file.Checksum && held.Size == file.Size
        && held.ArchivePath == file.ArchivePath && held.Dataset == file.Dataset;
}
