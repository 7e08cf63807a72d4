using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Cli.Commands;
using HvMirror.Ingestion;
using HvMirror.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace HvMirror.Cli.Tests;

/// <summary>
/// What the embedded-mode tests share: a primary (SQLite catalog, files ingested by the test, served over HAPI on
/// loopback) and an empty mirror archive beside it, both removed afterwards.
/// </summary>
public abstract class PrimaryAndMirrorTests : IAsyncLifetime
{
    private WebApplication _primaryServer = null!;

    protected string Root { get; } = Path.Combine(Path.GetTempPath(), "hvmirror-tests", Guid.NewGuid().ToString("N"));
    protected StringWriter Output { get; } = new();
    protected ArchiveLocation PrimaryArchive { get; private set; } = null!;
    protected ArchiveLocation MirrorArchive { get; private set; } = null!;
    protected ArchiveIngester Primary { get; private set; } = null!;
    protected Uri Hapi { get; private set; } = null!;
    protected CatalogConnection MirrorCatalogConnection => CatalogConnection.ForSqliteFile(MirrorArchive.DefaultSqliteCatalog);

    public async Task InitializeAsync()
    {
        PrimaryArchive = new ArchiveLocation(Path.Combine(Root, "primary"));
        MirrorArchive = new ArchiveLocation(Path.Combine(Root, "mirror"));
        var contexts = new CatalogDbContextFactory(CatalogConnection.ForSqliteFile(PrimaryArchive.DefaultSqliteCatalog));
        await CatalogMigrator.MigrateAsync(contexts);
        Primary = new ArchiveIngester(PrimaryArchive, new FileRegistry(contexts, IngestionClock.System), DataSources.Helioviewer);
        _primaryServer = ServeCommand.Build(PrimaryArchive, CatalogConnection.ForSqliteFile(PrimaryArchive.DefaultSqliteCatalog), "http://127.0.0.1:0", null, LogLevel.Warning);
        await _primaryServer.StartAsync();
        Hapi = new Uri(_primaryServer.Urls.First() + "/hapi");
    }

    /// <summary>`mirror --once` from the primary, with quick retries.</summary>
    protected MirrorSettings Settings() => new(
        "primary", Hapi, ["*"], MirrorArchive, MirrorCatalogConnection, TimeSpan.FromSeconds(30),
        Fetcher: fetcher =>
        {
            fetcher.Attempts = 2;
            fetcher.RetryDelay = TimeSpan.FromMilliseconds(50);
        });

    protected CatalogDbContextFactory MirrorCatalog() => new(MirrorCatalogConnection);

    protected async Task<List<SampleFile>> PublishAsync(IEnumerable<SampleFile> files)
    {
        var list = files.ToList();
        foreach (var result in await Primary.IngestSamplesAsync(list))
            Assert.NotEqual(IngestOutcome.Rejected, result.Outcome);
        return list;
    }

    protected static string PathIn(ArchiveLocation archive, SampleFile file) =>
        archive.FullPath(ArchivePath.For(file.Source, HelioviewerFileName.Parse(file.Name, DataSources.Helioviewer)));

    public async Task DisposeAsync()
    {
        await _primaryServer.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
