using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Cli.Commands;
using HvMirror.Ingestion;
using HvMirror.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace HvMirror.Cli.Tests;

/// <summary>
/// `hvmirror mirror --file-hosts`: a primary whose record urls name another host than the one mirrored from (here
/// localhost for 127.0.0.1, as a CDN or a second name of the same server would).
/// </summary>
public sealed class FileHostsTests : IAsyncLifetime
{
    private static readonly DateTime Start = new(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hvmirror-tests", Guid.NewGuid().ToString("N"));
    private readonly StringWriter _output = new();
    private ArchiveLocation _mirrorArchive = null!;
    private WebApplication _primaryServer = null!;
    private Uri _hapi = null!;
    private int _port;
    private List<SampleFile> _files = [];

    public async Task InitializeAsync()
    {
        var primaryArchive = new ArchiveLocation(Path.Combine(_root, "primary"));
        _mirrorArchive = new ArchiveLocation(Path.Combine(_root, "mirror"));
        var contexts = new CatalogDbContextFactory(CatalogConnection.ForSqliteFile(primaryArchive.DefaultSqliteCatalog));
        await CatalogMigrator.MigrateAsync(contexts);
        var primary = new ArchiveIngester(primaryArchive, new FileRegistry(contexts, IngestionClock.System), DataSources.Helioviewer);
        _files = SampleFiles.Generate(DataSources.Helioviewer, ["AIA_171"], 3, Start, TimeSpan.FromSeconds(12), 3000).ToList();
        foreach (var result in await primary.IngestSamplesAsync(_files))
            Assert.NotEqual(IngestOutcome.Rejected, result.Outcome);

        _port = FreeLoopbackPort();
        _primaryServer = ServeCommand.Build(primaryArchive, CatalogConnection.ForSqliteFile(primaryArchive.DefaultSqliteCatalog),
            $"http://127.0.0.1:{_port}", publicUrl: new Uri($"http://localhost:{_port}"), LogLevel.Warning);
        await _primaryServer.StartAsync();
        _hapi = new Uri($"http://127.0.0.1:{_port}/hapi");
    }

    [Fact]
    public async Task A_file_on_another_host_is_refused_naming_the_file_hosts_option_that_would_allow_it()
    {
        var exit = await MirrorCommand.RunOnceAsync(Settings(fileHosts: null), _output, default);

        Assert.Equal(ExitCodes.SomeRejected, exit);
        var output = _output.ToString();
        foreach (var file in _files)
            Assert.Contains($"failed: {file.Name}: {file.Name} from primary: http://localhost:{_port} is neither the upstream's host", output);
        Assert.Contains($"hvmirror mirror --file-hosts localhost:{_port}", output);
        await using var db = MirrorCatalog().CreateDbContext();
        Assert.False(await db.Files.AnyAsync());
    }

    [Fact]
    public async Task With_file_hosts_naming_that_host_every_file_is_fetched()
    {
        var exit = await MirrorCommand.RunOnceAsync(Settings(fileHosts: [$"localhost:{_port}"]), _output, default);

        Assert.True(ExitCodes.Success == exit, _output.ToString());
        await using var db = MirrorCatalog().CreateDbContext();
        var held = await db.Files.AsNoTracking().ToDictionaryAsync(f => f.Name, f => f.Checksum);
        Assert.Equal(_files.ToDictionary(f => f.Name, f => Checksum.Sha256Of(f.Content).ToString()), held);
    }

    [Fact]
    public void Mirror_help_describes_the_file_hosts_option()
    {
        var help = new StringWriter();
        var exit = new RootCommand { MirrorCommand.Create() }.Parse(["mirror", "--help"]).Invoke(new InvocationConfiguration { Output = help });

        Assert.Equal(0, exit);
        Assert.Contains("--file-hosts", help.ToString());
        Assert.Contains("host:port", help.ToString());
    }

    [Fact]
    public void A_file_hosts_entry_that_is_no_host_stops_the_command_before_it_runs()
    {
        var exit = MirrorCommand.Create().Parse(["--from", _hapi.ToString(), "--archive", _mirrorArchive.Root, "--once", "--file-hosts", "cdn.example.org/path"])
            .Invoke();

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.False(File.Exists(_mirrorArchive.DefaultSqliteCatalog)); // stopped before the catalog was made
    }

    private MirrorSettings Settings(IReadOnlyList<string>? fileHosts) => new(
        "primary", _hapi, ["*"], _mirrorArchive, CatalogConnection.ForSqliteFile(_mirrorArchive.DefaultSqliteCatalog), TimeSpan.FromSeconds(30),
        Fetcher: fetcher =>
        {
            fetcher.Attempts = 2;
            fetcher.RetryDelay = TimeSpan.FromMilliseconds(50);
        },
        FileHosts: fileHosts);

    private CatalogDbContextFactory MirrorCatalog() => new(CatalogConnection.ForSqliteFile(_mirrorArchive.DefaultSqliteCatalog));

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        await _primaryServer.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
