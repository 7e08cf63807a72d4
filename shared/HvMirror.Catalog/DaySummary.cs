namespace HvMirror.Catalog;

/// <summary>
/// What this node holds of one dataset on one observation day (UTC): how many files, how many bytes, and a digest of
/// the (name, checksum) pairs. Kept in the same transaction as every registration, so it never drifts from the files;
/// a primary publishes these over HAPI and a mirror compares them with its own to find the days that differ.
/// </summary>
public sealed class DaySummary
{
    public required string Dataset { get; set; }

    /// <summary>UTC midnight starting the observation day.</summary>
    public DateTime Day { get; set; }

    public long Files { get; set; }

    public long Bytes { get; set; }

    /// <summary>See <see cref="DaySummaries.Digest"/>: 64 lowercase hex digits; all zeros for an empty day.</summary>
    public required string Digest { get; set; }

    /// <summary>When a registration last changed this day.</summary>
    public DateTime UpdatedAt { get; set; }
}
