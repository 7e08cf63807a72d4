using System.Text;
using HvMirror.Testing;
using MassTransit;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace HvMirror.Infrastructure.Tests;

public sealed class RabbitMqBrokerTests(RabbitMqBroker broker) : IClassFixture<RabbitMqBroker>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_message_published_in_a_created_virtual_host_is_consumed_over_amqp()
    {
        var virtualHost = await broker.CreateVirtualHostAsync();
        await using var connection = await new ConnectionFactory { Uri = virtualHost }.CreateConnectionAsync();
        await using var channel = await OpenConfirmingChannelAsync(connection);
        await channel.QueueDeclareAsync("infra-roundtrip", durable: true, exclusive: false, autoDelete: false);

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            received.TrySetResult(Encoding.UTF8.GetString(delivery.Body.Span));
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync("infra-roundtrip", autoAck: false, consumer);
        await channel.BasicPublishAsync("", "infra-roundtrip", mandatory: true, new BasicProperties { Persistent = true },
            Encoding.UTF8.GetBytes("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2"));

        Assert.Equal("2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2", await received.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task Queue_depth_counts_ready_and_unacknowledged_messages()
    {
        var virtualHost = await broker.CreateVirtualHostAsync();
        await using var connection = await new ConnectionFactory { Uri = virtualHost }.CreateConnectionAsync();
        await using var channel = await OpenConfirmingChannelAsync(connection);
        await channel.QueueDeclareAsync("infra-depth", durable: true, exclusive: false, autoDelete: false);
        for (var i = 0; i < 3; i++)
        {
            await channel.BasicPublishAsync("", "infra-depth", Encoding.UTF8.GetBytes($"message {i}"));
        }
        await WaitForDepthAsync(virtualHost, "infra-depth", 3);

        var taken = await channel.BasicGetAsync("infra-depth", autoAck: false);   // now 2 ready + 1 unacked
        Assert.NotNull(taken);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(3, await broker.GetQueueDepthAsync(virtualHost, "infra-depth"));

        await channel.BasicAckAsync(taken.DeliveryTag, multiple: false);
        await WaitForDepthAsync(virtualHost, "infra-depth", 2);
    }

    [Fact]
    public async Task Virtual_hosts_are_isolated_from_each_other()
    {
        var first = await broker.CreateVirtualHostAsync();
        var second = await broker.CreateVirtualHostAsync();
        Assert.NotEqual(RabbitMqBroker.VirtualHostOf(first), RabbitMqBroker.VirtualHostOf(second));

        await using (var connection = await new ConnectionFactory { Uri = first }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync("infra-isolated", durable: true, exclusive: false, autoDelete: false);
        }
        await using (var connection = await new ConnectionFactory { Uri = second }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.QueueDeclarePassiveAsync("infra-isolated"));
        }
        await Assert.ThrowsAsync<InvalidOperationException>(() => broker.GetQueueDepthAsync(second, "infra-isolated"));
    }

    public sealed record InfrastructurePing(string Text);

    [Fact]
    public async Task A_masstransit_bus_round_trips_a_message_through_a_created_virtual_host()
    {
        var virtualHost = await broker.CreateVirtualHostAsync();
        var userInfo = virtualHost.UserInfo.Split(':');
        var received = new TaskCompletionSource<InfrastructurePing>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri($"rabbitmq://{virtualHost.Host}:{virtualHost.Port}{virtualHost.AbsolutePath}"), h =>
            {
                h.Username(Uri.UnescapeDataString(userInfo[0]));
                h.Password(Uri.UnescapeDataString(userInfo[1]));
            });
            cfg.ReceiveEndpoint("infrastructure-ping", e => e.Handler<InfrastructurePing>(context =>
            {
                received.TrySetResult(context.Message);
                return Task.CompletedTask;
            }));
        });

        await bus.StartAsync(new CancellationTokenSource(Patience).Token);
        try
        {
            await bus.Publish(new InfrastructurePing("hello"));
            Assert.Equal("hello", (await received.Task.WaitAsync(Patience)).Text);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private static Task<IChannel> OpenConfirmingChannelAsync(IConnection connection) =>
        connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

    private async Task WaitForDepthAsync(Uri virtualHost, string queue, long expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        long depth;
        while ((depth = await broker.GetQueueDepthAsync(virtualHost, queue)) != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.Equal(expected, depth);
    }
}
