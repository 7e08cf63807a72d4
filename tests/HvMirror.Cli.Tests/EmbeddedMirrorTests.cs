using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Cli.Commands;
using HvMirror.Node;
using HvMirror.Ingestion;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.Cli.Tests;

/// <summary>The embedded default (`hvmirror mirror --once`): one process, in-memory messaging, SQLite catalogs.</summary>
public sealed class EmbeddedMirrorTests : PrimaryAndMirrorTests
{
    private static readonly DateTime Start = new(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_mirror_converges_byte_for_byte_on_files_of_three_datasets()
    {
        var files = await PublishAsync(SampleFiles.Generate(DataSources.Helioviewer, ["AIA_171", "HMI_MAG", "LASCO_C2"], 30, Start, TimeSpan.FromSeconds(12), 3000));

        var exit = await MirrorCommand.RunOnceAsync(Settings(), Output, default);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("30 announced, 30 new, 0 replaced", Output.ToString());
        await AssertMirrorHoldsAsync(files);
    }

    [Fact]
    public async Task Reprocessed_files_are_replaced_and_new_ones_added_on_the_next_sync()
    {
        var original = await PublishAsync(SampleFiles.Generate(DataSources.Helioviewer, ["AIA_171", "SUVI_131"], 10, Start, TimeSpan.FromSeconds(12), 3000));
        await MirrorCommand.RunOnceAsync(Settings(), TextWriter.Null, default);
        var reprocessed = original.Take(3).Select(f => SampleFiles.Create(DataSources.Helioviewer, f.Source, f.ObservedAt, 3000, "v2")).ToList();
        var added = SampleFiles.Generate(DataSources.Helioviewer, ["GONG_H_ALPHA"], 4, Start.AddHours(1), TimeSpan.FromSeconds(12), 3000).ToList();
        await PublishAsync(reprocessed.Concat(added));

        var exit = await MirrorCommand.RunOnceAsync(Settings(), Output, default);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.True(Output.ToString().Contains("4 new, 3 replaced"), Output.ToString());
        await AssertMirrorHoldsAsync(original.Skip(3).Concat(reprocessed).Concat(added).ToList());
    }

    [Fact]
    public async Task A_file_whose_bytes_do_not_match_their_checksum_is_never_registered_and_the_sync_fails()
    {
        var files = await PublishAsync(SampleFiles.Generate(DataSources.Helioviewer, ["AIA_304"], 4, Start, TimeSpan.FromSeconds(12), 3000));
        var corrupted = files[1];
        // The primary's disk now disagrees with its catalog, as after a bad copy.
        await File.WriteAllBytesAsync(PathIn(PrimaryArchive, corrupted),
            SampleJp2.Create("corrupted", 3000));

        var exit = await MirrorCommand.RunOnceAsync(Settings(), Output, default);

        Assert.Equal(ExitCodes.SomeRejected, exit);
        Assert.Contains($"failed: {corrupted.Name}: checksum mismatch", Output.ToString());
        await using var db = MirrorCatalog().CreateDbContext();
        Assert.Equal(3, await db.Files.CountAsync());
        Assert.False(await db.Files.AnyAsync(f => f.Name == corrupted.Name));
        Assert.Empty(Directory.Exists(MirrorArchive.StagingFolder) ? Directory.GetFiles(MirrorArchive.StagingFolder) : []);
    }

    [Fact]
    public async Task A_file_that_failed_is_asked_for_again_by_every_later_sync_until_it_arrives()
    {
        var files = await PublishAsync(SampleFiles.Generate(DataSources.Helioviewer, ["AIA_304"], 4, Start, TimeSpan.FromSeconds(12), 3000));
        var broken = files[2];
        var onPrimary = PathIn(PrimaryArchive, broken);
        await File.WriteAllBytesAsync(onPrimary, SampleJp2.Create("corrupted", 3000));
        Assert.Equal(ExitCodes.SomeRejected, await MirrorCommand.RunOnceAsync(Settings(), TextWriter.Null, default));

        // The upstream lists nothing new and the file is long past the poll overlap: only the work list remembers it.
        var stillBroken = await MirrorCommand.RunOnceAsync(Settings(), Output, default);

        Assert.Equal(ExitCodes.SomeRejected, stillBroken);
        Assert.Contains("asking again for 1 files of the work list", Output.ToString());
        Assert.Contains($"failed: {broken.Name}: checksum mismatch", Output.ToString());
        Assert.Contains("stays on the work list", Output.ToString());
        Output.GetStringBuilder().Clear();
        await VerifyCommand.RunAsync(Hapi, ["*"], MirrorArchive, MirrorCatalogConnection, deep: false, Output, default);
        Assert.Contains("work list: 1 file(s) wanted, 1 failing", Output.ToString());
        Assert.Contains("1 × checksum mismatch", Output.ToString());

        await File.WriteAllBytesAsync(onPrimary, broken.Content);
        Output.GetStringBuilder().Clear();
        var repaired = await MirrorCommand.RunOnceAsync(Settings(), Output, default);

        Assert.Equal(ExitCodes.Success, repaired);
        Assert.Contains("1 asked again from the work list, 1 new", Output.ToString());
        await AssertMirrorHoldsAsync(files);
        await using var db = MirrorCatalog().CreateDbContext();
        Assert.False(await db.WantedFiles.AnyAsync());
    }

    [Fact]
    public async Task An_unreachable_upstream_fails_the_sync_with_a_clear_message()
    {
        var settings = Settings() with { UpstreamUrl = new Uri("http://127.0.0.1:1/hapi") };

        var exit = await MirrorCommand.RunOnceAsync(settings, Output, default);

        Assert.Equal(ExitCodes.SomeRejected, exit);
        Assert.Contains("could not reach http://127.0.0.1:1/hapi", Output.ToString());
    }

    [Fact]
    public async Task Verify_proves_a_synced_mirror_and_names_what_differs_once_it_drifts()
    {
        var files = await PublishAsync(SampleFiles.Generate(DataSources.Helioviewer, ["AIA_171", "LASCO_C2"], 8, Start, TimeSpan.FromSeconds(12), 3000));
        await MirrorCommand.RunOnceAsync(Settings(), TextWriter.Null, default);
        var catalog = MirrorCatalogConnection;

        var synced = await VerifyCommand.RunAsync(Hapi, ["*"], MirrorArchive, catalog, deep: true, Output, default);

        Assert.Equal(ExitCodes.Success, synced);
        Assert.Contains("8 of 8 upstream files in sync across 2 datasets; 0 problem(s)", Output.ToString());

        await PublishAsync([SampleFiles.Create(DataSources.Helioviewer, files[0].Source, files[0].ObservedAt, 3000, "v2")]);
        File.Delete(PathIn(MirrorArchive, files[1]));
        Output.GetStringBuilder().Clear();

        var drifted = await VerifyCommand.RunAsync(Hapi, ["*"], MirrorArchive, catalog, deep: true, Output, default);

        Assert.Equal(ExitCodes.SomeRejected, drifted);
        Assert.Contains($"different: {files[0].Name}", Output.ToString());
        Assert.Contains($"not on disk: {files[1].Name}", Output.ToString());
        Assert.Contains("6 of 8 upstream files in sync", Output.ToString());
    }

    [Fact]
    public async Task The_demo_mirrors_reprocesses_and_verifies_every_file()
    {
        var exit = await DemoCommand.RunAsync(Path.Combine(Root, "demo"), 30, 4096, Output, default);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("42 of 42 upstream files in sync across 7 datasets; 0 problem(s)", Output.ToString());
    }

    private async Task AssertMirrorHoldsAsync(IReadOnlyCollection<SampleFile> files)
    {
        await using var db = MirrorCatalog().CreateDbContext();
        var rows = await db.Files.AsNoTracking().ToDictionaryAsync(f => f.Name);
        Assert.Equal(files.Count, rows.Count);
        foreach (var file in files)
        {
            var row = rows[file.Name];
            Assert.Equal(Checksum.Sha256Of(file.Content).ToString(), row.Checksum);
            Assert.Equal("primary", row.Upstream);
            Assert.Equal(file.Content, await File.ReadAllBytesAsync(MirrorArchive.FullPath(row.ArchivePath)));
        }
    }
}
