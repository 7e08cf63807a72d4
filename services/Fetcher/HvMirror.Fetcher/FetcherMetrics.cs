using System.Diagnostics.Metrics;
using HvMirror.ServiceDefaults;

namespace HvMirror.Fetcher;

/// <summary>
/// <c>hvmirror_files_ingested_total</c>, <c>hvmirror_files_failed_total</c>, <c>hvmirror_bytes_fetched_total</c>,
/// <c>hvmirror_download_duration_seconds</c> and <c>hvmirror_mirror_lag_seconds</c> (registration here − ingestion upstream).
/// </summary>
internal static class FetcherMetrics
{
    public static readonly Counter<long> FilesIngested =
        HvMirrorTelemetry.Meter.CreateCounter<long>("hvmirror.files.ingested", "{file}", "Files fetched, verified and registered.");

    public static readonly Counter<long> FilesFailed =
        HvMirrorTelemetry.Meter.CreateCounter<long>("hvmirror.files.failed", "{file}", "Fetch attempts that failed (transient ones are retried).");

    public static readonly Counter<long> BytesFetched =
        HvMirrorTelemetry.Meter.CreateCounter<long>("hvmirror.bytes.fetched", "{byte}", "Bytes downloaded from upstreams.");

    public static readonly Histogram<double> DownloadDuration =
        HvMirrorTelemetry.Meter.CreateHistogram<double>("hvmirror.download.duration", "s", "Time to download and verify one file.");

    public static readonly Histogram<double> MirrorLag =
        HvMirrorTelemetry.Meter.CreateHistogram<double>("hvmirror.mirror.lag", "s", "Registration time here minus ingestion time on the upstream.");
}
