using HvMirror.Testing;

namespace HvMirror.Mirror.Tests;

/// <summary>The queues a node declares on RabbitMQ, as the production overlay's cluster needs them.</summary>
[Collection(MirrorCollection.Name)]
public sealed class QueueDeclarationTests(PostgresServer postgres, RabbitMqBroker rabbit, ITestOutputHelper output)
    : MirrorTestBase(postgres, rabbit, output)
{
    [Fact]
    public async Task Queues_are_quorum_queues_when_configured_and_classic_otherwise()
    {
        var primary = await StartPrimaryAsync();
        var quorum = await StartMirrorAsync("quorum", [primary], poller: false, settings: new() { ["HvMirror:Messaging:QuorumQueues"] = "true" });
        var classic = await StartMirrorAsync("classic", [primary], poller: false);

        Assert.Equal("quorum", await Rabbit.GetQueueTypeAsync(quorum.Spec.RabbitMq!, "file-needed"));
        Assert.Equal("quorum", await Rabbit.GetQueueTypeAsync(quorum.Spec.RabbitMq!, "file-announced"));
        Assert.Equal("classic", await Rabbit.GetQueueTypeAsync(classic.Spec.RabbitMq!, "file-needed"));
    }
}
