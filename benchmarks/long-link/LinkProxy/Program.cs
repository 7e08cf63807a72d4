// linkproxy: a TCP proxy on loopback that behaves like a long link (benchmarks/long-link/README.md).
//
//   linkproxy --listen [HOST:]PORT --target [HOST:]PORT [--delay-ms 50] [--rate-mbps 10] [--total-mbps N]
//
// Each accepted connection gets its own upstream connection. Each direction of each connection is
//   * capped at --rate-mbps megabytes (10^6 bytes) per second: a token bucket (64 KB deep) per connection per direction;
//   * optionally also under a cap over all connections and directions together (--total-mbps, or $TOTAL_MBPS; default none);
//   * delayed by --delay-ms (one way, so the round trip is twice that): a delay line, bytes read at t are written at
//     t + delay (after the rate limiter has let them through), while later bytes keep flowing behind them, so the delay
//     costs latency, not throughput.
// A reader does not read ahead of its rate limiter, so the sender sees TCP back-pressure as it would on a slow link,
// and each direction holds at most about rate x delay bytes (500 KB at 10 MB/s and 50 ms) in flight.
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;

var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: linkproxy --listen [HOST:]PORT --target [HOST:]PORT [--delay-ms 50] [--rate-mbps 10] [--total-mbps N (or $TOTAL_MBPS; default: no total cap)]");
    return 2;
}

var total = options.TotalMBps > 0 ? new Limiter(options.TotalMBps * 1e6) : null;
var listener = new Socket(options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
listener.Bind(options.Listen);
listener.Listen(512);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"linkproxy: {options.Listen} -> {options.Target}, {options.DelayMs} ms each way, {options.RateMBps} MB/s per connection per direction, " +
    $"total cap {(total is null ? "none" : options.TotalMBps + " MB/s")}"));

using var stop = new CancellationTokenSource();
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
long connections = 0;
try
{
    while (!stop.IsCancellationRequested)
    {
        var client = await listener.AcceptAsync(stop.Token);
        Interlocked.Increment(ref connections);
        _ = Connection.RunAsync(client, options, total);
    }
}
catch (OperationCanceledException) { }
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"linkproxy: {connections} connections, {Connection.BytesUp / 1e6:F1} MB up, {Connection.BytesDown / 1e6:F1} MB down, {Connection.Chunks} chunks"));
return 0;

internal sealed record Options(IPEndPoint Listen, IPEndPoint Target, double DelayMs, double RateMBps, double TotalMBps)
{
    public static Options? Parse(string[] args)
    {
        IPEndPoint? listen = null, target = null;
        double delay = 50, rate = 10;
        var totalText = Environment.GetEnvironmentVariable("TOTAL_MBPS");
        double totalCap = string.IsNullOrEmpty(totalText) ? 0 : double.Parse(totalText, CultureInfo.InvariantCulture);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            if (value is null) return null;
            switch (args[i])
            {
                case "--listen": listen = Endpoint(value); break;
                case "--target": target = Endpoint(value); break;
                case "--delay-ms": delay = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--rate-mbps": rate = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--total-mbps": totalCap = double.Parse(value, CultureInfo.InvariantCulture); break;
                default: return null;
            }
            i++;
        }
        return listen is null || target is null || delay < 0 || rate <= 0 ? null : new Options(listen, target, delay, rate, totalCap);
    }

    private static IPEndPoint Endpoint(string text) =>
        text.Contains(':') ? IPEndPoint.Parse(text) : new IPEndPoint(IPAddress.Loopback, int.Parse(text, CultureInfo.InvariantCulture));
}

/// <summary>
/// A token bucket as a virtual clock: bytes leave it one after another at the rate, never earlier than now minus the
/// bucket's depth (64 KB at the rate): so an idle stream may send one 64 KB burst, and a reader that wakes up late
/// does not lose throughput.
/// </summary>
internal sealed class Limiter(double bytesPerSecond)
{
    private readonly double _ticksPerByte = Stopwatch.Frequency / bytesPerSecond;
    private readonly long _depth = (long)(Connection.ChunkBytes * (Stopwatch.Frequency / bytesPerSecond));
    private static readonly long Late = Stopwatch.Frequency / 20;
    private long _next;

