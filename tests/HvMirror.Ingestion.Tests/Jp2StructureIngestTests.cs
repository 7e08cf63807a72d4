using HvMirror.Archive;

namespace HvMirror.Ingestion.Tests;

/// <summary>
/// Only decodable JPEG 2000 files enter the archive, whichever way they come: <c>hvmirror ingest</c>
/// (<see cref="ArchiveIngester.IngestFileAsync"/>) or a fetcher (<see cref="ArchiveIngester.RegisterAsync"/>).
/// </summary>
public sealed class Jp2StructureIngestTests
{
    private const string NoCodestreamFile = "2025_01_12__01_19_51_642__SOHO_EIT_EIT_304.jp2";

    private static string RealFile(string name) => Path.Combine(AppContext.BaseDirectory, "RealFiles", name);

    public static TheoryData<string> DecodableRealFiles() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "RealFiles"), "*.jp2").Select(path => Path.GetFileName(path)).Where(name => name != NoCodestreamFile)];

    [Theory]
    [MemberData(nameof(DecodableRealFiles))]
    public async Task Every_decodable_real_Helioviewer_file_is_ingested(string fileName)
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        var dropped = workspace.Drop(fileName, await File.ReadAllBytesAsync(RealFile(fileName)));

        var result = await workspace.Ingester.IngestFileAsync(dropped, default);

        Assert.True(result.Outcome == IngestOutcome.Ingested, result.Reason);
    }

    [Fact]
    public async Task The_real_file_that_has_no_codestream_is_rejected_as_Helioviewer_rejects_it()
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        var dropped = workspace.Drop(NoCodestreamFile, await File.ReadAllBytesAsync(RealFile(NoCodestreamFile)));

        var result = await workspace.Ingester.IngestFileAsync(dropped, default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        Assert.Contains("no codestream (jp2c) box: not a decodable JPEG 2000 file", result.Reason);
        Assert.Null(await workspace.Registry.FindAsync(NoCodestreamFile, default));
        Assert.Empty(workspace.StagedLeftovers());
    }

    [Fact]
    public async Task The_JP2_signature_followed_by_garbage_is_rejected()
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        byte[] garbage = [.. Jp2.Signature, .. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 + 11))];

        var result = await workspace.Ingester.IngestFileAsync(workspace.Drop(IngestWorkspace.AiaName, garbage), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        Assert.Contains("not a decodable JPEG 2000 file", result.Reason);
        Assert.Null(await workspace.Registry.FindAsync(IngestWorkspace.AiaName, default));
    }

    [Fact]
    public async Task Staged_bytes_without_a_codestream_are_not_registered_the_way_a_fetcher_registers()
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        var sample = SampleJp2.Create("no codestream");
        var codestream = Jp2.ReadBoxes(new MemoryStream(sample)).Single(b => b.Type == "jp2c");
        var stager = new FileStager(workspace.Archive);
        using var staged = await stager.StageAsync(new MemoryStream(sample[..(int)codestream.Offset]), long.MaxValue, default);
        var name = HelioviewerFileName.Parse(IngestWorkspace.AiaName, DataSources.Helioviewer);

        var registration = await workspace.Ingester.RegisterAsync(
            staged, name, name.Source!, IngestWorkspace.AiaArchivePath, "primary", DateTime.UtcNow, default);

        Assert.Null(registration);
        Assert.Equal("no codestream (jp2c) box: not a decodable JPEG 2000 file", staged.Jp2Problem);
        Assert.Null(await workspace.Registry.FindAsync(IngestWorkspace.AiaName, default));
        Assert.False(File.Exists(workspace.Archive.FullPath(IngestWorkspace.AiaArchivePath)));
    }
}
