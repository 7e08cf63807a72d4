using HvMirror.Archive;

namespace HvMirror.Archive.Tests;

public class FileNameParsingTests
{
    private static DataSources Table => DataSources.Helioviewer;

    private static FileNameInfo Parse(string name) => HelioviewerFileName.Parse(name, Table);

    private static DateTime Utc(int y, int mo, int d, int h, int mi, int s, int ms = 0) =>
        new(y, mo, d, h, mi, s, ms, DateTimeKind.Utc);

    [Fact]
    public void Standard_name_with_three_fraction_digits_gives_milliseconds_and_source()
    {
        var info = Parse("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2");

        Assert.Equal(Utc(2024, 12, 31, 0, 4, 47, 122), info.ObservationTime);
        Assert.Equal(DateTimeKind.Utc, info.ObservationTime.Kind);
        Assert.Equal("AIA_94", info.Source?.Name);
    }

    [Theory]
    [InlineData("2014_01_02__00_00_02_62__SDO_AIA_AIA_335.jp2", 620)]
    [InlineData("2014_01_02__00_00_02_06__SDO_AIA_AIA_335.jp2", 60)]
    [InlineData("2014_01_02__00_00_02_062__SDO_AIA_AIA_335.jp2", 62)]
    [InlineData("2014_01_02__00_00_02_000__SDO_AIA_AIA_335.jp2", 0)]
    public void Fraction_digits_are_a_decimal_fraction_of_the_second(string name, int milliseconds)
    {
        Assert.Equal(Utc(2014, 1, 2, 0, 0, 2, milliseconds), Parse(name).ObservationTime);
    }

    [Theory]
    [InlineData("2024_12_31__00_02_11__GOES-R_SUVI_SUVI_131.jp2", "SUVI_131")]
    [InlineData("2024_12_31__00_00_42__NSO-GONG_GONG_H-alpha_6562.jp2", "GONG_H_ALPHA")]
    [InlineData("2024_12_31__00_03_19__PROBA2_SWAP_SWAP_174.jp2", "SWAP_174")]
    [InlineData("2024_04_09__17_49_53__MLSO_KCOR_KCOR_white-light-pB.jp2", "COSMO_KCOR")]
    public void Standard_name_without_milliseconds_is_whole_seconds(string name, string dataset)
    {
        var info = Parse(name);
        Assert.Equal(dataset, info.Source?.Name);
        Assert.Equal(0, info.ObservationTime.Millisecond);
        Assert.Equal(0, info.ObservationTime.Ticks % TimeSpan.TicksPerSecond);
    }

    [Theory]
    [InlineData("2021_06_17__13_42_38_500__SDO_HMI_HMI_magnetogram.jp2", "HMI_MAG")]
    [InlineData("2023_12_01__00_48_07_442__SOHO_LASCO_C2_white-light.jp2", "LASCO_C2")]
    [InlineData("2024_10_08__01_57_30_006__STEREO-A_SECCHI_EUVI_195.jp2", "EUVI_A_195")]
    [InlineData("2012_07_05__03_25_52_200__RHESSI_RHESSI_Back_Projection_25-50keV.jp2", "RHESSI_BACK_PROJECTION_25_50KEV")]
    public void Standard_names_of_the_design_examples_map_to_their_dataset(string name, string dataset)
    {
        Assert.Equal(dataset, Parse(name).Source?.Name);
    }

