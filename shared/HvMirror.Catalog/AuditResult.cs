using System.Globalization;
using System.Text;

namespace HvMirror.Catalog;

/// <summary>
/// The last audit of one upstream dataset against this node (table <c>audit_results</c>): what the upstream's day
/// summaries and this node's agreed on, day by day. Written by <c>hvmirror audit</c> and the scheduled audit; read by
/// the metrics and the <c>/status</c> page.
/// </summary>
public sealed class AuditResult
{
    public required string Upstream { get; set; }

    public required string Dataset { get; set; }

    public DateTime CheckedAt { get; set; }

    /// <summary>First day audited (UTC midnight).</summary>
    public DateTime FromDay { get; set; }

    /// <summary>Day after the last day audited (UTC midnight).</summary>
    public DateTime UntilDay { get; set; }

    /// <summary>Files the upstream holds in the range.</summary>
    public long Expected { get; set; }

    /// <summary>Of those, held here with the same checksum.</summary>
    public long InSync { get; set; }

    public long Missing { get; set; }

    public long Stale { get; set; }

    /// <summary>Held here, not upstream.</summary>
    public long Extra { get; set; }

    public int DaysComplete { get; set; }

    public int DaysIncomplete { get; set; }

    /// <summary>The earliest day with a missing or stale file, if any.</summary>
    public DateTime? OldestMissingDay { get; set; }

    /// <summary>Every day that holds files on either side, encoded by <see cref="AuditDays"/>.</summary>
    public required string Days { get; set; }

    /// <summary>Why the audit could not run this time (the rest are then from the last audit that did).</summary>
    public string? Error { get; set; }

    /// <summary>In-sync fraction of the upstream's files, 1 when the upstream holds none.</summary>
    public double Completeness => Expected == 0 ? 1 : (double)InSync / Expected;
}

/// <summary>
/// One audited day: the upstream's file count, and what of it this node lacks, holds stale, or holds beyond it. A whole
/// month whose summaries agree is one entry (<paramref name="WholeMonth"/>, <paramref name="Day"/> its first day,
/// <paramref name="Days"/> how many of its days hold files): complete, its days not looked at one by one.
/// </summary>
public sealed record AuditDay(DateTime Day, long Expected, long Missing, long Stale, long Extra, int Days = 1, bool WholeMonth = false)
{
    public bool Complete => Missing == 0 && Stale == 0 && Extra == 0;

    /// <summary>Fraction of the upstream's files of the day held here with their bytes.</summary>
    public double Completeness => Expected == 0 ? (Extra == 0 ? 1 : 0) : (double)(Expected - Missing - Stale) / Expected;
}

/// <summary>
/// The compact form <see cref="AuditResult.Days"/> keeps a range's days in: one line per day,
/// <c>yyyyMMdd expected missing stale extra</c>, or per complete month, <c>yyyyMM expected 0 0 0 days</c> (about
/// 20 bytes a line: 20 years of one source in at most ~150 KB).
/// </summary>
public static class AuditDays
{
    public static string Encode(IEnumerable<AuditDay> days)
    {
        var text = new StringBuilder();
        foreach (var d in days)
        {
            if (d.WholeMonth) text.Append(CultureInfo.InvariantCulture, $"{d.Day:yyyyMM} {d.Expected} 0 0 0 {d.Days}\n");
            else text.Append(CultureInfo.InvariantCulture, $"{d.Day:yyyyMMdd} {d.Expected} {d.Missing} {d.Stale} {d.Extra}\n");
        }
        return text.ToString();
    }

    public static IReadOnlyList<AuditDay> Decode(string encoded)
    {
        var days = new List<AuditDay>();
        foreach (var line in encoded.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ');
            var month = f[0].Length == 6;
            days.Add(new AuditDay(
                DateTime.SpecifyKind(DateTime.ParseExact(f[0], month ? "yyyyMM" : "yyyyMMdd", CultureInfo.InvariantCulture), DateTimeKind.Utc),
                long.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture),
                long.Parse(f[3], CultureInfo.InvariantCulture), long.Parse(f[4], CultureInfo.InvariantCulture),
                month ? int.Parse(f[5], CultureInfo.InvariantCulture) : 1, month));
        }
        return days;
    }
}
