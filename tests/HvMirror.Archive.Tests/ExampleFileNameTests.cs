using System.Text;
using HvMirror.Archive;

namespace HvMirror.Archive.Tests;

/// <summary>The <c>example_file</c> column holds real file names: each is the ground truth for its row.</summary>
public class ExampleFileNameTests
{
    public static TheoryData<string, string> RowsWithExamples()
    {
        var data = new TheoryData<string, string>();
        foreach (var source in DataSources.Helioviewer.All.Where(s => s.ExampleFile is not null))
            data.Add(source.Name, source.ExampleFile!);
        return data;
    }

    [Fact]
    public void The_table_has_examples_for_every_family()
    {
        Assert.Equal(30, RowsWithExamples().Count);
    }

    [Theory]
    [MemberData(nameof(RowsWithExamples))]
    public void Every_example_file_parses_to_its_own_row(string dataset, string exampleFile)
    {
        Assert.True(DataSources.Helioviewer.TryGet(dataset, out var row));

        var info = HelioviewerFileName.Parse(exampleFile, DataSources.Helioviewer);

        Assert.Equal(exampleFile, info.FileName);
        Assert.Equal(DateTimeKind.Utc, info.ObservationTime.Kind);
        Assert.True(info.AgreesWith(row));
        if (row.Instrument == "XRT")
        {
            // XRT names carry no filters: the name cannot tell which filter pair it is, only that it is XRT.
            Assert.Null(info.Source);
            Assert.Contains(row, info.CompatibleSources);
        }
        else
        {
            Assert.Equal(row, info.Source);
            Assert.Equal([row], info.CompatibleSources);
        }
    }

    [Theory]
    [MemberData(nameof(RowsWithExamples))]
    public void Every_example_file_date_matches_the_digits_of_its_name(string dataset, string exampleFile)
    {
        _ = dataset;
        var info = HelioviewerFileName.Parse(exampleFile, DataSources.Helioviewer);
        var digits = new string(exampleFile.Where(char.IsAsciiDigit).ToArray());
        Assert.Contains(info.ObservationTime.ToString("yyyyMMddHHmmss"), digits);
    }

    /// <summary>
    /// Proves the mapping is derived from the table's properties, not from the examples: with the example column
    /// emptied, every example still parses to its row, except the two whose names are irregular.
    /// </summary>
    [Theory]
    [MemberData(nameof(RowsWithExamples))]
    public void Examples_parse_from_the_table_properties_alone_except_KCor_and_XRT(string dataset, string exampleFile)
    {
        var withoutExamples = TableWithoutExamples();
        Assert.True(withoutExamples.TryGet(dataset, out var row));

        var parsed = HelioviewerFileName.TryParse(exampleFile, withoutExamples, out var info, out var error);

        if (dataset is "COSMO_KCOR" || row.Instrument == "XRT")
        {
            Assert.False(parsed);
            Assert.Contains("no known Helioviewer source for tokens", error);
        }
        else
        {
            Assert.True(parsed, error);
            Assert.Equal(row, info!.Source);
        }
    }

    private static DataSources TableWithoutExamples()
    {
        var csv = new StringBuilder(string.Join(',', DataSources.Columns)).Append('\n');
        foreach (var s in DataSources.Helioviewer.All)
        {
            csv.Append(string.Join(',', s.SourceId, s.Name, s.Observatory, s.Instrument, s.Detector, s.Measurement, s.Nickname, s.Layout, ""))
               .Append('\n');
        }
        return DataSources.Parse(csv.ToString());
    }
}
