using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Helioviewer;
using HvMirror.Upstreams;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.HelioviewerWriter;

public enum HelioviewerDifferenceKind
{
    /// <summary>The catalog holds the file, Helioviewer's <c>data</c> table has no row for it.</summary>
    Missing,

    /// <summary>A row whose file is not in the archive (at <c>archive root + filepath + filename</c>).</summary>
    Gone,

    /// <summary>A row whose values differ from what the file's FITS header computes (a reprocessed file under its old row).</summary>
    Stale,
}

/// <summary>One difference between the catalog (and its files) and Helioviewer's <c>data</c> table.</summary>
public sealed record HelioviewerDifference(HelioviewerDifferenceKind Kind, string Source, string FileName, string Detail)
{
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}: {Source}/{FileName}: {Detail}";
}

/// <summary>What reconciling one source found (and, with repair, fixed).</summary>
/// <param name="Differences">The first <see cref="HelioviewerReconciler.DifferencesKept"/> differences, for printing; the counts are complete.</param>
/// <param name="Refused">Catalogued files Helioviewer's ingestion refuses (no row is right for them), with the reason.</param>
public sealed record SourceReconciliation(
    string Source, long CatalogFiles, long Rows, long MissingCount, long GoneCount, long StaleCount, long Repaired,
    IReadOnlyList<HelioviewerDifference> Differences, IReadOnlyList<string> Refused)
{
    public long DifferenceCount => MissingCount + GoneCount + StaleCount;
}

