using System.Diagnostics.Metrics;
using HvMirror.Archive;
using HvMirror.Helioviewer;
using HvMirror.ServiceDefaults;
using Microsoft.Extensions.Logging;

namespace HvMirror.HelioviewerWriter;

/// <summary>A file of this node's archive whose row Helioviewer's database should have.</summary>
/// <param name="Name">The file name (the <c>data</c> table's UNIQUE <c>filename</c>).</param>
/// <param name="ArchivePath">Where it lies, relative to the archive root.</param>
/// <param name="Replaced">Its bytes replaced others of the same name (reprocessed): its cached tiles are stale.</param>
public sealed record HelioviewerFile(string Name, string ArchivePath, bool Replaced);

/// <summary>What one write did.</summary>
/// <param name="Refused">Files that got no row, each with the reason (Helioviewer refuses them, or they could not be read).</param>
public sealed record HelioviewerWriteResult(
    IReadOnlyList<HelioviewerDataRow> Written, IReadOnlyDictionary<string, string> Refused, int TilesRemoved);

/// <summary>
/// Writes what makes files of this node's archive visible in Helioviewer: each file's <c>data</c> row computed from its
/// FITS header exactly as Helioviewer's ingestion computes it (inserted, or updated in place keeping its <c>id</c>), its
/// source enabled, the 30-minute coverage bins the rows touch recounted (one statement per bin), and a replaced file's
/// cached tiles removed. Idempotent: writing the same files again changes nothing.
/// </summary>
/// <remarks>
/// A file Helioviewer's own ingestion refuses (no source in its header, no codestream, …) gets no row: it is logged with
/// the reason and not retried, because retrying cannot change its bytes. Database outages throw
/// <see cref="HelioviewerDatabaseUnavailableException"/> (the caller retries the whole write; nothing is half-done that
/// a second write would not redo).
/// </remarks>
public sealed class HelioviewerRowWriter(
    HelioviewerDatabase database, ArchiveLocation archive, DataSources sources, TileCache? tiles, ILogger<HelioviewerRowWriter> logger)
{
    /// <summary>Rows per INSERT statement (27 parameters each).</summary>
    public const int RowsPerStatement = 200;

    private static readonly Counter<long> RowsWritten =
        HvMirrorTelemetry.Meter.CreateCounter<long>("hvmirror.helioviewer.rows.written", "{row}", "Rows written into Helioviewer's data table.");

    private static readonly Counter<long> FilesRefused =
        HvMirrorTelemetry.Meter.CreateCounter<long>("hvmirror.helioviewer.files.refused", "{file}", "Files that got no row in Helioviewer's data table (refused or unreadable).");

    private long _filesHandled;

    /// <summary>Files this writer has handled since it was created: written, or refused with a reason (not those of failed writes).</summary>
    public long FilesHandled => Interlocked.Read(ref _filesHandled);

    public async Task<HelioviewerWriteResult> WriteAsync(IReadOnlyCollection<HelioviewerFile> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        // One name twice in a batch (a file fetched, then replaced): its current bytes are read once, tiles go if either replaced.
        var unique = files.GroupBy(f => f.Name, StringComparer.Ordinal)
            .Select(g => g.Last() with { Replaced = g.Any(f => f.Replaced) })
            .ToList();
        var rows = new List<HelioviewerDataRow>(unique.Count);
        var replaced = new List<HelioviewerDataRow>();
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in unique)
        {
            if (RowOf(file, out var problem) is { } row)
            {
                rows.Add(row);
                if (file.Replaced) replaced.Add(row);
            }
            else
            {
                refused[file.Name] = problem!;
            }
        }

        // Tiles first: the replaced bytes are already in place, so a tile rendered from here on is of the new file, and
        // once the row changes no stale tile is left (a failed write retries, removing none twice).
        var tilesRemoved = 0;
        if (tiles is not null)
        {
            foreach (var row in replaced)
            {
                try
                {
                    tilesRemoved += tiles.RemoveTiles(row.Filepath, row.Filename).Count;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    logger.LogWarning("Could not remove the cached tiles of {File} under {Folder}: {Reason}", row.Filename, row.Filepath, e.Message);
                }
            }
        }

        foreach (var chunk in rows.Chunk(RowsPerStatement))
            await database.UpsertAsync(chunk, cancellationToken);
        await database.EnableSourcesAsync(rows.Select(r => r.SourceId), cancellationToken);
        await database.RecountCoverageAsync(rows, cancellationToken);

        foreach (var (name, reason) in refused)
            logger.LogWarning("No Helioviewer row for {File}: {Reason}", name, reason);
        if (rows.Count > 0)
        {
            logger.LogInformation("Wrote {Rows} rows into Helioviewer's database {Database} ({Replaced} replaced files, {Tiles} stale tiles removed, {Refused} refused)",
                rows.Count, database.Location, replaced.Count, tilesRemoved, refused.Count);
        }
        RowsWritten.Add(rows.Count);
        Interlocked.Add(ref _filesHandled, files.Count);
        if (refused.Count > 0) FilesRefused.Add(refused.Count);
        return new HelioviewerWriteResult(rows, refused, tilesRemoved);
    }

    /// <summary>The row Helioviewer's ingestion writes for <paramref name="file"/>, or null with the reason it has none.</summary>
    public HelioviewerDataRow? RowOf(HelioviewerFile file, out string? problem)
    {
        var path = archive.FullPath(file.ArchivePath);
        try
        {
            if (HelioviewerDataRowReader.TryRead(path, sources, out var row, out var refusal))
            {
                problem = null;
                return row;
            }
            problem = refusal;
            return null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            problem = $"the file is not at {path} any more (removed or moved since it was registered; `hvmirror verify --deep` finds such files)";
        }
        catch (IOException e)
        {
            problem = $"{path} could not be read: {e.Message}";
        }
        catch (UnauthorizedAccessException e)
        {
            problem = $"{path} could not be read (permission denied): {e.Message}";
        }
        return null;
    }
}
