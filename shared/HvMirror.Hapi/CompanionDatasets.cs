namespace HvMirror.Hapi;

/// <summary>
/// The two HAPI datasets a HvMirror node serves beside each file dataset <c>X</c>, for audits:
/// <list type="bullet">
/// <item><c>X.days</c>: one record per observation day (UTC) that holds files — <c>Time</c> (the day's midnight),
/// <c>files</c>, <c>bytes</c> and <c>digest</c> (XOR of SHA-256(name + "\n" + checksum) over the day's files, hex).</item>
/// <item><c>X.observed</c>: the files by observation time — <c>Time</c> (observation time), <c>name</c>,
/// <c>checksum</c>, <c>url</c>, <c>size</c>, <c>ingested</c> (the file dataset's Time of the file).</item>
/// </list>
/// Pollers and verifiers skip them: they are views of <c>X</c>, not files of their own.
/// </summary>
public static class CompanionDatasets
{
    public const string DaysSuffix = ".days";

    public const string ObservedSuffix = ".observed";

    public static string DaysOf(string dataset) => dataset + DaysSuffix;

    public static string ObservedOf(string dataset) => dataset + ObservedSuffix;

    public static bool IsCompanion(string id) =>
        id.EndsWith(DaysSuffix, StringComparison.Ordinal) || id.EndsWith(ObservedSuffix, StringComparison.Ordinal);

    /// <summary>The file dataset <paramref name="id"/> is a companion of, or null when it is not a companion.</summary>
    public static string? FileDatasetOf(string id) =>
        id.EndsWith(DaysSuffix, StringComparison.Ordinal) ? id[..^DaysSuffix.Length]
        : id.EndsWith(ObservedSuffix, StringComparison.Ordinal) ? id[..^ObservedSuffix.Length]
        : null;
}