/// <summary>
/// Compares, per source, this node's catalog and archive with the Helioviewer server's <c>data</c> table — the safety net
/// for anything the writer could not do (a crash between the two databases, a batch that went to the error queue, rows
/// written by hand): rows missing for catalogued files, rows whose file is gone, and stale rows. With repair, missing and
/// stale rows are written (as the writer writes them, keeping a stale row's <c>id</c>), gone rows deleted with their
/// cached tiles, their sources enabled and the touched coverage bins recounted.
/// </summary>
/// <remarks>
/// Both sides are read page by page (catalog files by id, looked up in <c>data</c> by file name; <c>data</c> rows by id),
/// so a source of millions of files needs the memory of one page. Each catalogued file's header is read to compute its
/// row, so a reconciliation reads a little of every file.
/// </remarks>
public sealed class HelioviewerReconciler(
    HelioviewerDatabase database, CatalogDbContextFactory contexts, ArchiveLocation archive, DataSources sources, TileCache? tiles)
{
    public const int PageSize = 1000;
    public const int DifferencesKept = 200;

    public async Task<IReadOnlyList<SourceReconciliation>> ReconcileAsync(
        IReadOnlyList<string> patterns, bool repair, Action<string> progress, CancellationToken cancellationToken)
    {
        var results = new List<SourceReconciliation>();
        foreach (var source in sources.All.Where(s => s.HoldsFiles && DatasetPattern.MatchesAny(patterns, s.Name)))
        {
            var result = await ReconcileSourceAsync(source, repair, cancellationToken);
            if (result.CatalogFiles == 0 && result.Rows == 0) continue;
            results.Add(result);
            progress($"   {source.Name}: {result.CatalogFiles:N0} catalogued files, {result.Rows:N0} rows: " +
                     (result.DifferenceCount == 0 ? "in sync" : $"{result.MissingCount:N0} missing, {result.GoneCount:N0} gone, {result.StaleCount:N0} stale") +
                     (repair && result.Repaired > 0 ? $", {result.Repaired:N0} repaired" : "") +
                     (result.Refused.Count > 0 ? $", {result.Refused.Count:N0} refused by Helioviewer's ingestion" : ""));
        }
        return results;
    }

    private async Task<SourceReconciliation> ReconcileSourceAsync(DataSource source, bool repair, CancellationToken cancellationToken)
    {
        var differences = new List<HelioviewerDifference>();
        var refused = new List<string>();
        long catalogFiles = 0, rows = 0, missing = 0, gone = 0, stale = 0, repaired = 0;

        void Note(HelioviewerDifference difference)
        {
            if (differences.Count < DifferencesKept) differences.Add(difference);
            switch (difference.Kind)
            {
                case HelioviewerDifferenceKind.Missing: missing++; break;
                case HelioviewerDifferenceKind.Gone: gone++; break;
                default: stale++; break;
            }
        }

        // 1. Catalog → data: every catalogued file of the source has its row, equal to what its header computes.
        long afterFileId = 0;
        while (true)
        {
            List<CatalogFile> page;
            await using (var db = contexts.CreateDbContext())
            {
                page = await db.Files.AsNoTracking().Where(f => f.Dataset == source.Name && f.Id > afterFileId)
                    .OrderBy(f => f.Id).Take(PageSize).ToListAsync(cancellationToken);
            }
            if (page.Count == 0) break;
            afterFileId = page[^1].Id;
            catalogFiles += page.Count;

            var stored = (await database.ReadFileNamesAsync(page.Select(f => f.Name), cancellationToken))
                .ToDictionary(r => r.Row.Filename, StringComparer.Ordinal);
            var toWrite = new List<HelioviewerDataRow>();
            var replacedTiles = new List<HelioviewerDataRow>();
            foreach (var file in page)
            {
                var path = archive.FullPath(file.ArchivePath);
                if (!File.Exists(path)) continue; // no bytes to compute a row from; a row of it is found gone below
                if (!HelioviewerDataRowReader.TryRead(path, sources, out var expected, out var refusal))
                {
                    refused.Add($"{file.Name}: {refusal}");
                    continue;
                }
                if (!stored.TryGetValue(file.Name, out var row))
                {
                    Note(new HelioviewerDifference(HelioviewerDifferenceKind.Missing, source.Name, file.Name,
                        $"catalogued at {file.ArchivePath}, no row in the data table"));
                    toWrite.Add(expected);
                }
                else if (row.Row != expected)
                {
                    Note(new HelioviewerDifference(HelioviewerDifferenceKind.Stale, source.Name, file.Name,
                        $"row {row.Id} differs from the file's header in {string.Join(", ", DifferingColumns(row.Row, expected))}"));
                    toWrite.Add(expected);
                    replacedTiles.Add(expected);
                }
            }
            if (repair && toWrite.Count > 0)
            {
                foreach (var chunk in toWrite.Chunk(HelioviewerRowWriter.RowsPerStatement))
                    await database.UpsertAsync(chunk, cancellationToken);
                await database.EnableSourcesAsync(toWrite.Select(r => r.SourceId), cancellationToken);
                // A stale row may have sat in another bin (its date changed) or another source: recount both.
                var previous = toWrite.Select(r => stored.GetValueOrDefault(r.Filename)?.Row).OfType<HelioviewerDataRow>();
                await database.RecountCoverageAsync(toWrite.Concat(previous), cancellationToken);
                foreach (var row in replacedTiles) tiles?.RemoveTiles(row.Filepath, row.Filename);
                repaired += toWrite.Count;
            }
        }

        // 2. Data → archive: every row of the source names a file that is there.
        long afterRowId = 0;
        while (true)
        {
            var page = await database.ReadSourceAfterAsync(source.SourceId, afterRowId, PageSize, cancellationToken);
            if (page.Count == 0) break;
            afterRowId = page[^1].Id;
            rows += page.Count;
            var goneRows = new List<HelioviewerDataRow>();
            foreach (var stored in page)
            {
                var relative = $"{stored.Row.Filepath.TrimStart('/')}/{stored.Row.Filename}";
                if (ArchivePath.IsSafeRelative(relative) && File.Exists(archive.FullPath(relative))) continue;
                Note(new HelioviewerDifference(HelioviewerDifferenceKind.Gone, source.Name, stored.Row.Filename,
                    ArchivePath.IsSafeRelative(relative)
                        ? $"row {stored.Id} names {relative}, which is not in the archive {archive.Root}"
                        : $"row {stored.Id} names '{stored.Row.Filepath}/{stored.Row.Filename}', which is no safe archive path"));
                goneRows.Add(stored.Row);
            }
            if (repair && goneRows.Count > 0)
            {
                await database.DeleteAsync(source.SourceId, goneRows.Select(r => r.Filename), cancellationToken);
                await database.RecountCoverageAsync(goneRows, cancellationToken);
                foreach (var row in goneRows.Where(r => ArchivePath.IsSafeRelative($"{r.Filepath.TrimStart('/')}/{r.Filename}")))
                    tiles?.RemoveTiles(row.Filepath, row.Filename);
                repaired += goneRows.Count;
            }
        }

        return new SourceReconciliation(source.Name, catalogFiles, rows, missing, gone, stale, repaired, differences, refused);
    }

    /// <summary>The columns in which two rows differ (<c>id</c> aside), for a readable report.</summary>
    public static IEnumerable<string> DifferingColumns(HelioviewerDataRow stored, HelioviewerDataRow expected)
    {
        var a = stored.Values();
        var b = expected.Values();
        for (var i = 0; i < a.Length; i++)
            if (!Equals(a[i], b[i]))
                yield return $"{HelioviewerDataRow.Columns[i]} ({a[i] ?? "NULL"} ≠ {b[i] ?? "NULL"})";
    }
}
