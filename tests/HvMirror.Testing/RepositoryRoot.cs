namespace HvMirror.Testing;

/// <summary>The repository the tests run from: the folder holding HvMirror.sln, above the test's bin folder.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "HvMirror.sln"))) return dir.FullName;
        throw new InvalidOperationException($"HvMirror.sln not found above {AppContext.BaseDirectory}");
    });

    public static string Path => Root.Value;

    /// <summary>A path inside the repository, given with forward slashes.</summary>
    public static string Of(string relative) => System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));
}
