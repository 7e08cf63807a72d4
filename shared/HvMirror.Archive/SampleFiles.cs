using System.Globalization;
using System.Text.RegularExpressions;

namespace HvMirror.Archive;

/// <summary>A generated jp2 file: a real JP2 under a real Helioviewer name.</summary>
public sealed record SampleFile(string Name, DataSource Source, DateTime ObservedAt, byte[] Content);

/// <summary>
/// Generates sample archives for the demo, tests and benchmarks: Helioviewer names across several sources (built from
/// each source's example file name, so they parse back to that source) holding real, decodable JP2 bytes.
/// </summary>
public static partial class SampleFiles
{
    /// <summary>Sources whose names follow the standard date-first family, across several observatories.</summary>
    public static IReadOnlyList<string> DefaultDatasets { get; } =
        ["AIA_171", "AIA_304", "HMI_MAG", "LASCO_C2", "EUVI_A_195", "SUVI_131", "GONG_H_ALPHA"];

    /// <summary>
    /// <paramref name="count"/> files spread round-robin over <paramref name="datasets"/>, one every
    /// <paramref name="cadence"/> from <paramref name="start"/>; <paramref name="variant"/> changes the bytes (a
    /// "reprocessed" file is the same name with another variant).
    /// </summary>
    public static IEnumerable<SampleFile> Generate(
        DataSources sources, IReadOnlyList<string> datasets, int count, DateTime start, TimeSpan cadence, int? sizeBytes = null, string variant = "v1")
    {
        var resolved = datasets.Select(d => sources.TryGet(d, out var s) ? s
            : throw new ArgumentException($"Unknown dataset '{d}': use a Helioviewer source name such as AIA_171.")).ToArray();
        if (resolved.Length == 0) throw new ArgumentException("At least one dataset is needed.");
        for (var i = 0; i < count; i++)
        {
            var source = resolved[i % resolved.Length];
            var observed = start + cadence * i;
            yield return Create(sources, source, observed, sizeBytes, variant);
        }
    }

    public static SampleFile Create(DataSources sources, DataSource source, DateTime observedAt, int? sizeBytes = null, string variant = "v1")
    {
        var name = NameFor(sources, source, observedAt);
        return new SampleFile(name, source, observedAt, SampleJp2.Create($"{name} {variant}", sizeBytes));
    }

    /// <summary>The Helioviewer name <paramref name="source"/> gives a file observed at <paramref name="observedAt"/>.</summary>
    public static string NameFor(DataSources sources, DataSource source, DateTime observedAt)
    {
        var match = source.ExampleFile is null ? null : StandardName().Match(source.ExampleFile);
        if (match is null || !match.Success)
            throw new ArgumentException($"{source.Name} has no example file of the standard family (YYYY_MM_DD__HH_MM_SS[_mmm]__…); pick another dataset.");
        var hasMilliseconds = match.Groups["ms"].Success;
        var date = observedAt.ToString(hasMilliseconds ? "yyyy_MM_dd__HH_mm_ss_fff" : "yyyy_MM_dd__HH_mm_ss", CultureInfo.InvariantCulture);
        var name = $"{date}__{match.Groups["tokens"].Value}";
        var parsed = HelioviewerFileName.Parse(name, sources);
        if (parsed.Source != source)
            throw new InvalidOperationException($"Generated name {name} parses to {parsed.Source?.Name ?? "no source"}, not {source.Name}.");
        return name;
    }

    [GeneratedRegex(@"^\d{4}_\d{2}_\d{2}__\d{2}_\d{2}_\d{2}(?<ms>_\d{2,3})?__(?<tokens>.+\.jp2)$")]
    private static partial Regex StandardName();
}
