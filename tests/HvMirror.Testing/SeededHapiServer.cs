using Microsoft.Extensions.Time.Testing;
using HvMirror.Catalog;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace HvMirror.Testing;

/// <summary>One registered file as the tests expect a HAPI server to report it.</summary>
public sealed record SeededFile(string Dataset, string Name, string ArchivePath, string Checksum, DateTime IngestedAt, byte[] Bytes, DateTime ObservedAt);

/// <summary>
/// A HAPI server host (<typeparamref name="TEntryPoint"/> through <see cref="WebApplicationFactory{TEntryPoint}"/>) over a
/// temporary archive and SQLite catalog, seeded through <see cref="FileRegistry"/> with real JP2 files from
/// <see cref="SampleJp2"/> at the ingestion times <see cref="SeedAsync"/> chooses.
/// </summary>
/// <remarks>The host is a type parameter so that this library needs the test host only, not the server.</remarks>
public abstract class SeededHapiServer<TEntryPoint> : IAsyncLifetime where TEntryPoint : class
{
    private readonly FakeTimeProvider _clock = new();
    private FileRegistry _registry = null!;

    /// <param name="name">Names the temporary folder, to tell whose it is.</param>
    protected SeededHapiServer(string name) =>
        Root = Path.Combine(Path.GetTempPath(), $"hvmirror-{name}-" + Guid.NewGuid().ToString("N"));

    public string Root { get; }

    public string Archive => Path.Combine(Root, "archive");

    public string CatalogPath => Path.Combine(Root, "catalog.db");

    public List<SeededFile> Files { get; } = [];

    public WebApplicationFactory<TEntryPoint> Factory { get; private set; } = null!;

    /// <summary>Registers the files the tests expect, with <see cref="RegisterAsync"/>.</summary>
    protected abstract Task SeedAsync();

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(Archive);
        var contexts = new CatalogDbContextFactory(CatalogConnection.ForSqliteFile(CatalogPath));
        await CatalogMigrator.MigrateAsync(contexts);
        _registry = new FileRegistry(contexts, new IngestionClock(_clock));
        await SeedAsync();
        Factory = CreateFactory(Archive, CatalogPath);
    }

    /// <summary>
    /// Writes a sample file at <paramref name="archivePath"/> and registers it at exactly <paramref name="at"/>. A name
    /// registered again with another <paramref name="content"/> replaces its file (reprocessed upstream), in
    /// <see cref="Files"/> too; <paramref name="at"/> must then be later than every earlier registration.
    /// </summary>
    protected async Task RegisterAsync(DateTime at, string dataset, string name, string archivePath, DateTime observed, string? content = null)
    {
        var (checksum, bytes) = await CatalogSeeding.RegisterSampleAsync(_registry, _clock, Archive, at, dataset, name, archivePath, observed, content);
        Files.RemoveAll(f => f.Name == name);
        Files.Add(new SeededFile(dataset, name, archivePath, checksum, at, bytes, observed));
    }

    /// <summary>A host over <paramref name="archive"/> and <paramref name="catalog"/>; record urls start at each request's own host unless <paramref name="publicUrl"/> is given.</summary>
    public static WebApplicationFactory<TEntryPoint> CreateFactory(string archive, string catalog, string? publicUrl = null) =>
        new WebApplicationFactory<TEntryPoint>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("HvMirror:Archive", archive);
            builder.UseSetting("ConnectionStrings:Catalog", catalog);
            builder.UseSetting("HvMirror:PublicUrl", publicUrl ?? "");
            builder.UseSetting("HvMirror:Hapi:Contact", "ops@example.org");
        });

    public virtual async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
