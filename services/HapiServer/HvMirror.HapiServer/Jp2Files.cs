using HvMirror.Archive;
using HvMirror.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace HvMirror.HapiServer;

/// <summary>
/// <c>GET/HEAD /jp2/&lt;archive path&gt;</c>: the archive's <c>.jp2</c> files, with Range (206/416), a strong ETag
/// (the catalog checksum when the path is a registered file of the same length, else length and mtime),
/// If-None-Match/If-Modified-Since (304). Only safe relative paths under the archive root are served.
/// </summary>
public sealed class Jp2Files(CatalogDbContextFactory contexts, ArchiveLocation archive, ILogger<Jp2Files> logger)
{
    public const string ContentType = "image/jp2";

    public async Task Serve(HttpContext context)
    {
        var result = await ResolveAsync(context);
        await result.ExecuteAsync(context);
    }

    private async Task<IResult> ResolveAsync(HttpContext context)
    {
        var requestPath = context.Request.Path.Value ?? "";
        var relative = requestPath.StartsWith(HapiDatasets.Jp2Prefix, StringComparison.Ordinal)
            ? requestPath[HapiDatasets.Jp2Prefix.Length..]
            : "";
        // Letters, digits, '_', '-', '.', '/' only; no empty, '.' or '..' segment: nothing can climb out of the root.
        if (!ArchivePath.IsSafeRelative(relative))
            return Results.Text("Not a valid archive path: expected <folder>/…/<file>.jp2 made of letters, digits, '_', '-' and '.'.\n",
                "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        if (!relative.EndsWith(".jp2", StringComparison.OrdinalIgnoreCase))
            return NotFound();

        var root = archive.Root;
        var full = Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return NotFound();
        var file = new FileInfo(full);
        if (!file.Exists)
            return NotFound();

        var lastModified = new DateTimeOffset(file.LastWriteTimeUtc);
        var etag = await CatalogETagAsync(relative, file.Length, context.RequestAborted)
                   ?? new EntityTagHeaderValue($"\"{file.Length:x}-{file.LastWriteTimeUtc.Ticks:x}\"");
        return Results.File(full, ContentType, fileDownloadName: null, lastModified: lastModified, entityTag: etag,
            enableRangeProcessing: true);
    }

    private static IResult NotFound() =>
        Results.Text("No such file in this archive.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);

    /// <summary>The registered file's checksum as a strong ETag, when this path holds a registered file of that length.</summary>
    private async Task<EntityTagHeaderValue?> CatalogETagAsync(string relative, long length, CancellationToken cancellationToken)
    {
        var name = relative[(relative.LastIndexOf('/') + 1)..];
        try
        {
            await using var db = contexts.CreateDbContext();
            var row = await db.Files.AsNoTracking().Where(f => f.Name == name)
                .Select(f => new { f.ArchivePath, f.Checksum, f.Size }).FirstOrDefaultAsync(cancellationToken);
            if (row is null || row.ArchivePath != relative || row.Size != length)
                return null;
            // ':' is a valid entity-tag character; the checksum names its algorithm, so tags never collide across algorithms.
            return new EntityTagHeaderValue($"\"{row.Checksum}\"");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not look up the catalog entry of {Name}; serving it with a length+mtime ETag", name);
            return null;
        }
    }
}
