using HvMirror.Catalog;
using HvMirror.Upstreams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.Poller;

/// <summary>Polls every configured upstream on its own interval until the host stops.</summary>
public sealed class PollerService(
    UpstreamPoller poller, WorkListRedriver redriver, IOptions<UpstreamsOptions> options, IOptions<WorkListOptions> workList, TimeProvider time, ILogger<PollerService> logger)
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
        return Task.WhenAll(upstreams.Select(u => PollForeverAsync(u, stoppingToken)).Append(RedriveForeverAsync(stoppingToken)));
    }

    /// <summary>Every <see cref="WorkListOptions.RedriveInterval"/>, asks again for the work list's files whose retry is due (failed fetches, lost requests).</summary>
    private async Task RedriveForeverAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redriver.RedriveAsync(everything: false, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError("Asking again for the work list's due files failed ({Problem}); trying again at the next interval", e.Message);
            }
            try { await Task.Delay(workList.Value.RedriveInterval, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task PollForeverAsync(UpstreamOptions upstream, CancellationToken stoppingToken)
    {
        logger.LogInformation("Polling {Upstream} at {Url} every {Interval} for datasets {Datasets}",
            upstream.Name, upstream.Url, upstream.PollInterval, upstream.Datasets.Count == 0 ? "*" : string.Join(",", upstream.Datasets));
        while (!stoppingToken.IsCancellationRequested)
        {
            var moreToRead = false;
            try
            {
                // A backfill longer than one poll's MaxRecordsPerPoll goes on at once, not an interval later.
                moreToRead = (await poller.PollAsync(upstream, stoppingToken)).Any(p => p.MoreToRead);
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
            if (moreToRead) continue;
            try { await Task.Delay(upstream.PollInterval, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
