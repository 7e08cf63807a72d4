using HvMirror.Archive;
using HvMirror.Ingestion;

namespace HvMirror.Cli.Commands;

/// <summary>
/// The files named on the command line, folders expanded lazily (a folder of 100,000 files is never listed in memory at
/// once). Hidden files and folders are skipped: they hold HvMirror's own state (<c>.hvmirror</c>) or other tools'.
/// </summary>
internal static class IngestInputs
{
    public static IEnumerable<(string Path, string? Problem)> Expand(IEnumerable<string> paths)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint,
            IgnoreInaccessible = false,
        };
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                yield return (path, null);
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", options))
                {
                    if (!IsInHiddenFolder(Path.GetRelativePath(path, file)))
                        yield return (file, null);
                }
            }
            else
            {
                yield return (path, "does not exist (neither a file nor a folder)");
            }
        }
    }

    private static bool IsInHiddenFolder(string relativePath) =>
        relativePath.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.'))
        || relativePath.Split(Path.DirectorySeparatorChar).Contains(ArchiveLocation.StateFolderName);
}
