using System.Globalization;
using HvMirror.Catalog;

namespace HvMirror.HapiServer.Status;

/// <summary>How a day of a source's calendar reads, shared by the page and the JSON so both say the same thing.</summary>
public enum DayState { Complete, Empty, Incomplete, Unknown }

internal static class StatusFormat
{
    public const string NoAuditMessage = "No audit has run yet: run `hvmirror audit --from URL` or enable the scheduled audit.";

    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Day(DateTime day) => day.ToString("yyyy-MM-dd", Inv);

    public static string Time(DateTime t) => t.ToString("yyyy-MM-dd HH:mm:ss'Z'", Inv);

    public static string Iso(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Inv);

    public static string Percent(double fraction) =>
        // 99.95% of a million files is 500 missing: never round a source with a gap up to 100%.
        fraction >= 1 ? "100%" : Math.Min(Math.Floor(fraction * 1000) / 10, 99.9).ToString("0.0", Inv) + "%";

    public static string Count(long n) => n.ToString("#,0", Inv);

    public static string Duration(TimeSpan span)
    {
        var negative = span < TimeSpan.Zero;
        if (negative) span = span.Negate();
        var text = span.TotalSeconds < 90 ? $"{span.TotalSeconds:0} s"
            : span.TotalMinutes < 90 ? $"{span.TotalMinutes:0} min"
            : span.TotalHours < 48 ? $"{span.TotalHours:0.#} h"
            : span.TotalDays < 365 * 2 ? $"{span.TotalDays:0.#} d"
            : $"{span.TotalDays / 365.25:0.#} y";
        return negative ? "in " + text : text;
    }

    public static (DayState State, string Title) Describe(DateTime day, AuditResult audit, IReadOnlyDictionary<DateTime, AuditDay> days)
    {
        var label = Day(day);
        if (day < audit.FromDay || day >= audit.UntilDay) return (DayState.Unknown, $"{label}: not audited");
        if (!days.TryGetValue(day, out var d)) return (DayState.Empty, $"{label}: no files");
        if (d.WholeMonth) return (DayState.Complete, $"{label}: in a complete month ({Count(d.Expected)} files on {Count(d.Days)} days, all held)");
        if (d.Complete) return (DayState.Complete, $"{label}: all {Count(d.Expected)} held");
        var title = $"{label}: {Count(d.Missing)} of {Count(d.Expected)} missing";
        if (d.Stale > 0) title += $", {Count(d.Stale)} stale";
        if (d.Extra > 0) title += $", {Count(d.Extra)} extra";
        return (DayState.Incomplete, title);
    }

    /// <summary>The share of the day's upstream files missing or stale here: what the red of an incomplete square scales with.</summary>
    public static double Shortfall(AuditDay d) =>
        d.Expected == 0 ? 0 : Math.Clamp((double)(d.Missing + d.Stale) / d.Expected, 0, 1);

    /// <summary>From a pale salmon (a few files short) to a deep red (nothing held).</summary>
    public static string Red(double shortfall)
    {
        var f = Math.Clamp(shortfall, 0, 1);
        int Mix(int from, int to) => (int)Math.Round(from + (to - from) * f);
        return $"#{Mix(0xf8, 0x9c):x2}{Mix(0xc0, 0x0a):x2}{Mix(0xa8, 0x0a):x2}";
    }

    public static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
