using HvMirror.Archive;

namespace HvMirror.Helioviewer.Tests;

/// <summary>
/// Rules of Helioviewer's ingestion that the real files do not exercise, on small valid JP2 files carrying the
/// FITS keywords that matter.
/// </summary>
public sealed class HeaderRuleTests
{
    private const string XrtName = "2024_11_07__00_56_53_858__HINODE_XRT.jp2";
    private const string AiaName = "2024_04_16__11_15_41_129__SDO_AIA_AIA_304.jp2";

    private static readonly Dictionary<string, string> XrtSubField = new()
    {
        ["TELESCOP"] = "HINODE", ["INSTRUME"] = "XRT", ["EC_FW1_"] = "Al_poly", ["EC_FW2_"] = "Open",
        ["DATE-OBS"] = "2024-11-07T00:56:53.858", ["NAXIS1"] = "1024", ["NAXIS2"] = "512",
        ["CDELT1"] = "1.0286", ["CDELT2"] = "1.0286", ["CRPIX1"] = "512.5", ["CRPIX2"] = "256.5",
        ["CRVAL1"] = "-400.0", ["CRVAL2"] = "120.0", ["XCEN"] = "-400.0", ["YCEN"] = "120.0", ["DSUN_OBS"] = "1.4798e+11",
    };

    private static readonly Dictionary<string, string> Aia = new()
    {
        ["TELESCOP"] = "SDO", ["INSTRUME"] = "AIA_4", ["WAVELNTH"] = "304", ["WAVEUNIT"] = "angstrom",
        ["DATE-OBS"] = "2024-04-16T11:15:41.129", ["NAXIS1"] = "4096", ["NAXIS2"] = "4096",
        ["CDELT1"] = "0.6", ["CDELT2"] = "0.6", ["CRPIX1"] = "2048.5", ["CRPIX2"] = "2048.5",
        ["DSUN_OBS"] = "1.5e+11", ["PERCENTD"] = "100.0", ["IMG_TYPE"] = "LIGHT", ["WAVE_STR"] = "304_THIN",
    };

    [Fact]
    public void An_XRT_file_takes_its_source_from_the_filter_wheels_with_its_groups_and_sub_field_layer()
    {
        var row = Read(XrtName, XrtSubField);

        Assert.Equal(48, row.SourceId); // XRT Al_poly/Open
        Assert.Equal("/XRT/2024/11/07/Al_poly/Open", row.Filepath);
        Assert.Equal((10001, 10006, 10009), (row.GroupOne, row.GroupTwo, row.GroupThree));
        // 1024 × 1.0286 and 512 × 1.0286 arcsec are both under 2048: a sub-field, layered above full-disk images.
        Assert.Equal(2, row.LayeringOrder);
        // XRT's reference pixel is the Sun centre: -(CRVAL/CDELT - CRPIX).
        Assert.Equal((float)-(-400.0 / 1.0286 - 512.5), row.RefPixelX);
        Assert.Equal((float)-(120.0 / 1.0286 - 256.5), row.RefPixelY);
        Assert.Equal((float)(1.0286 * 1.4798e11 / HelioviewerDataRowReader.AstronomicalUnit), row.Scale);
    }

    [Theory]
    [InlineData(38, 10001, 10002, 10008)]
    [InlineData(43, 10001, 10007, 10008)]
    [InlineData(67, 10001, 10007, 10012)]
    [InlineData(68, 10001, 0, 0)]
    [InlineData(69, 10001, 10002, 10013)]
    [InlineData(74, 10001, 10007, 10013)]
    [InlineData(13, 0, 0, 0)]
    [InlineData(75, 0, 0, 0)]
    public void XRT_groups_follow_Helioviewer_getImageGroup(int sourceId, int one, int two, int three)
    {
        Assert.Equal((one, two, three), HelioviewerDataRowReader.XrtGroups(sourceId));
    }

    [Theory]
    [InlineData("CDELT1", "0", "CDELT1 (0) is not a positive number")]
    [InlineData("CDELT1", "abc", "CDELT1 (abc) is not a positive number")]
    [InlineData("DSUN_OBS", "2.3e+11", "distance to the Sun")]
    [InlineData("PERCENTD", "42", "PERCENTD < 50")]
    [InlineData("IMG_TYPE", "DARK", "dark frame")]
    [InlineData("WAVE_STR", "304_OPEN", "open AIA filter")]
    [InlineData("WAVELNTH", "171", "header says source AIA_171 but its name says AIA_304")]
    [InlineData("TELESCOP", "SDO_X", "no Helioviewer source")]
    public void Files_Helioviewer_refuses_are_refused_with_the_reason(string keyword, string value, string reason)
    {
        var header = new Dictionary<string, string>(Aia) { [keyword] = value };

        var ok = HelioviewerDataRowReader.TryRead(new MemoryStream(SampleJp2.Create(AiaName, null, header)), AiaName, DataSources.Helioviewer, out _, out var refusal);

        Assert.False(ok);
        Assert.Contains(reason, refusal);
    }

    [Fact]
    public void A_missing_or_non_numeric_header_value_is_stored_as_0_and_a_missing_DSUN_means_1_AU()
    {
        var header = new Dictionary<string, string>(Aia) { ["CRPIX2"] = "nan" };
        header.Remove("DSUN_OBS");

        var row = Read(AiaName, header);

        Assert.Equal(0f, row.RefPixelY);
        Assert.Equal(0f, row.Crpix2);
        Assert.Equal(0f, row.DsunObs);
        Assert.Equal(0f, row.Crota1);
        Assert.Equal(0.6f, row.Scale);
    }

    [Fact]
    public void A_file_with_a_name_Helioviewer_does_not_know_is_refused_with_the_name_reason()
    {
        var ok = HelioviewerDataRowReader.TryRead(new MemoryStream(SampleJp2.Create("x", null, Aia)), "holiday.jp2", DataSources.Helioviewer, out _, out var refusal);

        Assert.False(ok);
        Assert.Contains("holiday.jp2", refusal);
    }

    private static HelioviewerDataRow Read(string fileName, IReadOnlyDictionary<string, string> header) =>
        HelioviewerDataRowReader.Read(new MemoryStream(SampleJp2.Create(fileName, null, header)), fileName, DataSources.Helioviewer);
}
