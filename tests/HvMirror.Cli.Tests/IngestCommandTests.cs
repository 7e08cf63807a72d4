using HvMirror.Archive;
using HvMirror.Cli.Commands;

namespace HvMirror.Cli.Tests;

public sealed class IngestCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hvmirror-tests", Guid.NewGuid().ToString("N"));
    private readonly StringWriter _output = new();

    private string Drop => Path.Combine(_root, "drop");
    private string ArchiveRoot => Path.Combine(_root, "archive");

    [Fact]
    public async Task A_folder_of_good_files_is_ingested_and_the_summary_counts_them()
    {
        WriteSample("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2");
        WriteSample("2021_06_17__13_42_38_500__SDO_HMI_HMI_magnetogram.jp2", "hmi");
        WriteSample("2024_12_31__00_00_42__NSO-GONG_GONG_H-alpha_6562.jp2", "gong/deeper");

        var exit = await Run(Drop);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("3 ingested, 0 updated, 0 unchanged, 0 rejected", _output.ToString());
        Assert.True(File.Exists(Path.Combine(ArchiveRoot, "HMI/2021/06/17/magnetogram/2021_06_17__13_42_38_500__SDO_HMI_HMI_magnetogram.jp2")));
        Assert.True(File.Exists(Path.Combine(ArchiveRoot, "NSO-GONG/2024/12/31/6562/2024_12_31__00_00_42__NSO-GONG_GONG_H-alpha_6562.jp2")));
    }

    [Fact]
    public async Task Running_again_over_the_archive_itself_finds_everything_unchanged()
    {
        WriteSample("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2");
        WriteSample("2024_12_31__00_02_11__GOES-R_SUVI_SUVI_131.jp2");
        await Run(Drop);
        _output.GetStringBuilder().Clear();

        var exit = await Run(ArchiveRoot);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("0 ingested, 0 updated, 2 unchanged, 0 rejected", _output.ToString());
    }

    [Fact]
    public async Task Bad_files_are_named_with_their_reason_the_rest_goes_in_and_the_exit_code_says_so()
    {
        WriteSample("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2");
        var notJp2 = Path.Combine(Drop, "2024_12_31__00_04_59_122__SDO_AIA_AIA_171.jp2");
        File.WriteAllText(notJp2, "<html>502 Bad Gateway</html>");
        var unknown = Path.Combine(Drop, "2024_12_31__00_04_47_122__ACME_CAM_CAM_42.jp2");
        File.WriteAllBytes(unknown, SampleJp2.Create("unknown"));

        var exit = await Run(Drop, Path.Combine(_root, "missing"));

        Assert.Equal(ExitCodes.SomeRejected, exit);
        var output = _output.ToString();
        Assert.True(output.Contains($"rejected: {notJp2}: is not a JPEG 2000 file"), output);
        Assert.True(output.Contains($"rejected: {unknown}: "), output);
        Assert.True(output.Contains("does not exist"), output);
        Assert.True(output.Contains("1 ingested, 0 updated, 0 unchanged, 3 rejected"), output);
    }

    [Fact]
    public async Task Hidden_folders_are_skipped_so_the_archive_state_is_never_taken_for_input()
    {
        WriteSample("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2", ".hidden");
        WriteSample("2024_12_31__00_04_59_122__SDO_AIA_AIA_171.jp2");

        await Run(Drop);

        Assert.Contains("1 ingested, 0 updated, 0 unchanged, 0 rejected", _output.ToString());
    }

    [Fact]
    public async Task An_unreachable_catalog_is_a_clear_failure_not_a_crash()
    {
        WriteSample("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2");

        var exit = await IngestCommand.RunAsync([Drop], ArchiveRoot, "Host=127.0.0.1;Port=1;Database=nowhere;Timeout=2", 2, _output, default);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("cannot open the catalog (PostgreSQL 127.0.0.1:1/nowhere)", _output.ToString());
        Assert.Contains("Check that the PostgreSQL server runs", _output.ToString());
    }

    private Task<int> Run(params string[] paths) => IngestCommand.RunAsync(paths, ArchiveRoot, catalog: null, parallel: 2, _output, default);

    private void WriteSample(string name, string? subfolder = null)
    {
        var folder = Directory.CreateDirectory(subfolder is null ? Drop : Path.Combine(Drop, subfolder)).FullName;
        File.WriteAllBytes(Path.Combine(folder, name), SampleJp2.Create(name));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
