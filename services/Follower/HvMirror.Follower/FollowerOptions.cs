using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace HvMirror.Follower;

/// <summary><c>HvMirror:Follower:*</c>, checked when the host starts (the database is <c>HvMirror:Helioviewer:Database</c>).</summary>
public sealed class FollowerOptions
{
    public const string Section = "HvMirror:Follower";

    /// <summary>Time between two reads of <c>data</c> once caught up: how soon a file hvpull ingested is listed over HAPI.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Rows read (and their files hashed) per step; the cursor moves after each step.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Files hashed at once (one per core is about right: hashing is bounded by the disk or the CPU).</summary>
    [Range(1, 256)]
    public int Parallelism { get; set; } = 2;

    /// <summary>First delay before a skipped row (missing file, not a JP2) is tried again; it doubles with each attempt, up to a day.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetrySkippedAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often the followed files are checked for bytes changed under an unchanged row (a reprocessed file copied over
    /// the old one): a file whose size differs from the catalog's or that was written after it was registered is hashed
    /// again, and registered anew (new checksum, new HAPI Time) if its bytes changed. Only a stat per file. Zero: never.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan RehashInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// How often every followed file is hashed again, whatever its size and time say (reads the whole archive). Zero: never.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan FullRehashInterval { get; set; } = TimeSpan.Zero;
}

[OptionsValidator]
public sealed partial class FollowerOptionsValidator : IValidateOptions<FollowerOptions>;
