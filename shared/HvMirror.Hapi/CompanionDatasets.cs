namespace HvMirror.Hapi;

/// <summary>
/// The three HAPI datasets a HvMirror node serves beside each file dataset <c>X</c>, for audits:
/// <list type="bullet">
/// <item><c>X.months</c>: the same per observation month (<c>Time</c> = its first day's midnight; the digest is the
/// XOR of its days' digests), so that proving years in sync reads a row per month.</item>
/// <item><c>X.days</c>: one record per observation day (UTC) that holds files — <c>Time</c> (the day's midnight),
/// <c>files</c>, <c>bytes</c> and <c>digest</c> (XOR of SHA-256(name + "\n" + checksum) over the day's files, hex).</item>
/// <item><c>X.observed</c>: the files by observation time — <c>Time</c> (observation time), <c>name</c>,
/// <c>checksum</c>, <c>url</c>, <c>size</c>, <c>ingested</c> (the file dataset's Time of the file).</item>
/// </list>
/// Pollers and verifiers skip them: they are views of <c>X</c>, not files of their own.
/// </summary>
public static class CompanionDatasets
{
    public const string MonthsSuffix = ".months";

    public const string DaysSuffix = ".days";

    public const string ObservedSuffix = ".observed";

    public static string MonthsOf(string dataset) => dataset + MonthsSuffix;

    public static string DaysOf(string dataset) => dataset + DaysSuffix;

    public static string ObservedOf(string dataset) => dataset + ObservedSuffix;

    public static IReadOnlyList<string> Suffixes { get; } = [MonthsSuffix, DaysSuffix, ObservedSuffix];

    public static bool IsCompanion(string id) => SuffixOf(id) is not null;

    /// <summary>The companion suffix <paramref name="id"/> ends with, or null for a file dataset.</summary>
    public static string? SuffixOf(string id) => Suffixes.FirstOrDefault(suffix => id.EndsWith(suffix, StringComparison.Ordinal));

    /// <summary>The file dataset <paramref name="id"/> is a companion of, or null when it is not a companion.</summary>
    public static string? FileDatasetOf(string id) => SuffixOf(id) is { } suffix ? id[..^suffix.Length] : null;
}
