using HvMirror.Archive;

namespace HvMirror.Helioviewer;

/// <summary>
/// Helioviewer's tile cache: the API caches the tiles it cut from a file as <c>cache_dir/tiles/&lt;filepath&gt;/&lt;file base
/// name&gt;_*</c> for 30 days, so when a mirror replaces a file (same name, new bytes) those tiles are stale and go.
/// </summary>
/// <param name="cacheDirectory">Helioviewer's <c>cache_dir</c> (<c>settings/Config.ini</c>).</param>
public sealed class TileCache(string cacheDirectory)
{
    /// <summary>
    /// Deletes the cached tiles of one file and returns their paths. Only that file's tiles go: a name is matched by
    /// its base name followed by <c>_</c>, never as a bare prefix.
    /// </summary>
    /// <param name="filepath">The row's <c>filepath</c>, e.g. <c>/AIA/2024/04/16/304</c>.</param>
    /// <param name="fileName">The file name, e.g. <c>2024_04_16__11_15_41_129__SDO_AIA_AIA_304.jp2</c>.</param>
    /// <exception cref="ArgumentException">The folder or name is not a safe Helioviewer path (it would escape the cache).</exception>
    public IReadOnlyList<string> RemoveTiles(string filepath, string fileName)
    {
        ArgumentNullException.ThrowIfNull(filepath);
        ArgumentNullException.ThrowIfNull(fileName);
        var folder = filepath.TrimStart('/');
        if (!ArchivePath.IsSafeRelative($"{folder}/{fileName}"))
            throw new ArgumentException($"'{filepath}/{fileName}' is not a safe archive path; refusing to delete anything under the tile cache for it.", nameof(filepath));

        var tiles = Path.Combine(cacheDirectory, "tiles", folder);
        if (!Directory.Exists(tiles))
            return [];
        var baseName = Path.GetFileNameWithoutExtension(fileName);
        var removed = new List<string>();
        foreach (var tile in Directory.EnumerateFiles(tiles, baseName + "_*"))
        {
            // EnumerateFiles' pattern also matches 8.3 short names on Windows; check the real name.
            if (!Path.GetFileName(tile).StartsWith(baseName + "_", StringComparison.Ordinal))
                continue;
            File.Delete(tile);
            removed.Add(tile);
        }
        return removed;
    }
}
