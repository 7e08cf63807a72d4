using System.ComponentModel.DataAnnotations;

namespace HvMirror.ServiceDefaults;

/// <summary>
/// The <c>HvMirror</c> configuration section, shared by every host (environment variables use <c>__</c>:
/// <c>HvMirror__Archive</c>, <c>HvMirror__Upstreams__0__Url</c>, …).
/// </summary>
public sealed class HvMirrorOptions
{
    public const string Section = "HvMirror";

    /// <summary>The archive root; the fetchers and the HAPI server must see the same folder.</summary>
    public string Archive { get; set; } = "./archive";

    /// <summary>The base URL other mirrors reach this node by.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The primaries (or mirrors) this node mirrors from.</summary>
    public List<UpstreamOptions> Upstreams { get; set; } = [];

    public PollerOptions Poller { get; set; } = new();

    public FetcherOptions Fetcher { get; set; } = new();
}

public sealed class UpstreamOptions
{
    /// <summary>A short name for logs, metrics and the catalog (e.g. <c>gsfc</c>).</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>The HAPI base URL, ending in <c>/hapi</c>.</summary>
    [Required]
    public string Url { get; set; } = "";

    /// <summary>Dataset patterns: exact ids (<c>AIA_171</c>) or with <c>*</c> (<c>AIA_*</c>, <c>*</c>). Default: all.</summary>
    public List<string> Datasets { get; set; } = [];

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Other hosts the upstream's file urls may point at (a CDN); its own host is always allowed.</summary>
    public List<string> FileHosts { get; set; } = [];
}

public sealed class PollerOptions
{
    /// <summary>Where a dataset's first poll starts (upstream ingestion time). Default: the dataset's start.</summary>
    public DateTime? BackfillFrom { get; set; }

    /// <summary>How far before its cursor each poll asks again, for records an upstream registers late.</summary>
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest time range asked in one request.</summary>
    public TimeSpan Chunk { get; set; } = TimeSpan.FromDays(1);
}

public sealed class FetcherOptions
{
    /// <summary>Downloads run at once in one fetcher process.</summary>
    public int ConcurrentDownloads { get; set; } = 4;

    /// <summary>Larger files are refused (Helioviewer jp2s are ~1 MB; 0 means no limit).</summary>
    public long MaxFileBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Attempts of one download before the message goes to the error queue.</summary>
    public int Attempts { get; set; } = 5;

    /// <summary>Delay before the first retry; later ones grow (×2, up to 30× this).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Give up a download when no byte arrives for this long.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
