namespace HvMirror.Archive.Tests;

public sealed class SampleFilesTests
{
    [Fact]
    public void Generated_files_carry_names_that_parse_back_to_their_source_and_date()
    {
        var start = new DateTime(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc);

        var files = SampleFiles.Generate(DataSources.Helioviewer, SampleFiles.DefaultDatasets, 14, start, TimeSpan.FromSeconds(12)).ToList();

        Assert.Equal(14, files.Select(f => f.Name).Distinct().Count());
        Assert.Equal(SampleFiles.DefaultDatasets.Count, files.Select(f => f.Source).Distinct().Count());
        foreach (var file in files)
        {
            var parsed = HelioviewerFileName.Parse(file.Name, DataSources.Helioviewer);
            Assert.Equal(file.Source, parsed.Source);
            Assert.Equal(file.ObservedAt, parsed.ObservationTime);
            Assert.True(Jp2.HasSignature(file.Content));
        }
    }

    [Fact]
    public void Another_variant_of_the_same_file_has_the_same_name_and_other_bytes()
    {
        var source = DataSources.Helioviewer.All.Single(s => s.Name == "AIA_171");
        var when = new DateTime(2024, 12, 31, 0, 4, 47, 122, DateTimeKind.Utc);

        var original = SampleFiles.Create(DataSources.Helioviewer, source, when, 4096, "v1");
        var reprocessed = SampleFiles.Create(DataSources.Helioviewer, source, when, 4096, "v2");

        Assert.Equal("2024_12_31__00_04_47_122__SDO_AIA_AIA_171.jp2", original.Name);
        Assert.Equal(original.Name, reprocessed.Name);
        Assert.Equal(4096, original.Content.Length);
        Assert.NotEqual(original.Content, reprocessed.Content);
    }

    [Fact]
    public void An_unknown_dataset_is_refused_with_advice()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SampleFiles.Generate(DataSources.Helioviewer, ["NOPE_1"], 1, DateTime.UtcNow, TimeSpan.FromSeconds(1)).ToList());

        Assert.Contains("AIA_171", error.Message);
    }
}
