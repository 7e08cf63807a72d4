using HvMirror.Upstreams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.Poller;

/// <summary>Polls every configured upstream on its own interval until the host stops.</summary>
public sealed class PollerService(UpstreamPoller poller, IOptions<UpstreamsOptions> options, TimeProvider time, ILogger<PollerService> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var upstreams = options.Value.Upstreams;
        if (upstreams.Count == 0)
        {
            logger.LogWarning("No upstreams configured (HvMirror:Upstreams:0:Name / :Url): the poller has nothing to do");
            return Task.CompletedTask;
        }
        return Task.WhenAll(upstreams.Select(u => PollForeverAsync(u, stoppingToken)));
    }

    private async Task PollForeverAsync(UpstreamOptions upstream, CancellationToken stoppingToken)
    {
        logger.LogInformation("Polling {Upstream} at {Url} every {Interval} for datasets {Datasets}",
            upstream.Name, upstream.Url, upstream.PollInterval, upstream.Datasets.Count == 0 ? "*" : string.Join(",", upstream.Datasets));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await poller.PollAsync(upstream, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A broker or catalog outage: log it and try again next interval; the cursor has not moved.
                logger.LogError(e, "Polling {Upstream} failed; retrying in {Interval}", upstream.Name, upstream.PollInterval);
            }
            try { await Task.Delay(upstream.PollInterval, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
