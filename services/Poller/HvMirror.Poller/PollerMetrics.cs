using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using HvMirror.Catalog;
using HvMirror.ServiceDefaults;

namespace HvMirror.Poller;

/// <summary>
/// <c>hvmirror_files_announced_total</c>, <c>hvmirror_cursor_age_seconds</c> (now − the upstream ingestion time of the
/// last record announced), per upstream and dataset, and the work list: <c>hvmirror_work_list_files</c>,
/// <c>hvmirror_work_list_failing</c>, <c>hvmirror_work_list_oldest_seconds</c>; the quarantine:
/// <c>hvmirror_records_quarantined_total</c> (records put in quarantine, or kept there for a new reason) and
/// <c>hvmirror_quarantined_records</c> (how many one upstream dataset has in quarantine now).
/// </summary>
internal static class PollerMetrics
{
    public static readonly Counter<long> FilesAnnounced =
        HvMirrorTelemetry.Meter.CreateCounter<long>("hvmirror.files.announced", "{file}", "Upstream records announced by the poller.");

    public static readonly Counter<long> RecordsQuarantined =
        HvMirrorTelemetry.Meter.CreateCounter<long>("hvmirror.records.quarantined", "{record}",
            "Upstream records put in quarantine as unusable (an unknown checksum algorithm, a hostile or foreign name, a bad url), or kept there for a new reason.");

    private static readonly ConcurrentDictionary<(string Upstream, string Dataset), DateTime> Cursors = new();
    private static readonly ConcurrentDictionary<(string Upstream, string Dataset), int> Quarantine = new();

    private static WorkListSummary? _workList;
    private static DateTime _workListAt;

    static PollerMetrics()
    {
        HvMirrorTelemetry.Meter.CreateObservableGauge("hvmirror.work_list.files", () => _workList?.Count ?? 0, "{file}",
            "Files found needed and not registered yet (the work list), as of the last re-drive.");
        HvMirrorTelemetry.Meter.CreateObservableGauge("hvmirror.work_list.failing", () => _workList?.Failing ?? 0, "{file}",
            "Files of the work list whose last fetch failed.");
        HvMirrorTelemetry.Meter.CreateObservableGauge("hvmirror.work_list.oldest", () =>
                _workList?.OldestWantedSince is { } oldest ? (_workListAt - oldest).TotalSeconds : 0, "s",
            "How long the oldest file of the work list has been wanted.");
        HvMirrorTelemetry.Meter.CreateObservableGauge("hvmirror.quarantined_records", ObserveQuarantine, "{record}",
            "Records of an upstream dataset in quarantine (unusable on their own, not fetched), as of its last poll.");
        HvMirrorTelemetry.Meter.CreateObservableGauge("hvmirror.cursor.age", ObserveCursorAges, "s",
            "Now minus the upstream ingestion time of the last record announced, per upstream and dataset.");
    }

    public static void RecordWorkList(WorkListSummary summary, DateTime at)
    {
        _workListAt = at;
        _workList = summary;
    }

    /// <summary>Remembers where the cursor of an upstream dataset stands, for the cursor-age gauge.</summary>
    public static void RecordCursor(string upstream, string dataset, DateTime position) => Cursors[(upstream, dataset)] = position;

    /// <summary>Remembers how many records of an upstream dataset are in quarantine, for the quarantine gauge.</summary>
    public static void RecordQuarantined(string upstream, string dataset, int count) => Quarantine[(upstream, dataset)] = count;

    private static IEnumerable<Measurement<int>> ObserveQuarantine()
    {
        foreach (var ((upstream, dataset), count) in Quarantine)
            yield return new Measurement<int>(count,
                new KeyValuePair<string, object?>("upstream", upstream), new KeyValuePair<string, object?>("dataset", dataset));
    }

    private static IEnumerable<Measurement<double>> ObserveCursorAges()
    {
        var now = DateTime.UtcNow;
        foreach (var ((upstream, dataset), position) in Cursors)
            yield return new Measurement<double>((now - position).TotalSeconds,
                new KeyValuePair<string, object?>("upstream", upstream), new KeyValuePair<string, object?>("dataset", dataset));
    }
}
