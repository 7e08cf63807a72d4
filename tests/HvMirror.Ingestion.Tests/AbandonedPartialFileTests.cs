using HvMirror.Archive;
using HvMirror.Ingestion;
using HvMirror.Testing;

namespace HvMirror.Ingestion.Tests;

/// <summary>
/// Several fetchers share one archive volume, and any of them can be killed mid-download. The partial files of the
/// dead are removed when a stager starts; those of the living, which hold a lock on them, are left alone.
/// </summary>
public sealed class AbandonedPartialFileTests : IDisposable
{
    private readonly ArchiveLocation _archive = new(Path.Combine(Path.GetTempPath(), "hvmirror-tests", Guid.NewGuid().ToString("N")));

    [Fact]
    public async Task A_partial_file_nobody_holds_is_removed_before_the_first_download_and_the_download_is_kept()
    {
        var abandoned = PartialFile(untouchedFor: FileStager.DefaultAbandonedAfter + TimeSpan.FromMinutes(1));
        var stager = new FileStager(_archive);

        using var staged = await stager.StageAsync(new MemoryStream(SampleJp2.Create("after a crash")), long.MaxValue, default);

        Assert.False(File.Exists(abandoned), "the killed process's partial file should be gone");
        Assert.True(File.Exists(staged.Path));
        Assert.Equal([staged.Path], PartialFiles());
    }

    [Fact]
    public async Task A_partial_file_a_live_fetcher_holds_stays_however_old_it_looks()
    {
        var stager = new FileStager(_archive);
        using var live = await stager.StageAsync(new MemoryStream(SampleJp2.Create("being verified")), long.MaxValue, default);
        File.SetLastWriteTimeUtc(live.Path, DateTime.UtcNow - FileStager.DefaultAbandonedAfter - TimeSpan.FromHours(1));

        // Another fetcher on the same volume starts.
        var removed = new FileStager(_archive).RemoveAbandoned(FileStager.DefaultAbandonedAfter);

        Assert.Equal(0, removed);
        Assert.True(File.Exists(live.Path));
    }

    [Fact]
    public void A_partial_file_written_a_moment_ago_stays_even_before_its_lock_is_taken()
    {
        var young = PartialFile(untouchedFor: TimeSpan.FromSeconds(5));

        Assert.Equal(0, new FileStager(_archive).RemoveAbandoned(FileStager.DefaultAbandonedAfter));
        Assert.True(File.Exists(young));
    }

    [Fact]
    public async Task A_staged_file_is_unlocked_once_it_is_moved_or_dropped()
    {
        var stager = new FileStager(_archive);
        var staged = await stager.StageAsync(new MemoryStream(SampleJp2.Create("dropped")), long.MaxValue, default);
        Assert.Throws<IOException>(() => new FileStream(staged.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());

        staged.Dispose();

        Assert.Empty(PartialFiles());
    }

    private string PartialFile(TimeSpan untouchedFor)
    {
        Directory.CreateDirectory(_archive.StagingFolder);
        var path = Path.Combine(_archive.StagingFolder, Guid.NewGuid().ToString("N") + FileStager.PartialFileExtension);
        File.WriteAllBytes(path, [1, 2, 3]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - untouchedFor);
        return path;
    }

    private string[] PartialFiles() => Directory.GetFiles(_archive.StagingFolder);

    public void Dispose()
    {
        try { Directory.Delete(_archive.Root, recursive: true); } catch (IOException) { }
    }
}
