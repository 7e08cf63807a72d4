using System.ComponentModel.DataAnnotations;
using HvMirror.Ingestion;
using Microsoft.Extensions.Options;

namespace HvMirror.Fetcher;

/// <summary><c>HvMirror:Fetcher:*</c>, checked when the host starts.</summary>
public sealed class FetcherOptions
{
    public const string Section = "HvMirror:Fetcher";

    /// <summary>
    /// Downloads run at once in one fetcher process. 16 because a download holds its connection for a round trip before
    /// its first byte: over a 100 ms link at 10 MB/s per connection, 4 capped a fetcher at ~20 files/s of 1 MB and 16
    /// lifts that to ~80, about what one process verifies and registers on two cores (benchmarks/long-link).
    /// </summary>
    [Range(1, 4096)]
    public int ConcurrentDownloads { get; set; } = DefaultConcurrentDownloads;

    public const int DefaultConcurrentDownloads = 16;

    /// <summary>Larger files are refused (Helioviewer jp2s are ~1 MB; 0 means no limit).</summary>
    [Range(0, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Attempts of one download before the message goes to the error queue.</summary>
    [Range(1, 100)]
    public int Attempts { get; set; } = 5;

    /// <summary>Delay before the first retry; later ones grow (×2, up to 30× this).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Give up a download when no byte (nor the answer's headers) arrives for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Give up a download whose bytes arrive slower than this (bytes per second, averaged over each
    /// <see cref="MinimumRateWindow"/>), so that a drip cannot hold a download slot for an hour; 0 turns the check off.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MinimumRate { get; set; } = 4096;

    /// <summary>How long the rate is averaged over; the first window is also the grace a download gets to speed up.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MinimumRateWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A partial file in the staging folder that no process holds and nobody wrote to for this long was left by a
    /// fetcher that died mid-download, and is removed (at start, then every so often). Longer than any pause of a live
    /// download: its lock is the real test, the age the safeguard where locks do not reach (some network filesystems).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan AbandonedPartialFileAfter { get; set; } = FileStager.DefaultAbandonedAfter;
}

[OptionsValidator]
public sealed partial class FetcherOptionsValidator : IValidateOptions<FetcherOptions>;
