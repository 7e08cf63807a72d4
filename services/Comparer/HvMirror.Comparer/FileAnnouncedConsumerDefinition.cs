using MassTransit;

namespace HvMirror.Comparer;

/// <summary>
/// Batches of up to 500 announcements (or whatever arrived within 50 ms of the first): one catalog query per batch. A
/// poll's answer arrives as one burst, so a short wait still makes whole batches; the 200 ms it was before held every
/// sync smaller than a batch (a poll of a few hundred changes) for 200 ms before anything was fetched.
/// </summary>
public sealed class FileAnnouncedConsumerDefinition : ConsumerDefinition<FileAnnouncedConsumer>
{
    public const int BatchSize = 500;

    /// <summary>How long a batch waits, from its first announcement, for more.</summary>
    private static readonly TimeSpan BatchTimeLimit = TimeSpan.FromMilliseconds(50);

    /// <summary>Attempts of a batch before it faults to <c>file-announced_error</c>.</summary>
    public const int RetryLimit = 200;

    public FileAnnouncedConsumerDefinition()
    {
        Endpoint(e => e.PrefetchCount = BatchSize * 2);
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<FileAnnouncedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(BatchSize)
            .SetTimeLimit(BatchTimeLimit)
            .SetConcurrencyLimit(2));
        // The poller's cursor has moved past these records: a batch that faulted would be lost to the error queue until an
        // operator moved it. So a catalog outage (PostgreSQL restarted, failed over, down for an hour) is waited out here,
        // the messages held unacknowledged, with delays growing to a minute: about three hours in all.
        endpointConfigurator.UseMessageRetry(retry => retry.Exponential(RetryLimit, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1),
            TimeSpan.FromMilliseconds(500)));
    }
}