    /// <summary>
    /// Reserves n bytes; returns the timestamp at which the last of them has left. <paramref name="backlogged"/>: the
    /// bytes were waiting while the reader slept for the previous ones, so a reader that woke up late (a busy machine)
    /// has not left the link idle, and its lateness (up to 50 ms) is made up rather than lost.
    /// </summary>
    public long Reserve(int n, long now, bool backlogged)
    {
        lock (this)
        {
            var start = Math.Max(_next, now - (backlogged ? Late : _depth));
            _next = start + (long)(n * _ticksPerByte);
            return Math.Max(_next, now); // a full bucket lets bytes through at once, never before they came
        }
    }
}

internal static class Connection
{
    public const int ChunkBytes = 64 * 1024;
    public static long BytesUp, BytesDown, Chunks;

    private readonly record struct Chunk(byte[]? Buffer, int Length, long Due); // Buffer null: end of stream

    public static async Task RunAsync(Socket client, Options options, Limiter? total)
    {
        using var _ = client;
        using var upstream = new Socket(options.Target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            client.NoDelay = true;
            upstream.NoDelay = true;
            // The connection itself crosses the link too: SYN there and back.
            await Task.Delay(TimeSpan.FromMilliseconds(options.DelayMs));
            await upstream.ConnectAsync(options.Target);
            await Task.Delay(TimeSpan.FromMilliseconds(options.DelayMs));
        }
        catch (Exception)
        {
            return; // the client sees its connection closed
        }
        using var failed = new CancellationTokenSource();
        var rate = options.RateMBps * 1e6;
        var up = PumpAsync(client, upstream, new Limiter(rate), total, options.DelayMs, failed, up: true);
        var down = PumpAsync(upstream, client, new Limiter(rate), total, options.DelayMs, failed, up: false);
        await Task.WhenAll(up, down);
    }

    /// <summary>One direction: a reader paced by the limiters, a delay line, a writer.</summary>
    private static async Task PumpAsync(Socket from, Socket to, Limiter limiter, Limiter? total, double delayMs, CancellationTokenSource failed, bool up)
    {
        var delay = (long)(delayMs * Stopwatch.Frequency / 1000);
        var line = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(4096) { SingleReader = true, SingleWriter = true });
        var writer = WriteAsync(to, line.Reader, failed, up);
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                int n;
                bool backlogged;
                try
                {
                    var receive = from.ReceiveAsync(buffer.AsMemory(0, ChunkBytes), SocketFlags.None, failed.Token);
                    backlogged = receive.IsCompleted; // the bytes were there already
                    n = await receive;
                }
                catch { ArrayPool<byte>.Shared.Return(buffer); throw; }
                if (n == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    await line.Writer.WriteAsync(new Chunk(null, 0, Stopwatch.GetTimestamp() + delay), failed.Token);
                    break;
                }
                var now = Stopwatch.GetTimestamp();
                var leaves = limiter.Reserve(n, now, backlogged);
                if (total is not null) leaves = Math.Max(leaves, total.Reserve(n, now, backlogged));
                await line.Writer.WriteAsync(new Chunk(buffer, n, leaves + delay), failed.Token);
                // Read no further until these bytes are through the limiter, as a sender on a slow link waits.
                await SleepUntil(leaves, failed.Token);
            }
        }
        catch (Exception)
        {
            failed.Cancel(); // a reset or a failure on either side ends both directions
        }
        finally
        {
            line.Writer.TryComplete();
        }
        await writer;
    }

    private static async Task WriteAsync(Socket to, ChannelReader<Chunk> line, CancellationTokenSource failed, bool up)
    {
        try
        {
            await foreach (var chunk in line.ReadAllAsync(failed.Token))
            {
                await SleepUntil(chunk.Due, failed.Token);
                if (chunk.Buffer is null)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                try
                {
                    var sent = 0;
                    while (sent < chunk.Length)
                        sent += await to.SendAsync(chunk.Buffer.AsMemory(sent, chunk.Length - sent), SocketFlags.None, failed.Token);
                }
                finally { ArrayPool<byte>.Shared.Return(chunk.Buffer); }
                if (up) Interlocked.Add(ref BytesUp, chunk.Length); else Interlocked.Add(ref BytesDown, chunk.Length);
                Interlocked.Increment(ref Chunks);
            }
        }
        catch (Exception)
        {
            failed.Cancel();
        }
        finally
        {
            while (line.TryRead(out var left)) if (left.Buffer is not null) ArrayPool<byte>.Shared.Return(left.Buffer);
        }
    }

    private static Task SleepUntil(long timestamp, CancellationToken ct)
    {
        var wait = timestamp - Stopwatch.GetTimestamp();
        return wait <= Stopwatch.Frequency / 2000 ? Task.CompletedTask : Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
    }
}
