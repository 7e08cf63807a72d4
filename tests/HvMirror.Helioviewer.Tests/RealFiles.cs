using System.Globalization;

namespace HvMirror.Helioviewer.Tests;

/// <summary>The real Helioviewer files copied next to the tests, and the oracle of what Helioviewer wrote for them.</summary>
internal static class RealFiles
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "RealFiles");

    public static string PathOf(string fileName) => Path.Combine(Folder, fileName);

    public static IEnumerable<string> AllJp2 => Directory.GetFiles(Folder, "*.jp2").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    /// <summary>expected-data-rows.csv: one row per file Helioviewer accepted, keyed by file name.</summary>
    public static IReadOnlyDictionary<string, HelioviewerDataRow> ExpectedRows { get; } = LoadExpected();

    private static Dictionary<string, HelioviewerDataRow> LoadExpected()
    {
        var lines = File.ReadAllLines(Path.Combine(Folder, "expected-data-rows.csv"));
        var header = lines[0].Split(',');
        Assert.Equal(HelioviewerDataRow.Columns, header);
        var rows = new Dictionary<string, HelioviewerDataRow>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split(',');
            int I(int i) => int.Parse(f[i], CultureInfo.InvariantCulture);
            // The oracle gives each FLOAT column as the exact float32 MariaDB stored.
            float F(int i) => float.Parse(f[i], CultureInfo.InvariantCulture);
            var row = new HelioviewerDataRow(
                f[0], f[1], DateTime.SpecifyKind(DateTime.ParseExact(f[2], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), DateTimeKind.Utc),
                f[3] == "NULL" ? null : DateTime.Parse(f[3], CultureInfo.InvariantCulture),
                I(4), F(5), I(6), I(7), F(8), F(9), I(10), F(11), F(12), F(13), F(14), F(15), F(16), F(17), F(18), F(19),
                F(20), F(21), F(22), I(23), I(24), I(25), I(26));
            rows.Add(row.Filename, row);
        }
        return rows;
    }
}
