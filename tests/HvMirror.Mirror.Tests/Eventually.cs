using System.Diagnostics;

namespace HvMirror.Mirror.Tests;

/// <summary>Waits for a condition by checking it again and again, never by sleeping a fixed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Returns once <paramref name="condition"/> holds; fails with <paramref name="describe"/>'s last state after the timeout.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, Func<Task<string>> describe, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (await condition()) return;
            if (watch.Elapsed > limit)
                Assert.Fail($"Not reached within {limit.TotalSeconds:0} s: {await describe()}");
            await Task.Delay(200);
        }
    }

    public static Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        HoldsAsync(condition, () => Task.FromResult(what), timeout);
}
