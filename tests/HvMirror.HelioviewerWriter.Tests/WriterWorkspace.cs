using HvMirror.Archive;
using HvMirror.Helioviewer;
using HvMirror.Testing;

namespace HvMirror.HelioviewerWriter.Tests;

/// <summary>An archive holding the real files at their archive paths (as a fetcher leaves them), and a tile cache.</summary>
internal sealed class WriterWorkspace : IDisposable
{
    public WriterWorkspace()
    {
        Root = Directory.CreateTempSubdirectory("hvmirror-writer-tests-").FullName;
        Archive = new ArchiveLocation(Path.Combine(Root, "jp2"));
        CacheDir = Path.Combine(Root, "cache");
        foreach (var name in RealJp2Files.All)
        {
            var path = Archive.FullPath(ArchivePathOf(name));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Copy(RealJp2Files.PathOf(name), path);
        }
    }

    public string Root { get; }

    public ArchiveLocation Archive { get; }

    public string CacheDir { get; }

    public static string ArchivePathOf(string name)
    {
        Assert.True(HelioviewerFileName.TryParse(name, DataSources.Helioviewer, out var info, out var error), error);
        return ArchivePath.For(info.Source!, info);
    }

    /// <summary>A cached tile of <paramref name="row"/>'s file, as Helioviewer's API writes them.</summary>
    public string AddTile(HelioviewerDataRow row, string suffix)
    {
        var folder = Path.Combine(CacheDir, "tiles", row.Filepath.TrimStart('/'));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(row.Filename)}_{suffix}.jpg");
        File.WriteAllBytes(path, [1, 2, 3]);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
