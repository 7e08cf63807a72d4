using HvMirror.Archive;

namespace HvMirror.Archive.Tests;

public class ArchivePathTests
{
    private static DataSources Table => DataSources.Helioviewer;

    private static DataSource Source(string name)
    {
        Assert.True(Table.TryGet(name, out var source), name);
        return source;
    }

    private static string PathOf(string dataset, string fileName) =>
        ArchivePath.For(Source(dataset), HelioviewerFileName.Parse(fileName, Table));

    [Theory]
    [InlineData("AIA_94", "2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2", "AIA/2024/12/31/94/2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2")]
    [InlineData("LASCO_C2", "2023_12_01__00_48_07_442__SOHO_LASCO_C2_white-light.jp2", "LASCO-C2/2023/12/01/white-light/2023_12_01__00_48_07_442__SOHO_LASCO_C2_white-light.jp2")]
    [InlineData("EUVI_A_195", "2024_10_08__01_57_30_006__STEREO-A_SECCHI_EUVI_195.jp2", "EUVI-A/2024/10/08/195/2024_10_08__01_57_30_006__STEREO-A_SECCHI_EUVI_195.jp2")]
    [InlineData("GONG_H_ALPHA", "2024_12_31__00_00_42__NSO-GONG_GONG_H-alpha_6562.jp2", "NSO-GONG/2024/12/31/6562/2024_12_31__00_00_42__NSO-GONG_GONG_H-alpha_6562.jp2")]
    [InlineData("SUVI_131", "2024_12_31__00_02_11__GOES-R_SUVI_SUVI_131.jp2", "SUVI/2024/12/31/131/2024_12_31__00_02_11__GOES-R_SUVI_SUVI_131.jp2")]
    [InlineData("EUI_HRI_174", "solo_L3_eui-hrieuv174-image_20220401T103005920_V01.jp2", "HRI_EUV/2022/04/01/174/solo_L3_eui-hrieuv174-image_20220401T103005920_V01.jp2")]
    [InlineData("IRIS_SJI_1330", "iris_1330A_20240415_060002.jp2", "SJI/2024/04/15/1330/iris_1330A_20240415_060002.jp2")]
    [InlineData("PUNCH_TB", "PUNCH_L3_CAM_20250920001600_v0l.jp2", "PUNCH/2025/09/20/CAM/PUNCH_L3_CAM_20250920001600_v0l.jp2")]
    [InlineData("PUNCH_PB", "PUNCH_L3_PAM_20250920001600_v0l.jp2", "PUNCH/2025/09/20/PAM/PUNCH_L3_PAM_20250920001600_v0l.jp2")]
    [InlineData("RHESSI_BACK_PROJECTION_25_50KEV", "2012_07_05__03_25_52_200__RHESSI_RHESSI_Back_Projection_25-50keV.jp2", "RHESSI/2012/07/05/Back_Projection/2012_07_05__03_25_52_200__RHESSI_RHESSI_Back_Projection_25-50keV.jp2")]
    [InlineData("RHESSI_CLEAN_59_3_6KEV", "2012_07_05__03_25_52_200__RHESSI_RHESSI_Clean_59_3-6keV.jp2", "RHESSI/2012/07/05/Clean59/2012_07_05__03_25_52_200__RHESSI_RHESSI_Clean_59_3-6keV.jp2")]
    [InlineData("XRT_AL_POLY_OPEN", "2024_11_07__00_56_53_858__HINODE_XRT.jp2", "XRT/2024/11/07/Al_poly/Open/2024_11_07__00_56_53_858__HINODE_XRT.jp2")]
    [InlineData("XRT_BE_THIN_TI_POLY", "2024_11_07__00_56_53_858__HINODE_XRT.jp2", "XRT/2024/11/07/Be_thin/Ti_poly/2024_11_07__00_56_53_858__HINODE_XRT.jp2")]
    public void Path_is_the_layout_on_the_observation_date_then_the_file_name(string dataset, string fileName, string expected)
    {
        var path = PathOf(dataset, fileName);
        Assert.Equal(expected, path);
        Assert.True(ArchivePath.IsSafeRelative(path));
    }

