using HvMirror.Contracts;
using HvMirror.Node;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// The embedded sync's view of its files, fed by what the bus publishes (MassTransit's test harness): a sync waiting for
/// its last file is woken when that file arrives or fails, with the file already counted.
/// </summary>
public sealed class SyncTrackerTests : IAsyncLifetime
{
    private static readonly Uri Url = new("http://primary.example/jp2/a.jp2");
    private static readonly DateTime At = new(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc);
    private readonly SyncTracker _tracker = new();
    private ServiceProvider _services = null!;
    private ITestHarness _harness = null!;
    private ConnectHandle _observer = null!;

    public async Task InitializeAsync()
    {
        _services = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider(validateScopes: true);
        _harness = _services.GetRequiredService<ITestHarness>();
        await _harness.Start();
        _observer = _harness.Bus.ConnectPublishObserver(_tracker);
    }

    public async Task DisposeAsync()
    {
        _observer.Disconnect();
        await _harness.Stop();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task The_last_ingested_file_wakes_the_sync_and_is_counted_before_it_wakes()
    {
        await AnnounceAndNeedAsync("a.jp2", FileNeedReason.New);
        await AnnounceAndNeedAsync("b.jp2", FileNeedReason.Changed);

        var emptied = _tracker.NextEmptied;
        await _harness.Bus.Publish(Ingested("a.jp2", 10));
        Assert.False(emptied.IsCompleted);
        Assert.Equal(1, _tracker.Outstanding);

        await _harness.Bus.Publish(Ingested("b.jp2", 20));
        await emptied.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, _tracker.Outstanding);
        Assert.Equal((1, 1, 30), (_tracker.New, _tracker.Changed, _tracker.BytesFetched));
        Assert.False(_tracker.NextEmptied.IsCompleted); // the next wait is for the next time it empties
    }

    [Fact]
    public async Task A_last_file_that_fails_wakes_the_sync_with_its_reason()
    {
        await AnnounceAndNeedAsync("a.jp2", FileNeedReason.New);
        var emptied = _tracker.NextEmptied;

        await _harness.Bus.Publish(new FileFetchFailed("primary", "AIA_171", "a.jp2", "sha256:a.jp2", "HTTP 404", Permanent: true, 1, null));

        await emptied.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, _tracker.Outstanding);
        Assert.Equal("HTTP 404", _tracker.Failures["a.jp2"]);
        Assert.Equal(0, _tracker.New);
    }

    private async Task AnnounceAndNeedAsync(string name, FileNeedReason reason)
    {
        await _harness.Bus.Publish(new FileAnnounced("primary", "AIA_171", name, "sha256:" + name, Url, At));
        await _harness.Bus.Publish(new FileNeeded("primary", "AIA_171", name, "sha256:" + name, Url, At, reason, HeldChecksum: null));
    }

    private static FileIngested Ingested(string name, long size) =>
        new("primary", "AIA_171", name, "sha256:" + name, "AIA/2024/12/31/171/" + name, size, At, At, FileNeedReason.New);
}
