namespace HvMirror.Helioviewer.Tests;

public sealed class TileCacheTests : IDisposable
{
    private const string Folder = "/AIA/2024/04/16/304";
    private const string FileName = "2024_04_16__11_15_41_129__SDO_AIA_AIA_304.jp2";
    private const string BaseName = "2024_04_16__11_15_41_129__SDO_AIA_AIA_304";

    private readonly string _cache = Directory.CreateTempSubdirectory("hvm-tiles-").FullName;

    [Fact]
    public void Removes_exactly_the_cached_tiles_of_that_file()
    {
        var tiles = Path.Combine(_cache, "tiles", "AIA", "2024", "04", "16", "304");
        string[] ofTheFile = [$"{BaseName}_0_0_0.jpg", $"{BaseName}_3_1_2.png"];
        string[] others =
        [
            "2024_04_16__11_15_53_129__SDO_AIA_AIA_304_0_0_0.jpg", // another file of the same folder
            $"{BaseName}0_0.jpg",                                  // shares the base name as a bare prefix only
            FileName,                                              // not a tile
        ];
        foreach (var name in ofTheFile.Concat(others))
            Touch(Path.Combine(tiles, name));
        var sameNameElsewhere = Path.Combine(_cache, "tiles", "AIA", "2024", "04", "16", "171", $"{BaseName}_0_0_0.jpg");
        Touch(sameNameElsewhere);

        var removed = new TileCache(_cache).RemoveTiles(Folder, FileName);

        Assert.Equal(ofTheFile.Select(n => Path.Combine(tiles, n)).Order(), removed.Order());
        Assert.All(ofTheFile, n => Assert.False(File.Exists(Path.Combine(tiles, n))));
        Assert.All(others, n => Assert.True(File.Exists(Path.Combine(tiles, n))));
        Assert.True(File.Exists(sameNameElsewhere));
    }

    [Fact]
    public void A_file_without_cached_tiles_removes_nothing()
    {
        Assert.Empty(new TileCache(_cache).RemoveTiles(Folder, FileName));
    }

    [Theory]
    [InlineData("/AIA/../../etc", FileName)]
    [InlineData(Folder, "../x.jp2")]
    [InlineData(Folder, "*.jp2")]
    public void A_path_that_would_leave_the_cache_is_refused(string folder, string fileName)
    {
        var outside = Path.Combine(_cache, "x_keep.txt");
        Touch(outside);

        Assert.Throws<ArgumentException>(() => new TileCache(Path.Combine(_cache, "cache")).RemoveTiles(folder, fileName));
        Assert.True(File.Exists(outside));
    }

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1]);
    }
}
