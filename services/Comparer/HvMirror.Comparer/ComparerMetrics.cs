using System.Diagnostics.Metrics;
using HvMirror.ServiceDefaults;

namespace HvMirror.Comparer;

/// <summary><c>hvmirror_files_needed_total</c>, per upstream, dataset and reason.</summary>
internal static class ComparerMetrics
{
    public static readonly Counter<long> FilesNeeded =
        HvMirrorTelemetry.Meter.CreateCounter<long>("hvmirror.files.needed", "{file}", "Announced files the comparer found new or changed.");
}
