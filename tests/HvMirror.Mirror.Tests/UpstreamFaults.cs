using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// Middleware in front of a node's <c>/jp2/</c> files: counts the downloads of each file, fails the next N of them with
/// 500, serves other bytes than the catalog's for chosen names, or (<see cref="StartChaos"/>) fails, cuts short and
/// stalls downloads at random.
/// </summary>
public sealed class UpstreamFaults
{
    private int _failNext;
    private int _failed;

    public ConcurrentDictionary<string, int> Jp2Gets { get; } = new(StringComparer.Ordinal);

    /// <summary>Names whose downloads get these bytes instead of the file's.</summary>
    public ConcurrentDictionary<string, byte[]> WrongBodies { get; } = new(StringComparer.Ordinal);

    public int Failed => Volatile.Read(ref _failed);

    public int GetsOf(string name) => Jp2Gets.TryGetValue(name, out var n) ? n : 0;

    public int TotalGets => Jp2Gets.Values.Sum();

    /// <summary>
    /// The next download of <paramref name="name"/> sends the headers and the first half of <paramref name="content"/>,
    /// then hangs until the client goes away: a download caught in the middle. The task completes when it hangs.
    /// </summary>
    public Task StallOnce(string name, byte[] content)
    {
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _stalls[name] = (content, stalled);
        return stalled.Task;
    }

    private readonly ConcurrentDictionary<string, (byte[] Content, TaskCompletionSource Stalled)> _stalls = new(StringComparer.Ordinal);

    private volatile ChaosRates? _chaos;

    /// <summary>From now on each download, at random (seeded), answers 500, or sends half its bytes and then drops the
    /// connection, or sends half and then stalls until the client gives up.</summary>
    public void StartChaos(double fail, double truncate, double stall, int seed) => _chaos = new ChaosRates(fail, truncate, stall, new Random(seed));

    public void StopChaos() => _chaos = null;

    public ConcurrentDictionary<string, int> ChaosInjected { get; } = new(StringComparer.Ordinal);

    private sealed record ChaosRates(double Fail, double Truncate, double Stall, Random Random)
    {
        public string? Draw()
        {
            double draw;
            lock (Random) draw = Random.NextDouble();
            return draw < Fail ? "fail" : draw < Fail + Truncate ? "truncate" : draw < Fail + Truncate + Stall ? "stall" : null;
        }
    }

    /// <summary>The next <paramref name="count"/> file downloads answer 500.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failNext, count);

    private int _infoInFlight;
    private int _mostInfoInFlight;
    private volatile int _holdInfoUntil;

    /// <summary>The most <c>/hapi/info</c> requests this upstream was answering at one time.</summary>
    public int MostInfoInFlight => Volatile.Read(ref _mostInfoInFlight);

    /// <summary>
    /// From now on each <c>/hapi/info</c> request is held until <paramref name="count"/> of them have been in flight at
    /// once (or 10 s have passed): a poller that asks for one dataset's info only after another's answer still gets
    /// every answer, late, and <see cref="MostInfoInFlight"/> shows it never asked for more than one at a time.
    /// </summary>
    public void HoldInfoUntilInFlight(int count) => _holdInfoUntil = count;

    private async Task InfoAsync(HttpContext context, RequestDelegate next)
    {
        var inFlight = Interlocked.Increment(ref _infoInFlight);
        for (var most = MostInfoInFlight; inFlight > most; most = MostInfoInFlight)
            Interlocked.CompareExchange(ref _mostInfoInFlight, inFlight, most);
        try
        {
            var heldSince = DateTime.UtcNow;
            while (MostInfoInFlight < _holdInfoUntil && DateTime.UtcNow - heldSince < TimeSpan.FromSeconds(10))
                await Task.Delay(10, context.RequestAborted);
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _infoInFlight);
        }
    }

    public void Install(WebApplication app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path.Value ?? "";
        if (path.EndsWith("/hapi/info", StringComparison.Ordinal))
        {
            await InfoAsync(context, next);
            return;
        }
        if (!path.StartsWith("/jp2/", StringComparison.Ordinal) || !HttpMethods.IsGet(context.Request.Method))
        {
            await next(context);
            return;
        }
        var name = path[(path.LastIndexOf('/') + 1)..];
        Jp2Gets.AddOrUpdate(name, 1, (_, n) => n + 1);
        if (Interlocked.Decrement(ref _failNext) >= 0)
        {
            Interlocked.Increment(ref _failed);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsync("injected failure\n");
            return;
        }
        if (_chaos?.Draw() is { } fault)
        {
            ChaosInjected.AddOrUpdate(fault, 1, (_, n) => n + 1);
            if (fault == "fail")
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsync("injected failure\n");
                return;
            }
            var body = context.Response.Body;
            context.Response.Body = new CutShortStream(body, () => context.Response.ContentLength, async () =>
            {
                await body.FlushAsync();
                if (fault == "stall")
                {
                    try { await Task.Delay(Timeout.Infinite, context.RequestAborted); }
                    catch (OperationCanceledException) { }
                }
                context.Abort();
            });
            try { await next(context); }
            catch (OperationCanceledException) { }
            return;
        }
        if (_stalls.TryRemove(name, out var stall))
        {
            context.Response.ContentType = "image/jp2";
            context.Response.ContentLength = stall.Content.Length;
            await context.Response.Body.WriteAsync(stall.Content.AsMemory(0, stall.Content.Length / 2));
            await context.Response.Body.FlushAsync();
            stall.Stalled.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, context.RequestAborted); }
            catch (OperationCanceledException) { }
            return;
        }
        if (WrongBodies.TryGetValue(name, out var wrong))
        {
            context.Response.ContentType = "image/jp2";
            context.Response.ContentLength = wrong.Length;
            await context.Response.Body.WriteAsync(wrong);
            return;
        }
        await next(context);
    });
}

/// <summary>A response body that passes on the first half of the declared length, then runs <c>cutOff</c> and writes nothing more.</summary>
internal sealed class CutShortStream(Stream inner, Func<long?> declaredLength, Func<Task> cutOff) : Stream
{
    private long _written;
    private bool _cut;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_cut) throw new OperationCanceledException("the injected fault cut the download short");
        var limit = Math.Max(1, (declaredLength() ?? 2) / 2);
        var take = (int)Math.Min(buffer.Length, Math.Max(0, limit - _written));
        if (take > 0) await inner.WriteAsync(buffer[..take], cancellationToken);
        _written += take;
        if (_written >= limit)
        {
            _cut = true;
            await cutOff();
            throw new OperationCanceledException("the injected fault cut the download short");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();
    public override Task FlushAsync(CancellationToken cancellationToken) => _cut ? Task.CompletedTask : inner.FlushAsync(cancellationToken);
    public override void Flush() { }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
