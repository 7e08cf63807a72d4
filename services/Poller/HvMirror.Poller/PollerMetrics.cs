using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using HvMirror.ServiceDefaults;

namespace HvMirror.Poller;

/// <summary>
/// <c>hvmirror_files_announced_total</c> and <c>hvmirror_cursor_age_seconds</c> (now − the upstream ingestion time of the
/// last record announced), per upstream and dataset.
/// </summary>
internal static class PollerMetrics
{
    public static readonly Counter<long> FilesAnnounced =
        HvMirrorTelemetry.Meter.CreateCounter<long>("hvmirror.files.announced", "{file}", "Upstream records announced by the poller.");

    private static readonly ConcurrentDictionary<(string Upstream, string Dataset), DateTime> Cursors = new();

    static PollerMetrics()
    {
        HvMirrorTelemetry.Meter.CreateObservableGauge("hvmirror.cursor.age", ObserveCursorAges, "s",
            "Now minus the upstream ingestion time of the last record announced, per upstream and dataset.");
    }

    /// <summary>Remembers where the cursor of an upstream dataset stands, for the cursor-age gauge.</summary>
    public static void RecordCursor(string upstream, string dataset, DateTime position) => Cursors[(upstream, dataset)] = position;

    private static IEnumerable<Measurement<double>> ObserveCursorAges()
    {
        var now = DateTime.UtcNow;
        foreach (var ((upstream, dataset), position) in Cursors)
            yield return new Measurement<double>((now - position).TotalSeconds,
                new KeyValuePair<string, object?>("upstream", upstream), new KeyValuePair<string, object?>("dataset", dataset));
    }
}