    /// <summary>Sources without an example file are recognised from their table properties.</summary>
    [Theory]
    [InlineData("2010_01_01__00_00_00_000__SDO_AIA_AIA_4500.jp2", "AIA_4500")]
    [InlineData("2010_01_01__00_00_00_000__STEREO-B_SECCHI_EUVI_171.jp2", "EUVI_B_171")]
    [InlineData("2010_01_01__00_00_00_000__STEREO-A_SECCHI_COR1_white-light.jp2", "COR1_A")]
    [InlineData("2010_01_01__00_00_00_000__STEREO-B_SECCHI_COR2_white-light.jp2", "COR2_B")]
    [InlineData("2024_01_01__00_00_00__GOES-R_SUVI_SUVI_94.jp2", "SUVI_94")]
    [InlineData("2005_01_01__00_00_00_000__SOHO_EIT_EIT_304.jp2", "EIT_304")]
    [InlineData("2003_01_01__00_00_00_000__TRACE_TRACE_TRACE_171.jp2", "TRACE_171")]
    [InlineData("1995_01_01__00_00_00_000__Yohkoh_SXT_SXT_thin-Al.jp2", "SXT_THIN_AL")]
    [InlineData("2012_07_05__03_25_52_200__RHESSI_RHESSI_Clean_59_3-6keV.jp2", "RHESSI_CLEAN_59_3_6KEV")]
    [InlineData("2012_07_05__03_25_52_200__RHESSI_RHESSI_MEM_GE_100-300keV.jp2", "RHESSI_MEM_GE_100_300KEV")]
    [InlineData("2025_06_01__00_00_00_000__GOES_CCOR-1_CCOR-1_white-light.jp2", "CCOR_1")]
    [InlineData("2025_06_01__00_00_00_000__GOES-R_CCOR-1_CCOR-1_white-light.jp2", "CCOR_1")]
    [InlineData("2025_06_01__00_00_00_000__SWFO-L1_CCOR-2_CCOR-2_white-light.jp2", "CCOR_2")]
    [InlineData("2010_01_01__00_00_00_000__STEREO_A_SECCHI_EUVI_171.jp2", "EUVI_A_171")]
    public void Standard_names_are_derived_from_the_table_for_sources_without_examples(string name, string dataset)
    {
        Assert.Equal(dataset, Parse(name).Source?.Name);
    }

    [Theory]
    [InlineData("solo_L3_eui-fsi174-image_20240702T120045260_V01.jp2", "EUI_FSI_174", 2024, 7, 2, 12, 0, 45, 260)]
    [InlineData("solo_L3_eui-fsi304-image_20240702T120045260_V02.jp2", "EUI_FSI_304", 2024, 7, 2, 12, 0, 45, 260)]
    [InlineData("solo_L3_eui-hrieuv174-image_20220401T103005920_V01.jp2", "EUI_HRI_174", 2022, 4, 1, 10, 30, 5, 920)]
    [InlineData("solo_L3_eui-hrilya1216-image_20220401T103005001_V01.jp2", "EUI_HRI_1216", 2022, 4, 1, 10, 30, 5, 1)]
    public void Solar_Orbiter_EUI_names(string name, string dataset, int y, int mo, int d, int h, int mi, int s, int ms)
    {
        var info = Parse(name);
        Assert.Equal(dataset, info.Source?.Name);
        Assert.Equal(Utc(y, mo, d, h, mi, s, ms), info.ObservationTime);
    }

    [Theory]
    [InlineData("1330", "IRIS_SJI_1330")]
    [InlineData("1400", "IRIS_SJI_1400")]
    [InlineData("1600", "IRIS_SJI_1600")]
    [InlineData("2796", "IRIS_SJI_2796")]
    [InlineData("2832", "IRIS_SJI_2832")]
    [InlineData("5000", "IRIS_SJI_5000")]
    public void IRIS_names_name_the_wavelength(string wavelength, string dataset)
    {
        var info = Parse($"iris_{wavelength}A_20240415_060002.jp2");
        Assert.Equal(dataset, info.Source?.Name);
        Assert.Equal(Utc(2024, 4, 15, 6, 0, 2), info.ObservationTime);
    }

    [Theory]
    [InlineData("PUNCH_L3_CAM_20250920001600_v0l.jp2", "PUNCH_TB")]
    [InlineData("PUNCH_L3_PAM_20250920001600_v1.jp2", "PUNCH_PB")]
    [InlineData("PUNCH_L3_CAM_20250920001600.jp2", "PUNCH_TB")]
    public void PUNCH_names_map_the_product_code_to_its_folder(string name, string dataset)
    {
        var info = Parse(name);
        Assert.Equal(dataset, info.Source?.Name);
        Assert.Equal(Utc(2025, 9, 20, 0, 16, 0), info.ObservationTime);
    }

