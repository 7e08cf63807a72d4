using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace HvMirror.Poller;

/// <summary><c>HvMirror:Poller:*</c>, checked when the host starts.</summary>
public sealed class PollerOptions
{
    public const string Section = "HvMirror:Poller";

    /// <summary>Where a dataset's first poll starts (upstream ingestion time). Default: the dataset's start.</summary>
    public DateTime? BackfillFrom { get; set; }

    /// <summary>How far before its cursor each poll asks again, for records an upstream registers late.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest time range asked in one request.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3660.00:00:00")]
    public TimeSpan Chunk { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// A poll waits before announcing more while this many files are asked for and not yet fetched (or, in the embedded
    /// mode, announced and not yet compared): the mirror's memory and queues stay bounded during a backfill.
    /// </summary>
    [Range(100, 10_000_000)]
    public int MaxFilesInFlight { get; set; } = 10_000;

    /// <summary>
    /// A dataset's poll stops after reading this many records; the next poll goes on from the cursor. Bounds one poll
    /// of an answer that never ends (a broken or hostile upstream) while a backfill still proceeds poll after poll.
    /// </summary>
    [Range(1_000, int.MaxValue)]
    public int MaxRecordsPerPoll { get; set; } = 1_000_000;

    /// <summary>
    /// How many of one upstream's datasets are polled at once. Each poll spends most of its time waiting on the
    /// upstream's answers, so a few at once shorten a cycle over a long link without loading the upstream much.
    /// </summary>
    [Range(1, 64)]
    public int ConcurrentDatasets { get; set; } = 4;
}

[OptionsValidator]
public sealed partial class PollerOptionsValidator : IValidateOptions<PollerOptions>;
