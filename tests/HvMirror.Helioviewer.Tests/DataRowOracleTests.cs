using HvMirror.Testing;
using HvMirror.Archive;

namespace HvMirror.Helioviewer.Tests;

/// <summary>
/// For every real file: the row computed here is the row Helioviewer's own ingestion wrote (expected-data-rows.csv),
/// column by column at float32, or the file is refused as Helioviewer refuses it.
/// </summary>
public sealed class DataRowOracleTests
{
    private const string MdiFile = "2005_01_11__23_59_32_227__SOHO_MDI_MDI_continuum.jp2";
    private const string TruncatedEitFile = "2025_01_12__01_19_51_642__SOHO_EIT_EIT_304.jp2";

    public static TheoryData<string> AcceptedFiles() => [.. RealJp2Files.ExpectedRows.Keys];

    [Fact]
    public void Every_real_file_is_either_in_the_oracle_or_one_of_the_two_refused()
    {
        var accounted = RealJp2Files.ExpectedRows.Keys.Append(MdiFile).Append(TruncatedEitFile).Order(StringComparer.Ordinal);
        Assert.Equal(accounted, RealJp2Files.All);
    }

    [Theory]
    [MemberData(nameof(AcceptedFiles))]
    public void The_computed_row_equals_what_Helioviewer_wrote_in_every_column(string fileName)
    {
        var expected = RealJp2Files.ExpectedRows[fileName];

        var ok = HelioviewerDataRowReader.TryRead(RealJp2Files.PathOf(fileName), DataSources.Helioviewer, out var row, out var refusal);

        Assert.True(ok, refusal);
        var values = row!.Values();
        var expectedValues = expected.Values();
        for (var i = 0; i < HelioviewerDataRow.Columns.Count; i++)
            Assert.True(Equals(expectedValues[i], values[i]),
                $"{fileName}: column {HelioviewerDataRow.Columns[i]} is {Show(values[i])}, Helioviewer wrote {Show(expectedValues[i])}");
        Assert.Equal(expected, row);
    }

    [Fact]
    public void The_MDI_file_is_refused_because_its_header_names_no_source()
    {
        var ok = HelioviewerDataRowReader.TryRead(RealJp2Files.PathOf(MdiFile), DataSources.Helioviewer, out var row, out var refusal);

        Assert.False(ok);
        Assert.Null(row);
        Assert.Contains(MdiFile, refusal);
        Assert.Contains("yields no measurement", refusal);
        Assert.Contains("no source", refusal);
    }

    [Fact]
    public void The_EIT_304_file_is_refused_because_it_has_no_codestream()
    {
        var error = Assert.Throws<Jp2RefusedException>(() => HelioviewerDataRowReader.Read(RealJp2Files.PathOf(TruncatedEitFile), DataSources.Helioviewer));

        Assert.Equal(TruncatedEitFile, error.FileName);
        Assert.Contains("no codestream (jp2c) box", error.Message);
    }

    [Fact]
    public void A_stream_gives_the_same_row_as_the_file_and_is_left_open()
    {
        const string fileName = "2024_04_16__13_00_13_908__SOHO_EIT_EIT_171.jp2";
        using var stream = File.OpenRead(RealJp2Files.PathOf(fileName));

        var row = HelioviewerDataRowReader.Read(stream, fileName, DataSources.Helioviewer);

        Assert.Equal(RealJp2Files.ExpectedRows[fileName], row);
        Assert.True(stream.CanRead);
    }

    private static string Show(object? value) => value switch
    {
        null => "NULL",
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };
}
