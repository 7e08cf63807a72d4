using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Cli.Commands;
using HvMirror.Helioviewer;
using HvMirror.Node;
using HvMirror.Testing;

namespace HvMirror.Cli.Tests;

/// <summary>`hvmirror helioviewer follow --once` and `reconcile` on a real MariaDB: what they print and their exit codes.</summary>
public sealed class HelioviewerCommandTests(MariaDbServer server) : IClassFixture<MariaDbServer>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hvmirror-cli-helioviewer-").FullName;
    private readonly StringWriter _output = new();

    [Fact]
    public async Task Follow_once_registers_every_row_then_finds_nothing_new_and_reconcile_finds_the_database_in_sync()
    {
        var helioviewer = await HelioviewerServer.CreateAsync(await server.CreateDatabaseAsync("cli"), Path.Combine(_root, "jp2"));
        foreach (var row in RealJp2Files.ExpectedRows.Values) await helioviewer.IngestLikeHvpullAsync(row);
        var archive = new ArchiveLocation(helioviewer.Jp2Dir);
        var catalog = CatalogConnection.ResolveOrDefault(null, archive);
        var settings = new FollowSettings(helioviewer.ConnectionString, archive, catalog);

        Assert.Equal(ExitCodes.Success, await HelioviewerCommand.FollowOnceAsync(settings, _output, default));
        Assert.Contains("first run: backfill", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{RealJp2Files.ExpectedRows.Count} rows, {RealJp2Files.ExpectedRows.Count} new", _output.ToString(), StringComparison.Ordinal);

        _output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Success, await HelioviewerCommand.FollowOnceAsync(settings, _output, default));
        Assert.Contains("0 rows", _output.ToString(), StringComparison.Ordinal);

        // A primary's catalog and its own Helioviewer database agree (hvpull's rows are exactly what the files compute).
        _output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Success, await HelioviewerCommand.ReconcileAsync(["*"], false, helioviewer.Database, null, archive, catalog, _output, default));
        Assert.Contains("0 missing, 0 gone, 0 stale", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_exits_1_on_differences_0_once_repaired_and_2_when_the_database_cannot_be_reached()
    {
        var helioviewer = await HelioviewerServer.CreateAsync(await server.CreateDatabaseAsync("cli"), Path.Combine(_root, "jp2"));
        foreach (var row in RealJp2Files.ExpectedRows.Values) await helioviewer.IngestLikeHvpullAsync(row);
        var archive = new ArchiveLocation(helioviewer.Jp2Dir);
        var catalog = CatalogConnection.ResolveOrDefault(null, archive);
        Assert.Equal(ExitCodes.Success, await HelioviewerCommand.FollowOnceAsync(new FollowSettings(helioviewer.ConnectionString, archive, catalog), _output, default));
        await helioviewer.DeleteRowAsync(RealJp2Files.ExpectedRows.Values.First());

        _output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.SomeRejected, await HelioviewerCommand.ReconcileAsync(["*"], false, helioviewer.Database, null, archive, catalog, _output, default));
        Assert.Contains($"missing: ", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("--repair", _output.ToString(), StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Success, await HelioviewerCommand.ReconcileAsync(["*"], true, helioviewer.Database, null, archive, catalog, _output, default));
        _output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Success, await HelioviewerCommand.ReconcileAsync(["*"], false, helioviewer.Database, null, archive, catalog, _output, default));

        var unreachable = new HelioviewerDatabase("Server=127.0.0.1;Port=1;Database=helioviewer;User ID=x;Password=y;Connection Timeout=2");
        _output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Failed, await HelioviewerCommand.ReconcileAsync(["*"], false, unreachable, null, archive, catalog, _output, default));
        Assert.Contains("retry later", _output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Server=db;User ID=hv")]
    [InlineData("")]
    public void A_malformed_database_option_is_refused(string value)
    {
        Assert.Null(HelioviewerCommand.ParseDatabase(value, _output));
        Assert.Contains("--helioviewer-db", _output.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
