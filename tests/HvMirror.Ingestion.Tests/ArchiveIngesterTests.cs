using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Testing;

namespace HvMirror.Ingestion.Tests;

public sealed class ArchiveIngesterTests
{
    [Fact]
    public async Task A_new_file_is_copied_to_its_archive_path_and_registered_with_its_checksum()
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        var content = SampleJp2.Create("first");
        var dropped = workspace.Drop(IngestWorkspace.AiaName, content);

        var result = await workspace.Ingester.IngestFileAsync(dropped, default);

        Assert.Equal(IngestOutcome.Ingested, result.Outcome);
        var placed = workspace.Archive.FullPath(IngestWorkspace.AiaArchivePath);
        Assert.Equal(content, await File.ReadAllBytesAsync(placed));
        Assert.True(File.Exists(dropped), "the drop folder's file is copied, not taken away");
        var row = await workspace.Registry.FindAsync(IngestWorkspace.AiaName, default);
        Assert.NotNull(row);
        Assert.Equal("AIA_94", row.Dataset);
        Assert.Equal(IngestWorkspace.AiaArchivePath, row.ArchivePath);
        Assert.Equal(IngestWorkspace.ChecksumOf(content), row.Checksum);
        Assert.Equal(content.Length, row.Size);
        Assert.Equal(new DateTime(2024, 12, 31, 0, 4, 47, 122, DateTimeKind.Utc), row.ObservedAt);
        Assert.Null(row.Upstream);
        Assert.Empty(workspace.StagedLeftovers());
    }

    [Fact]
    public async Task The_same_bytes_again_are_unchanged_and_keep_their_ingestion_time()
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        var dropped = workspace.Drop(IngestWorkspace.AiaName, SampleJp2.Create("first"));
        var first = await workspace.Ingester.IngestFileAsync(dropped, default);

        var again = await workspace.Ingester.IngestFileAsync(dropped, default);

        Assert.Equal(IngestOutcome.Unchanged, again.Outcome);
        Assert.Equal(first.File!.IngestedAt, (await workspace.Registry.FindAsync(IngestWorkspace.AiaName, default))!.IngestedAt);
        Assert.Empty(workspace.StagedLeftovers());
    }

    [Fact]
    public async Task Reprocessed_bytes_under_a_known_name_replace_the_file_with_a_new_checksum_and_time()
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        var first = await workspace.Ingester.IngestFileAsync(workspace.Drop(IngestWorkspace.AiaName, SampleJp2.Create("v1")), default);
        var reprocessed = SampleJp2.Create("v2, reprocessed");

        var second = await workspace.Ingester.IngestFileAsync(workspace.Drop(IngestWorkspace.AiaName, reprocessed, "later"), default);

        Assert.Equal(IngestOutcome.Updated, second.Outcome);
        Assert.Equal(reprocessed, await File.ReadAllBytesAsync(workspace.Archive.FullPath(IngestWorkspace.AiaArchivePath)));
        var row = await workspace.Registry.FindAsync(IngestWorkspace.AiaName, default);
        Assert.Equal(IngestWorkspace.ChecksumOf(reprocessed), row!.Checksum);
        Assert.True(row.IngestedAt > first.File!.IngestedAt);
    }

    [Fact]
    public async Task A_file_already_at_its_archive_path_is_registered_in_place()
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        var content = SampleJp2.Create("in place");
        var path = workspace.Archive.FullPath(IngestWorkspace.AiaArchivePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, content);

        var result = await workspace.Ingester.IngestFileAsync(path, default);

        Assert.Equal(IngestOutcome.Ingested, result.Outcome);
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Equal(IngestWorkspace.ChecksumOf(content), (await workspace.Registry.FindAsync(IngestWorkspace.AiaName, default))!.Checksum);
        Assert.Empty(workspace.StagedLeftovers());
    }

    [Theory]
    [InlineData("not a jpeg 2000 file at all", "not a JPEG 2000 file")]
    [InlineData("", "empty")]
    public async Task Bytes_that_are_not_a_JP2_file_are_rejected_and_leave_nothing_behind(string content, string reason)
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        var dropped = workspace.Drop(IngestWorkspace.AiaName, System.Text.Encoding.ASCII.GetBytes(content));

        var result = await workspace.Ingester.IngestFileAsync(dropped, default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        Assert.Contains(reason, result.Reason);
        Assert.Null(await workspace.Registry.FindAsync(IngestWorkspace.AiaName, default));
        Assert.False(File.Exists(workspace.Archive.FullPath(IngestWorkspace.AiaArchivePath)));
        Assert.Empty(workspace.StagedLeftovers());
    }

    [Fact]
    public async Task A_corrupt_replacement_leaves_the_held_file_untouched()
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        var good = SampleJp2.Create("good");
        await workspace.Ingester.IngestFileAsync(workspace.Drop(IngestWorkspace.AiaName, good), default);

        var result = await workspace.Ingester.IngestFileAsync(workspace.Drop(IngestWorkspace.AiaName, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], "bad"), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        Assert.Equal(good, await File.ReadAllBytesAsync(workspace.Archive.FullPath(IngestWorkspace.AiaArchivePath)));
        Assert.Equal(IngestWorkspace.ChecksumOf(good), (await workspace.Registry.FindAsync(IngestWorkspace.AiaName, default))!.Checksum);
    }

    [Theory]
    [InlineData("holiday.jpg", ".jp2")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_9999.jp2", "source")]
    [InlineData("2024_13_31__00_04_47_122__SDO_AIA_AIA_94.jp2", "month")]
    public async Task A_name_that_yields_no_source_or_date_is_rejected_with_its_reason(string name, string reasonMentions)
    {
        using var workspace = await IngestWorkspace.CreateAsync();

        var result = await workspace.Ingester.IngestFileAsync(workspace.Drop(name, SampleJp2.Create(name)), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        Assert.Contains(reasonMentions, result.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Null(await workspace.Registry.FindAsync(name, default));
    }

    private const string XrtName = "2024_12_31__00_00_07_123__HINODE_XRT.jp2";

    [Fact]
    public async Task An_XRT_file_without_filter_keywords_in_its_header_is_rejected_rather_than_guessed()
    {
        using var workspace = await IngestWorkspace.CreateAsync();

        var result = await workspace.Ingester.IngestFileAsync(workspace.Drop(XrtName, SampleJp2.Create("xrt")), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        Assert.Contains("does not say which data source", result.Reason);
        Assert.Contains("EC_FW1_ and EC_FW2_", result.Reason);
    }

    [Theory]
    [InlineData("Al_poly", "Open", "XRT_AL_POLY_OPEN", "XRT/2024/12/31/Al_poly/Open/")]
    [InlineData("Al_med", "G_band", "XRT_AL_MED_GBAND", "XRT/2024/12/31/Al_med/Gband/")]
    public async Task An_XRT_file_takes_its_source_from_the_filter_wheels_in_its_FITS_header(
        string wheel1, string wheel2, string dataset, string folder)
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        var content = SampleJp2.Create("xrt", null, new Dictionary<string, string> { ["EC_FW1_"] = wheel1, ["EC_FW2_"] = wheel2 });

        var result = await workspace.Ingester.IngestFileAsync(workspace.Drop(XrtName, content), default);

        Assert.Equal(IngestOutcome.Ingested, result.Outcome);
        Assert.Equal(dataset, result.File!.Dataset);
        Assert.Equal(folder + XrtName, result.File.ArchivePath);
        Assert.Equal(content, await File.ReadAllBytesAsync(workspace.Archive.FullPath(result.File.ArchivePath)));
    }

    [Fact]
    public async Task An_XRT_file_whose_filters_match_no_source_is_rejected_naming_them()
    {
        using var workspace = await IngestWorkspace.CreateAsync();
        var content = SampleJp2.Create("xrt", null, new Dictionary<string, string> { ["EC_FW1_"] = "Cheese", ["EC_FW2_"] = "Open" });

        var result = await workspace.Ingester.IngestFileAsync(workspace.Drop(XrtName, content), default);

        Assert.Equal(IngestOutcome.Rejected, result.Outcome);
        Assert.Contains("EC_FW1_='Cheese'", result.Reason);
    }
}

/// <summary>The same ingest against the distributed catalog.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresIngestTests(PostgresServer postgres)
{
    [Fact]
    public async Task New_reprocessed_and_repeated_files_land_in_a_PostgreSQL_catalog()
    {
        using var workspace = await IngestWorkspace.CreateAsync(await postgres.CreateDatabaseAsync("ingest"));

        var added = await workspace.Ingester.IngestFileAsync(workspace.Drop(IngestWorkspace.AiaName, SampleJp2.Create("v1")), default);
        var repeated = await workspace.Ingester.IngestFileAsync(Path.Combine(workspace.DropFolder, IngestWorkspace.AiaName), default);
        var updated = await workspace.Ingester.IngestFileAsync(workspace.Drop(IngestWorkspace.AiaName, SampleJp2.Create("v2"), "v2"), default);

        Assert.Equal([IngestOutcome.Ingested, IngestOutcome.Unchanged, IngestOutcome.Updated], [added.Outcome, repeated.Outcome, updated.Outcome]);
        Assert.True(updated.File!.IngestedAt > added.File!.IngestedAt);
    }
}
