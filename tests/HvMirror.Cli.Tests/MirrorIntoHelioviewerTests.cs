using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Cli.Commands;
using HvMirror.Ingestion;
using HvMirror.Node;
using HvMirror.Testing;

namespace HvMirror.Cli.Tests;

/// <summary>
/// `hvmirror mirror --once --helioviewer-db`: the embedded mirror writes every fetched file's row into a Helioviewer
/// server's own MariaDB, the rows Helioviewer's own ingestion writes for those files, before it exits.
/// </summary>
public sealed class MirrorIntoHelioviewerTests(MariaDbServer server) : PrimaryAndMirrorTests, IClassFixture<MariaDbServer>
{
    [Fact]
    public async Task Mirror_once_into_a_Helioviewer_database_leaves_hvpull_s_rows_for_every_file_when_it_exits()
    {
        foreach (var name in RealJp2Files.ExpectedRows.Keys)
            Assert.NotEqual(IngestOutcome.Rejected, (await Primary.IngestFileAsync(RealJp2Files.PathOf(name), default)).Outcome);
        // What hvpull itself leaves in a database for these files: the reference the mirror's rows must equal.
        var reference = await HelioviewerServer.CreateAsync(await server.CreateDatabaseAsync("reference"), Path.Combine(Root, "reference-jp2"));
        foreach (var row in RealJp2Files.ExpectedRows.Values) await reference.IngestLikeHvpullAsync(row);
        var helioviewer = await HelioviewerServer.CreateAsync(await server.CreateDatabaseAsync("mirror"), Path.Combine(Root, "jp2"));
        var archive = new ArchiveLocation(helioviewer.Jp2Dir);
        var settings = new MirrorSettings("primary", Hapi, ["*"], archive, CatalogConnection.ResolveOrDefault(null, archive), TimeSpan.FromSeconds(30),
            HelioviewerDatabase: helioviewer.ConnectionString, HelioviewerCacheDir: Path.Combine(Root, "cache"));

        var exit = await MirrorCommand.RunOnceAsync(settings, Output, default);

        Assert.True(exit == ExitCodes.Success, Output.ToString());
        Assert.Contains("rows into Helioviewer's database", Output.ToString(), StringComparison.Ordinal);
        // Read at once: --once returns only after the writer has written them.
        var expected = (await reference.RowsAsync()).Select(r => r.Row).OrderBy(r => r.Filename, StringComparer.Ordinal).ToList();
        var written = (await helioviewer.RowsAsync()).Select(r => r.Row).OrderBy(r => r.Filename, StringComparer.Ordinal).ToList();
        Assert.Equal(RealJp2Files.ExpectedRows.Count, written.Count);
        Assert.Equal(expected, written);
        Assert.Equal(await reference.EnabledSourcesAsync(), await helioviewer.EnabledSourcesAsync());
        Assert.All(written, row => Assert.True(File.Exists(helioviewer.PathOf(row)), $"{row.Filename} is not at {helioviewer.PathOf(row)}"));
    }
}
