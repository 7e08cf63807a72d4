namespace HvMirror.Archive;

/// <summary>
/// The archive root and the places HvMirror keeps its own state inside it. The state folder starts with a dot so that
/// ingesting the archive root itself never treats the catalog or partial downloads as jp2 files.
/// </summary>
public sealed class ArchiveLocation
{
    public const string StateFolderName = ".hvmirror";

    /// <summary>The configuration key of the archive root (<c>HvMirror__Archive</c> in the environment).</summary>
    public const string Setting = "HvMirror:Archive";

    /// <summary>The archive root when none is configured.</summary>
    public const string DefaultRoot = "./archive";

    public ArchiveLocation(string root)
    {
        Root = Path.GetFullPath(root);
        StagingFolder = Path.Combine(Root, StateFolderName, "incoming");
    }

    public string Root { get; }

    /// <summary>Partial files live here: inside the archive's filesystem, so moving one into place is an atomic rename.</summary>
    public string StagingFolder { get; }

    /// <summary>The embedded default's catalog: a SQLite file kept with the archive it describes.</summary>
    public string DefaultSqliteCatalog => Path.Combine(Root, StateFolderName, "catalog.db");

    public string FullPath(string archivePath) => Path.Combine(Root, archivePath.Replace('/', Path.DirectorySeparatorChar));
}
