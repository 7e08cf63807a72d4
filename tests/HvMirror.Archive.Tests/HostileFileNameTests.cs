using HvMirror.Archive;

namespace HvMirror.Archive.Tests;

/// <summary>Names a primary (or an attacker posing as one) may send, each rejected with a reason a person can act on.</summary>
public class HostileFileNameTests
{
    private const string Valid = "2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2";

    private static string Rejection(string name)
    {
        Assert.False(HelioviewerFileName.TryParse(name, DataSources.Helioviewer, out var info, out var error));
        Assert.Null(info);
        Assert.False(string.IsNullOrWhiteSpace(error));
        var thrown = Assert.Throws<InvalidFileNameException>(() => HelioviewerFileName.Parse(name, DataSources.Helioviewer));
        Assert.Equal(error, thrown.Reason);
        return error;
    }

    [Fact]
    public void The_valid_name_used_below_is_accepted()
    {
        Assert.True(HelioviewerFileName.TryParse(Valid, DataSources.Helioviewer, out _, out var error), error);
    }

    [Theory]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jpg", "must end in '.jp2'")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jpx", "must end in '.jp2'")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94", "must end in '.jp2'")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2.exe", "must end in '.jp2'")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.JP2", "the extension must be exactly lowercase '.jp2'")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.Jp2", "the extension must be exactly lowercase '.jp2'")]
    [InlineData(".jp2", "only an extension")]
    public void Wrong_extension(string name, string reason) => Assert.Contains(reason, Rejection(name));

    [Theory]
    [InlineData("AIA/2024/12/31/94/" + Valid, "path separator '/'")]
    [InlineData("94\\" + Valid, "path separator '\\'")]
    [InlineData("sub/../" + Valid, "path separator '/'")]
    public void Path_separators(string name, string reason)
    {
        var error = Rejection(name);
        Assert.Contains(reason, error);
        Assert.Contains("bare file name", error);
    }

    [Theory]
    [InlineData("/etc/" + Valid)]
    [InlineData("/" + Valid)]
    [InlineData("\\\\server\\share\\" + Valid)]
    [InlineData("C:\\archive\\" + Valid)]
    [InlineData("C:" + Valid)]
    public void Absolute_paths(string name) => Assert.Contains("is an absolute path", Rejection(name));

    [Theory]
    [InlineData("..")]
    [InlineData("..jp2")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94..jp2")]
    public void Parent_directory_dots(string name) => Assert.Contains("contains '..'", Rejection(name));

    [Theory]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2\0.txt", "U+0000")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94\n.jp2", "U+000A")]
    [InlineData("\t2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2", "U+0009")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94\u007F.jp2", "U+007F")]
    public void Control_characters(string name, string codePoint)
    {
        var error = Rejection(name);
        Assert.Contains($"control character {codePoint}", error);
        Assert.DoesNotContain(error, c => char.IsControl(c));
    }

    [Theory]
    [InlineData("2024_12_31__00_04_47_122__SDO_\u0410IA_AIA_94.jp2", "U+0410")] // Cyrillic capital A
    [InlineData("\uFF12024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2", "U+FF12")] // fullwidth digit two
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94\u2024jp2", "U+2024")] // one dot leader
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94\u2215x.jp2", "U+2215")] // division slash
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2\u200B", "U+200B")] // zero-width space
    public void Non_ASCII_look_alikes(string name, string codePoint)
    {
        var error = Rejection(name);
        Assert.Contains($"non-ASCII character {codePoint}", error);
        Assert.All(error, c => Assert.True(c <= 0x7E, $"message should be ASCII, has U+{(int)c:X4}"));
    }

    [Theory]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA AIA_94.jp2", "' '")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_94;rm.jp2", "';'")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_*.jp2", "'*'")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_%2e.jp2", "'%'")]
    [InlineData("ab:c.jp2", "':'")]
    public void Characters_outside_the_Helioviewer_set(string name, string character)
    {
        var error = Rejection(name);
        Assert.Contains($"contains {character}", error);
        Assert.Contains("only letters, digits, '_', '-' and '.'", error);
    }

    [Fact]
    public void Names_over_255_characters()
    {
        var name = "2024_12_31__00_04_47_122__SDO_AIA_AIA_94" + new string('x', 300) + ".jp2";
        Assert.Contains($"is {name.Length} characters long; at most 255 are allowed", Rejection(name));
    }

    [Fact]
    public void A_name_of_exactly_255_characters_is_judged_on_its_content_not_its_length()
    {
        var name = "2024_12_31__00_04_47_122__SDO_AIA_AIA_94" + new string('x', 255 - 44) + ".jp2";
        Assert.Equal(255, name.Length);
        Assert.Contains("no known Helioviewer source", Rejection(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Empty_names(string? name) => Assert.Contains("file name is empty", Rejection(name!));

    [Theory]
    [InlineData("2024_13_01__00_00_00__GOES-R_SUVI_SUVI_131.jp2", "month 13 does not exist")]
    [InlineData("2024_00_01__00_00_00__GOES-R_SUVI_SUVI_131.jp2", "month 00 does not exist")]
    [InlineData("2023_02_30__00_00_00__GOES-R_SUVI_SUVI_131.jp2", "day 30 does not exist in February 2023 (it has 28 days)")]
    [InlineData("2023_02_29__00_00_00__GOES-R_SUVI_SUVI_131.jp2", "day 29 does not exist in February 2023")]
    [InlineData("2024_04_31__00_00_00_000__SDO_AIA_AIA_94.jp2", "day 31 does not exist in April 2024 (it has 30 days)")]
    [InlineData("2024_04_00__00_00_00_000__SDO_AIA_AIA_94.jp2", "day 00 does not exist")]
    [InlineData("2024_04_01__24_00_00_000__SDO_AIA_AIA_94.jp2", "hour 24 does not exist")]
    [InlineData("2024_04_01__00_60_00_000__SDO_AIA_AIA_94.jp2", "minute 60 does not exist")]
    [InlineData("2016_12_31__23_59_60_000__SDO_AIA_AIA_94.jp2", "second 60 (a leap second)")]
    [InlineData("2024_04_01__00_00_61_000__SDO_AIA_AIA_94.jp2", "second 61 does not exist")]
    [InlineData("0000_01_01__00_00_00_000__SDO_AIA_AIA_94.jp2", "year 0000 does not exist")]
    [InlineData("solo_L3_eui-fsi174-image_20241302T120045260_V01.jp2", "month 13 does not exist")]
    [InlineData("iris_1330A_20230229_060002.jp2", "day 29 does not exist in February 2023")]
    [InlineData("PUNCH_L3_CAM_20250920251600_v0l.jp2", "hour 25 does not exist")]
    public void Impossible_dates(string name, string reason) => Assert.Contains(reason, Rejection(name));

    [Theory]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA_AIA_95.jp2", "no known Helioviewer source for tokens 'SDO_AIA_AIA_95'")]
    [InlineData("2024_12_31__00_04_47_122__X_Y_Z.jp2", "no known Helioviewer source for tokens 'X_Y_Z'")]
    [InlineData("2024_12_31__00_04_47_122__SDO_AIA.jp2", "no known Helioviewer source for tokens 'SDO_AIA'")]
    [InlineData("2024_12_31__00_04_47_122__SOHO_EIT.jp2", "no known Helioviewer source for tokens 'SOHO_EIT'")]
    [InlineData("2024_12_31__00_04_47_122__HINODE_XRT_Al_poly_Open.jp2", "no known Helioviewer source for tokens 'HINODE_XRT_Al_poly_Open'")]
    [InlineData("2024_12_31__00_04_47_122__Hinode_XRT_Any_Any.jp2", "no known Helioviewer source for tokens 'Hinode_XRT_Any_Any'")]
    [InlineData("solo_L3_eui-hrieuvnon-image_20240702T120045260_V01.jp2", "follows no Helioviewer file-name form")]
    [InlineData("solo_L3_eui-fsi195-image_20240702T120045260_V01.jp2", "no known Helioviewer source for EUI product tokens 'fsi195'")]
    [InlineData("iris_1234A_20240415_060002.jp2", "no known Helioviewer source for IRIS wavelength tokens '1234'")]
    [InlineData("PUNCH_L3_CTM_20250920001600_v0l.jp2", "no known Helioviewer source for PUNCH product tokens 'CTM'")]
    public void Tokens_that_match_no_source(string name, string reason)
    {
        var error = Rejection(name);
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("2024_12_31__00_04_47_1__SDO_AIA_AIA_94.jp2")]
    [InlineData("2024_12_31__00_04_47_1222__SDO_AIA_AIA_94.jp2")]
    [InlineData("2024_12_31_00_04_47_122__SDO_AIA_AIA_94.jp2")]
    [InlineData("2024_12_31__00_04_47_122_SDO_AIA_AIA_94.jp2")]
    [InlineData("2024_12_31__00_04_47_122__.jp2")]
    [InlineData("2024_1_31__00_04_47_122__SDO_AIA_AIA_94.jp2")]
    public void Malformed_dates_in_the_standard_form(string name)
    {
        var error = Rejection(name);
        Assert.Contains("does not follow the Helioviewer form 'YYYY_MM_DD__HH_MM_SS[_mmm]__", error);
        Assert.Contains("2 or 3 digits", error);
    }

    [Theory]
    [InlineData("image.jp2")]
    [InlineData("aia_171.jp2")]
    [InlineData("20241231_000447_SDO_AIA_AIA_94.jp2")]
    [InlineData("-rf.jp2")]
    public void Names_of_no_family_list_what_valid_names_look_like(string name)
    {
        var error = Rejection(name);
        Assert.Contains("follows no Helioviewer file-name form", error);
        Assert.Contains("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2", error);
        Assert.Contains("iris_1330A_20240415_060002.jp2", error);
    }
}
