using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace HvMirror.Catalog;

/// <summary><c>HvMirror:WorkList:*</c>: when files that were not fetched are asked for again. Checked when the host starts.</summary>
public sealed class WorkListOptions
{
    public const string Section = "HvMirror:WorkList";

    /// <summary>Delay after the first failed attempt; each later one waits four times longer, up to <see cref="MaxRetry"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan FirstRetry { get; set; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:00:00.100", "7.00:00:00")]
    public TimeSpan MaxRetry { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a request may be queued or downloading before it is presumed lost and asked for again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan InFlightGrace { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the poller asks again for the files whose retry is due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan RedriveInterval { get; set; } = TimeSpan.FromMinutes(1);
}

[OptionsValidator]
public sealed partial class WorkListOptionsValidator : IValidateOptions<WorkListOptions>;
