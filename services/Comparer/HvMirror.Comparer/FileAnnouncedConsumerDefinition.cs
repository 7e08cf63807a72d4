using MassTransit;

namespace HvMirror.Comparer;

/// <summary>Batches of up to 500 announcements (or whatever arrived within 200 ms): one catalog query per batch.</summary>
public sealed class FileAnnouncedConsumerDefinition : ConsumerDefinition<FileAnnouncedConsumer>
{
    public const int BatchSize = 500;

    public FileAnnouncedConsumerDefinition()
    {
        Endpoint(e => e.PrefetchCount = BatchSize * 2);
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<FileAnnouncedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(BatchSize)
            .SetTimeLimit(TimeSpan.FromMilliseconds(200))
            .SetConcurrencyLimit(2));
        // A database hiccup should not drop announcements: retry the batch a few times before it faults.
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(100, 500, 2000, 5000));
    }
}
