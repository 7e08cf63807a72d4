using HvMirror.Contracts;
using HvMirror.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace HvMirror.Mirror.Tests;

/// <summary>Each poll re-reads an overlap window for late records, without announcing again what it already announced.</summary>
[Collection(MirrorCollection.Name)]
public sealed class PollOverlapTests(PostgresServer postgres, RabbitMqBroker rabbit, ITestOutputHelper output)
    : MirrorTestBase(postgres, rabbit, output)
{
    [Fact]
    public async Task Polls_within_the_overlap_window_announce_only_records_not_announced_before()
    {
        var primary = await StartPrimaryAsync();
        await primary.IngestAsync(Samples(10));
        var mirror = await StartMirrorAsync("mirror", [primary]);
        var announced = new AnnouncementCounter();
        mirror.Services.GetRequiredService<IBus>().ConnectPublishObserver(announced);

        await mirror.PollAsync();
        await ConvergedAsync(primary, mirror, PrimaryName);
        var first = announced.Take();
        await mirror.PollAsync();
        var second = announced.Take();
        await primary.IngestAsync(Samples(2));
        await mirror.PollAsync();
        var third = announced.Take();

        Assert.Equal(10, first);
        Assert.Equal(0, second);
        Assert.Equal(2, third);
        await ConvergedAsync(primary, mirror, PrimaryName);
    }

    private sealed class AnnouncementCounter : IPublishObserver
    {
        private int _count;

        public int Take() => Interlocked.Exchange(ref _count, 0);

        public Task PostPublish<T>(PublishContext<T> context) where T : class
        {
            if (context.Message is FileAnnounced) Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }

        public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }
}

/// <summary>A poller that starts before any comparer on a fresh broker loses nothing.</summary>
[Collection(MirrorCollection.Name)]
public sealed class PollerBeforeComparerTests(PostgresServer postgres, RabbitMqBroker rabbit, ITestOutputHelper output)
    : MirrorTestBase(postgres, rabbit, output)
{
    [Fact]
    public async Task A_poll_with_no_comparer_bound_keeps_its_cursor_and_the_files_arrive_once_one_runs()
    {
        var primary = await StartPrimaryAsync();
        await primary.IngestAsync(Samples(6, ["AIA_171"]));
        var vhost = await Rabbit.CreateVirtualHostAsync();
        var catalog = await Postgres.CreateDatabaseAsync("early");
        var archive = Path.Combine(Root, "early");
        var poller = await StartMirrorAsync("poller", [primary], comparer: false, fetcher: false, vhost: vhost, catalog: catalog, archive: archive);

        var early = await poller.PollAsync();

        Assert.Contains(early, r => r.Error?.Contains("no comparer has started", StringComparison.Ordinal) == true);
        Assert.Null(await poller.CursorAsync(PrimaryName, "AIA_171"));

        var workers = await StartMirrorAsync("workers", [primary], poller: false, vhost: vhost, catalog: catalog, archive: archive);
        await poller.PollAsync();
        await ConvergedAsync(primary, workers, PrimaryName);
    }
}
