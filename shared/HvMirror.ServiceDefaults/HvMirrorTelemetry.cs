using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HvMirror.ServiceDefaults;

/// <summary>
/// The one activity source and meter HvMirror's code reports on; <see cref="ServiceDefaultsExtensions.AddServiceDefaults"/>
/// exports both. Each role defines its own instruments on <see cref="Meter"/> (<c>PollerMetrics</c>, <c>FetcherMetrics</c>, …).
/// </summary>
public static class HvMirrorTelemetry
{
    public const string Name = "HvMirror";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);
}
