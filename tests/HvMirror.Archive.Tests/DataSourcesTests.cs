using HvMirror.Archive;

namespace HvMirror.Archive.Tests;

public class DataSourcesTests
{
    private const string Header = "sourceId,name,observatory,instrument,detector,measurement,nickname,layout,example_file";

    private static DataSources Table => DataSources.Helioviewer;

    [Fact]
    public void Embedded_table_lists_the_152_Helioviewer_sources()
    {
        Assert.Equal(152, Table.All.Count);
        Assert.Equal(Table.All.Count, Table.All.Select(s => s.SourceId).Distinct().Count());
        Assert.Equal(Table.All.Count, Table.All.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Embedded_table_is_parsed_once()
    {
        Assert.Same(DataSources.Helioviewer, DataSources.Helioviewer);
    }

    [Fact]
    public void TryGet_finds_a_dataset_by_its_exact_id_with_all_columns()
    {
        Assert.True(Table.TryGet("AIA_171", out var aia));
        Assert.Equal(new DataSource(10, "AIA_171", "SDO", "AIA", "", "171", "AIA", "AIA/{yyyy}/{MM}/{dd}/171",
            "2021_06_01__00_01_21_347__SDO_AIA_AIA_171.jp2"), aia);
    }

    [Theory]
    [InlineData("aia_171")]
    [InlineData("AIA_171 ")]
    [InlineData("AIA-171")]
    [InlineData("")]
    public void TryGet_is_exact_and_case_sensitive(string name)
    {
        Assert.False(Table.TryGet(name, out var source));
        Assert.Null(source);
    }

    [Fact]
    public void FindById_returns_the_source_or_null()
    {
        Assert.Equal("SUVI_131", Table.FindById(2001)?.Name);
        Assert.Equal("XRT_OPEN_ANY", Table.FindById(10013)?.Name);
        Assert.Null(Table.FindById(36)); // Helioviewer's ids have gaps: 36 and 37 were never assigned.
    }

    [Fact]
    public void Empty_detector_and_instrument_are_empty_strings_not_null()
    {
        Assert.True(Table.TryGet("TRACE_171", out var trace));
        Assert.Equal("", trace.Instrument);
        Assert.Equal("", trace.Detector);
        Assert.Null(trace.ExampleFile);
    }

    [Fact]
    public void Columns_with_spaces_and_signs_are_kept_verbatim()
    {
        Assert.True(Table.TryGet("RHESSI_CLEAN_59_3_6KEV", out var rhessi));
        Assert.Equal("Clean 59", rhessi.Detector);
        Assert.Equal("RHESSI/{yyyy}/{MM}/{dd}/Clean59", rhessi.Layout);
        Assert.True(Table.TryGet("PUNCH_TB", out var punch));
        Assert.Equal("WFI+NFI", punch.Instrument);
        Assert.Equal("Total Brightness", punch.Measurement);
    }

    [Fact]
    public void Virtual_XRT_any_sources_hold_no_files_and_every_other_source_does()
    {
        var virtualSources = Table.All.Where(s => !s.HoldsFiles).Select(s => s.Name).ToList();
        Assert.Equal(13, virtualSources.Count);
        Assert.All(virtualSources, name => Assert.StartsWith("XRT_", name));
        Assert.All(virtualSources, name => Assert.Contains("ANY", name));
    }

    [Fact]
    public void Parse_reads_quoted_fields_with_commas_quotes_and_line_breaks()
    {
        var csv = Header + "\r\n" +
                  "7,\"X_1\",\"Obs, Inc\",\"say \"\"hi\"\"\",,\"multi\nline\",N,N/{yyyy}/{MM}/{dd}/m,\r\n" +
                  "8,X_2,O,I,D,M,N,N/{yyyy}/{MM}/{dd}/m,\"2024_01_01__00_00_00__O_I_D_M.jp2\"";
        var table = DataSources.Parse(csv);

        Assert.Equal(2, table.All.Count);
        var first = table.All[0];
        Assert.Equal("Obs, Inc", first.Observatory);
        Assert.Equal("say \"hi\"", first.Instrument);
        Assert.Equal("multi\nline", first.Measurement);
        Assert.Null(first.ExampleFile);
        Assert.Equal("2024_01_01__00_00_00__O_I_D_M.jp2", table.All[1].ExampleFile);
    }

    [Theory]
    [InlineData("id,name\n1,A", "expected the header")]
    [InlineData(Header + "\n1,A,O,I,D,M,N", "line 2: expected 9 fields, found 7")]
    [InlineData(Header + "\nx,A,O,I,D,M,N,N/{yyyy}/{MM}/{dd},", "sourceId 'x' is not a non-negative integer")]
    [InlineData(Header + "\n1,A,O,I,D,M,N,N/{yyyy}/{MM}/{dd},\n1,B,O,I,D,M,N,N/{yyyy}/{MM}/{dd},", "line 3: sourceId 1 appears twice")]
    [InlineData(Header + "\n1,A,O,I,D,M,N,N/{yyyy}/{MM}/{dd},\n2,A,O,I,D,M,N,N/{yyyy}/{MM}/{dd},", "line 3: name 'A' appears twice")]
    [InlineData(Header + "\n1,A,O,I,D,M,N,N/m,", "lacks the {yyyy}/{MM}/{dd} placeholders")]
    [InlineData(Header + "\n1,,O,I,D,M,N,N/{yyyy}/{MM}/{dd},", "column 'name' is empty")]
    [InlineData(Header + "\n1,\"A,O,I,D,M,N,N,", "ends in the middle of a record")]
    [InlineData(Header + "\n1,A\"B,O,I,D,M,N,N,", "a field that does not start with a double quote contains one")]
    [InlineData("", "Source table is empty")]
    public void Parse_rejects_a_malformed_table_naming_the_problem(string csv, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => DataSources.Parse(csv));
        Assert.Contains(expected, e.Message);
    }
}
