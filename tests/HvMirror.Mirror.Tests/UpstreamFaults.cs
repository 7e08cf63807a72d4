using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// Middleware in front of a node's <c>/jp2/</c> files: counts the downloads of each file, fails the next N of them with
/// 500, or serves other bytes than the catalog's for chosen names.
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

    /// <summary>The next <paramref name="count"/> file downloads answer 500.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failNext, count);

    public void Install(WebApplication app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path.Value ?? "";
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