    [Fact]
    public void XRT_names_do_not_encode_the_source_but_only_fit_XRT_filter_pairs()
    {
        var info = Parse("2024_11_07__00_56_53_858__HINODE_XRT.jp2");

        Assert.Null(info.Source);
        Assert.Equal(Utc(2024, 11, 7, 0, 56, 53, 858), info.ObservationTime);
        var xrtWithFolders = Table.All.Where(s => s.Instrument == "XRT" && s.HoldsFiles).ToList();
        Assert.Equal(37, xrtWithFolders.Count);
        Assert.Equal(xrtWithFolders, info.CompatibleSources);

        Assert.True(Table.TryGet("XRT_OPEN_TI_POLY", out var xrt));
        Assert.True(info.AgreesWith(xrt));
        Assert.True(Table.TryGet("XRT_ANY_ANY", out var virtualXrt));
        Assert.False(info.AgreesWith(virtualXrt));
        Assert.True(Table.TryGet("AIA_171", out var aia));
        Assert.False(info.AgreesWith(aia));
    }

    [Fact]
    public void A_name_that_encodes_a_source_agrees_only_with_that_dataset()
    {
        var info = Parse("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2");
        Assert.True(Table.TryGet("AIA_94", out var aia94));
        Assert.True(Table.TryGet("AIA_171", out var aia171));
        Assert.True(info.AgreesWith(aia94));
        Assert.False(info.AgreesWith(aia171));
    }

    [Fact]
    public void Two_parses_of_one_name_are_equal()
    {
        Assert.Equal(Parse("2024_11_07__00_56_53_858__HINODE_XRT.jp2"), Parse("2024_11_07__00_56_53_858__HINODE_XRT.jp2"));
        Assert.Equal(Parse("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2"), Parse("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2"));
    }

    [Fact]
    public void Leap_day_is_a_valid_date()
    {
        Assert.Equal(Utc(2024, 2, 29, 23, 59, 59, 999), Parse("2024_02_29__23_59_59_999__SDO_AIA_AIA_171.jp2").ObservationTime);
    }

    [Fact]
    public void Token_spelling_is_case_sensitive_because_file_systems_are()
    {
        Assert.False(HelioviewerFileName.TryParse("2024_12_31__00_04_47_122__sdo_aia_aia_94.jp2", Table, out _, out var error));
        Assert.Contains("no known Helioviewer source for tokens 'sdo_aia_aia_94'", error);
    }

    [Fact]
    public void Parse_throws_InvalidFileNameException_with_the_reason()
    {
        var e = Assert.Throws<InvalidFileNameException>(() => Parse("2024_13_01__00_00_00__GOES-R_SUVI_SUVI_131.jp2"));
        Assert.IsAssignableFrom<FormatException>(e);
        Assert.Equal("2024_13_01__00_00_00__GOES-R_SUVI_SUVI_131.jp2", e.FileName);
        Assert.Contains("month 13 does not exist", e.Reason);
        Assert.Equal(e.Reason, e.Message);
    }

    [Fact]
    public void Tokens_claimed_by_two_sources_are_rejected_as_ambiguous_not_guessed()
    {
        var csv = string.Join(',', DataSources.Columns) + "\n" +
                  "1,X_A,OBS,INS,DET,M,A,A/{yyyy}/{MM}/{dd},\n" +
                  "2,X_B,OBS,INS,DET,M,B,B/{yyyy}/{MM}/{dd},\n";
        var table = DataSources.Parse(csv);

        Assert.False(HelioviewerFileName.TryParse("2024_01_01__00_00_00__OBS_INS_DET_M.jp2", table, out var info, out var error));
        Assert.Null(info);
        Assert.Contains("match several sources (X_A, X_B)", error);
    }

    [Fact]
    public void A_new_source_in_the_table_is_recognised_without_code_changes()
    {
        var csv = string.Join(',', DataSources.Columns) + "\n" +
                  "500,NEW_42,Spacecraft,Imager,,42,NEW,NEW/{yyyy}/{MM}/{dd}/42,\n";
        var table = DataSources.Parse(csv);

        var info = HelioviewerFileName.Parse("2030_05_06__07_08_09_010__Spacecraft_Imager_Imager_42.jp2", table);
        Assert.Equal("NEW_42", info.Source?.Name);
    }
}
