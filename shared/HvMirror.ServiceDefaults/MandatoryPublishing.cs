using MassTransit;

namespace HvMirror.ServiceDefaults;

/// <summary>
/// Publishing that fails instead of vanishing. RabbitMQ drops a message no queue is bound for (say the comparers of a
/// fresh deployment have not started yet) and still confirms it; with the mandatory flag it returns the message and
/// the publish faults, so the poller keeps its cursor and the comparer retries its batch.
/// </summary>
public static class MandatoryPublishing
{
    public static Task PublishMandatory<T>(this IPublishEndpoint endpoint, T message, CancellationToken cancellationToken) where T : class =>
        endpoint.Publish(message, context =>
        {
            if (context is RabbitMqSendContext rabbit) rabbit.Mandatory = true;
        }, cancellationToken);
}
