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
    public async Task<RegistrationResult> RegisterAsync(
        FileRegistration file, Func<CancellationToken, Task> placeFile, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        if (!_datasetsWithClock.ContainsKey(file.Dataset))
        {
            await clock.EnsureDatasetAsync(db, file.Dataset, cancellationToken);
            _datasetsWithClock[file.Dataset] = true;
        }
        var ct = cancellationToken;
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var ingestedAt = await clock.NextAsync(db, transaction, file.Dataset, ct);

            // Read again under the lock: another registration of this name may have committed meanwhile.
            var row = await db.Files.SingleOrDefaultAsync(f => f.Name == file.Name, ct);
            if (IsSameFile(row, file))
            {
                await transaction.RollbackAsync(ct);
                return new RegistrationResult(RegistrationOutcome.Unchanged, row!, row!.Checksum);
            }

            await placeFile(ct);
            var previousChecksum = row?.Checksum;
            var now = DateTime.SpecifyKind(ingestedAt, DateTimeKind.Utc);
            if (row is not null)
                await DaySummaries.ApplyAsync(db, row.Dataset, row.ObservedAt, row.Name, row.Checksum, row.Size, -1, now, ct);
            await DaySummaries.ApplyAsync(db, file.Dataset, file.ObservedAt, file.Name, file.Checksum, file.Size, +1, now, ct);
            DaySummaries.DropEmpty(db);
            if (row is null)
            {
                row = new CatalogFile
                {
                    Name = file.Name, Dataset = file.Dataset, ArchivePath = file.ArchivePath, Checksum = file.Checksum,
                };
                db.Files.Add(row);
            }
            row.Dataset = file.Dataset;
            row.ArchivePath = file.ArchivePath;
            row.Checksum = file.Checksum;
            row.Size = file.Size;
            row.ObservedAt = file.ObservedAt;
            row.IngestedAt = ingestedAt;
            row.Upstream = file.Upstream;
            row.UpstreamIngestedAt = file.UpstreamIngestedAt;
            await db.SaveChangesAsync(ct);
            // Wanted with these bytes: struck off the work list in the same commit. One transaction a file instead of
            // two, and never a moment in which the file is held but still listed as wanted.
            await db.WantedFiles.Where(w => w.Name == file.Name && w.Checksum == file.Checksum).ExecuteDeleteAsync(ct);
            await transaction.CommitAsync(ct);
            return new RegistrationResult(
                previousChecksum is null ? RegistrationOutcome.Added : RegistrationOutcome.Replaced, row, previousChecksum);
        }
    }

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
