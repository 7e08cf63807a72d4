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
}

[OptionsValidator]
public sealed partial class PollerOptionsValidator : IValidateOptions<PollerOptions>;
