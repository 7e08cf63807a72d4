using System.Diagnostics;
using HvMirror.Archive;

namespace HvMirror.Fetcher;

/// <summary>
/// A read-only stream that fails a download that drips: fewer bytes per second than the minimum rate, averaged over
/// each rate window, would hold a download slot for as long as the upstream likes even though bytes keep coming. (A
/// download that stops altogether is <see cref="IdleTimeoutStream"/>'s to catch.)
/// </summary>
internal sealed class MinimumRateStream(Stream inner, long minimumBytesPerSecond, TimeSpan rateWindow) : ReadOnlyStreamWrapper(inner)
{
    private long _windowStart = Stopwatch.GetTimestamp();
    private long _windowBytes;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken);
        if (read > 0)
            CheckRate(read);
        return read;
    }

    private void CheckRate(int read)
    {
        if (minimumBytesPerSecond == 0)
            return;
        _windowBytes += read;
        var elapsed = Stopwatch.GetElapsedTime(_windowStart);
        if (elapsed < rateWindow)
            return;
        var rate = _windowBytes / elapsed.TotalSeconds;
        if (rate < minimumBytesPerSecond)
            throw new TransientFetchException(
                $"the download is too slow: {rate:N0} bytes/s over the last {elapsed.TotalSeconds:0.#} s, less than HvMirror:Fetcher:MinimumRate " +
                $"({minimumBytesPerSecond:N0} bytes/s); it is retried. If the upstream is never faster, lower MinimumRate (0 turns the check off) " +
                "or lengthen HvMirror:Fetcher:MinimumRateWindow");
        _windowStart = Stopwatch.GetTimestamp();
        _windowBytes = 0;
    }
}
