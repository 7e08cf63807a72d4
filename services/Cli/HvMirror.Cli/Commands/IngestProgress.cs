using System.Diagnostics;
using HvMirror.Ingestion;

namespace HvMirror.Cli.Commands;

/// <summary>Counts outcomes (thread-safe) and prints a progress line now and then, and the summary at the end.</summary>
internal sealed class IngestProgress(TextWriter output, TimeSpan interval)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly long[] _counts = new long[Enum.GetValues<IngestOutcome>().Length];
    private long _bytes;
    private long _lastReportTicks;

    public long Count(IngestOutcome outcome) => Interlocked.Read(ref _counts[(int)outcome]);

    public long Total => _counts.Sum();

    public void Record(IngestResult result)
    {
        Interlocked.Increment(ref _counts[(int)result.Outcome]);
        if (result.Outcome is IngestOutcome.Ingested or IngestOutcome.Updated && result.File is not null)
            Interlocked.Add(ref _bytes, result.File.Size);

        var now = _clock.Elapsed.Ticks;
        var last = Interlocked.Read(ref _lastReportTicks);
        if (now - last >= interval.Ticks && Interlocked.CompareExchange(ref _lastReportTicks, now, last) == last)
            output.WriteLine($"  … {Describe()}");
    }

    public string Describe()
    {
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        return $"{Total:N0} files in {seconds:N1} s ({Total / seconds:N0} files/s, {Interlocked.Read(ref _bytes) / 1e6 / seconds:N1} MB/s written): " +
               $"{Count(IngestOutcome.Ingested):N0} ingested, {Count(IngestOutcome.Updated):N0} updated, " +
               $"{Count(IngestOutcome.Unchanged):N0} unchanged, {Count(IngestOutcome.Rejected):N0} rejected";
    }
}
