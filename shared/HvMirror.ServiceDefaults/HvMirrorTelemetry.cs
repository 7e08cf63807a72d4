using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HvMirror.ServiceDefaults;

/// <summary>
/// HvMirror's own traces and metrics. Prometheus names (what dashboards and alerts use):
/// <c>hvmirror_files_announced_total</c>, <c>hvmirror_files_needed_total</c>, <c>hvmirror_files_ingested_total</c>,
/// <c>hvmirror_files_failed_total</c>, <c>hvmirror_bytes_fetched_total</c>, <c>hvmirror_download_duration_seconds</c>,
/// <c>hvmirror_mirror_lag_seconds</c> (registration here − ingestion upstream) and <c>hvmirror_cursor_age_seconds</c>
/// (now − the last upstream record announced, per upstream and dataset).
/// </summary>
public static class HvMirrorTelemetry
{
    public const string Name = "HvMirror";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> FilesAnnounced =
        Meter.CreateCounter<long>("hvmirror.files.announced", "{file}", "Upstream records announced by the poller.");

    public static readonly Counter<long> FilesNeeded =
        Meter.CreateCounter<long>("hvmirror.files.needed", "{file}", "Announced files the comparer found new or changed.");

    public static readonly Counter<long> FilesIngested =
        Meter.CreateCounter<long>("hvmirror.files.ingested", "{file}", "Files fetched, verified and registered.");

    public static readonly Counter<long> FilesFailed =
        Meter.CreateCounter<long>("hvmirror.files.failed", "{file}", "Fetch attempts that failed (transient ones are retried).");

    public static readonly Counter<long> BytesFetched =
        Meter.CreateCounter<long>("hvmirror.bytes.fetched", "{byte}", "Bytes downloaded from upstreams.");

    public static readonly Histogram<double> DownloadDuration =
        Meter.CreateHistogram<double>("hvmirror.download.duration", "s", "Time to download and verify one file.");

    public static readonly Histogram<double> MirrorLag =
        Meter.CreateHistogram<double>("hvmirror.mirror.lag", "s", "Registration time here minus ingestion time on the upstream.");

    private static readonly ConcurrentDictionary<(string Upstream, string Dataset), DateTime> Cursors = new();

    static HvMirrorTelemetry()
    {
        Meter.CreateObservableGauge("hvmirror.cursor.age", ObserveCursorAges, "s",
            "Now minus the upstream ingestion time of the last record announced, per upstream and dataset.");
    }

    /// <summary>Remembers where the poller's cursor of an upstream dataset stands, for the cursor-age gauge.</summary>
    public static void RecordCursor(string upstream, string dataset, DateTime position) => Cursors[(upstream, dataset)] = position;

    private static IEnumerable<Measurement<double>> ObserveCursorAges()
    {
        var now = DateTime.UtcNow;
        foreach (var ((upstream, dataset), position) in Cursors)
            yield return new Measurement<double>((now - position).TotalSeconds,
                new KeyValuePair<string, object?>("upstream", upstream), new KeyValuePair<string, object?>("dataset", dataset));
    }
}
