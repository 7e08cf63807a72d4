namespace HvMirror.Catalog;

/// <summary>
/// <see cref="DaySummary"/> for a whole observation month (UTC): its files, bytes, and the XOR of its days' digests
/// (which is the XOR over its files). An audit compares months first and looks at the days only of months that differ,
/// so proving 20 years in sync reads 240 rows per source, not 7,300.
/// </summary>
public sealed class MonthSummary
{
    public required string Dataset { get; set; }

    /// <summary>UTC midnight starting the month's first day.</summary>
    public DateTime Month { get; set; }

    /// <summary>How many of the month's days hold files (the day summaries it stands for).</summary>
    public int Days { get; set; }

    public long Files { get; set; }

    public long Bytes { get; set; }

    public required string Digest { get; set; }

    public DateTime UpdatedAt { get; set; }
}