    [Fact]
    public void The_date_folder_is_the_UTC_observation_date_even_just_before_midnight()
    {
        Assert.Equal("AIA/2024/12/31/171/2024_12_31__23_59_59_999__SDO_AIA_AIA_171.jp2",
            PathOf("AIA_171", "2024_12_31__23_59_59_999__SDO_AIA_AIA_171.jp2"));
    }

    [Fact]
    public void Every_example_file_gets_a_safe_path_under_its_own_nickname()
    {
        foreach (var source in Table.All.Where(s => s.ExampleFile is not null))
        {
            var path = PathOf(source.Name, source.ExampleFile!);
            Assert.StartsWith(source.Nickname + "/", path);
            Assert.EndsWith("/" + source.ExampleFile, path);
            Assert.True(ArchivePath.IsSafeRelative(path), path);
        }
    }

    [Fact]
    public void A_name_encoding_another_source_is_refused()
    {
        var name = HelioviewerFileName.Parse("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2", Table);
        var e = Assert.Throws<ArgumentException>(() => ArchivePath.For(Source("AIA_171"), name));
        Assert.Contains("encodes source AIA_94, not dataset AIA_171", e.Message);
    }

    [Fact]
    public void An_XRT_name_is_refused_outside_XRT()
    {
        var name = HelioviewerFileName.Parse("2024_11_07__00_56_53_858__HINODE_XRT.jp2", Table);
        var e = Assert.Throws<ArgumentException>(() => ArchivePath.For(Source("AIA_171"), name));
        Assert.Contains("not dataset AIA_171", e.Message);
    }

    [Fact]
    public void A_virtual_source_has_no_folder()
    {
        var name = new FileNameInfo("2024_11_07__00_56_53_858__HINODE_XRT.jp2", new DateTime(2024, 11, 7, 0, 0, 0, DateTimeKind.Utc), null);
        var e = Assert.Throws<InvalidOperationException>(() => ArchivePath.For(Source("XRT_ANY_ANY"), name));
        Assert.Contains("virtual source", e.Message);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("a/b.jp2")]
    [InlineData("")]
    public void A_hand_made_name_that_is_not_a_bare_file_name_is_refused(string fileName)
    {
        var name = new FileNameInfo(fileName, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), null);
        Assert.Throws<ArgumentException>(() => ArchivePath.For(Source("AIA_171"), name));
    }

    [Fact]
    public void A_local_observation_time_is_refused_rather_than_shifted()
    {
        var name = new FileNameInfo("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2", new DateTime(2024, 12, 31, 0, 4, 47, DateTimeKind.Local), null);
        var e = Assert.Throws<ArgumentException>(() => ArchivePath.For(Source("AIA_94"), name));
        Assert.Contains("local time", e.Message);
    }

    [Theory]
    [InlineData("AIA/2024/12/31/94/2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2")]
    [InlineData("XRT/2024/11/07/Al_poly/Open/2024_11_07__00_56_53_858__HINODE_XRT.jp2")]
    [InlineData("a.jp2")]
    public void Safe_relative_paths(string path) => Assert.True(ArchivePath.IsSafeRelative(path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/AIA/2024/12/31/94/x.jp2")]
    [InlineData("AIA/../../etc/passwd")]
    [InlineData("..")]
    [InlineData("AIA/./x.jp2")]
    [InlineData("AIA//x.jp2")]
    [InlineData("AIA/x.jp2/")]
    [InlineData("AIA\\x.jp2")]
    [InlineData("C:/x.jp2")]
    [InlineData("AIA/\u0410IA.jp2")]
    [InlineData("AIA/x.jp2\0")]
    [InlineData("AIA/x y.jp2")]
    [InlineData("AIA/%2e%2e/x.jp2")]
    public void Unsafe_relative_paths(string? path) => Assert.False(ArchivePath.IsSafeRelative(path));
}
