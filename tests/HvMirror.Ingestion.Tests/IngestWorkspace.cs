using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Ingestion;

namespace HvMirror.Ingestion.Tests;

/// <summary>A temporary drop folder, archive and SQLite catalog for one test.</summary>
public sealed class IngestWorkspace : IDisposable
{
    public const string AiaName = "2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2";
    public const string AiaArchivePath = "AIA/2024/12/31/94/" + AiaName;

    private IngestWorkspace(string root, CatalogDbContextFactory contexts)
    {
        Root = root;
        DropFolder = Directory.CreateDirectory(Path.Combine(root, "drop")).FullName;
        Archive = new ArchiveLocation(Path.Combine(root, "archive"));
        Contexts = contexts;
        Registry = new FileRegistry(contexts, IngestionClock.System);
        Ingester = new ArchiveIngester(Archive, Registry, DataSources.Helioviewer);
    }

    public string Root { get; }
    public string DropFolder { get; }
    public ArchiveLocation Archive { get; }
    public CatalogDbContextFactory Contexts { get; }
    public FileRegistry Registry { get; }
    public ArchiveIngester Ingester { get; }

    public static async Task<IngestWorkspace> CreateAsync(string? postgresConnection = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "hvmirror-tests", Guid.NewGuid().ToString("N"));
        var archive = new ArchiveLocation(Path.Combine(root, "archive"));
        var contexts = new CatalogDbContextFactory(postgresConnection is null
            ? CatalogConnection.ForSqliteFile(archive.DefaultSqliteCatalog)
            : CatalogConnection.Parse(postgresConnection));
        await CatalogMigrator.MigrateAsync(contexts);
        return new IngestWorkspace(root, contexts);
    }

    public string Drop(string name, byte[] content, string? subfolder = null)
    {
        var folder = subfolder is null ? DropFolder : Directory.CreateDirectory(Path.Combine(DropFolder, subfolder)).FullName;
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public static string ChecksumOf(byte[] content) => Checksum.Sha256Of(content).ToString();

    public string[] StagedLeftovers() =>
        Directory.Exists(Archive.StagingFolder) ? Directory.GetFiles(Archive.StagingFolder) : [];

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
