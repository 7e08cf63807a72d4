using HvMirror.Helioviewer;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HvMirror.HelioviewerWriter;

/// <summary>
/// Batches of up to 100 files (or what arrived within 500 ms), one batch at a time per process: one row write and one
/// recount of each touched coverage bin per batch. While Helioviewer's database is down or overloaded
/// (<see cref="HelioviewerDatabaseUnavailableException"/>) the batch is retried in this process with growing delays
/// (<c>RetryDelay</c>, doubling up to <c>MaxRetryDelay</c>, <c>RetryLimit</c> attempts): the broker needs no
/// delayed-exchange plugin, the batch's messages stay unacknowledged in the queue, and the ones behind them wait there
/// too. Any other failure goes to <c>helioviewer-writer_error</c> after a few quick retries.
/// </summary>
public sealed class HelioviewerWriterConsumerDefinition : ConsumerDefinition<HelioviewerWriterConsumer>
{
    public const int BatchSize = 100;

    private readonly HelioviewerOptions _options;

    public HelioviewerWriterConsumerDefinition(IOptions<HelioviewerOptions> options)
    {
        _options = options.Value;
        Endpoint(e => e.PrefetchCount = BatchSize * 2);
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<HelioviewerWriterConsumer> consumerConfigurator, IRegistrationContext context)
    {
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(BatchSize)
            .SetTimeLimit(TimeSpan.FromMilliseconds(500))
            .SetConcurrencyLimit(1));
        // Outer: anything unexpected gets a few quick tries. Inner (closer to the consumer): the database being away is
        // waited out, however long it takes, up to the limit.
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Ignore<HelioviewerDatabaseUnavailableException>();
            retry.Intervals(200, 1000, 5000);
        });
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<HelioviewerDatabaseUnavailableException>();
            retry.Exponential(_options.RetryLimit, _options.RetryDelay, _options.MaxRetryDelay, _options.RetryDelay);
        });
    }
}
