using MassTransit;
using Microsoft.Extensions.Options;

namespace HvMirror.Fetcher;

/// <summary>
/// Competing consumers on <c>file-needed</c>: each process takes <c>ConcurrentDownloads</c> messages at once. Transient
/// failures retry in-process with growing delays (no delayed-exchange plugin is needed); permanent ones, and the last
/// failed attempt, move the message to <c>file-needed_error</c> with the reason in its fault headers.
/// </summary>
public sealed class FileNeededConsumerDefinition : ConsumerDefinition<FileNeededConsumer>
{
    private readonly FetcherOptions _options;

    public FileNeededConsumerDefinition(IOptions<FetcherOptions> options)
    {
        _options = options.Value;
        ConcurrentMessageLimit = _options.ConcurrentDownloads;
        Endpoint(e => e.PrefetchCount = _options.ConcurrentDownloads);
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<FileNeededConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Exponential(_options.Attempts - 1, _options.RetryDelay, _options.RetryDelay * 30, _options.RetryDelay);
            retry.Ignore<PermanentFetchException>();
        });
    }
}
