using HvMirror.Ingestion;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HvMirror.Fetcher;

/// <summary>
/// Removes the partial downloads of fetchers that died (SIGKILL, a lost node) from the staging folder this fetcher
/// shares with the others: at start and then every <see cref="FetcherOptions.AbandonedPartialFileAfter"/>, so that a
/// fetcher that has nothing to download still cleans up after the dead.
/// </summary>
internal sealed class PartialFileSweeper(FileStager stager, IOptions<FetcherOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var after = options.Value.AbandonedPartialFileAfter;
        do
        {
            try
            {
                stager.RemoveAbandoned(after);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The archive volume is unreachable: the downloads fail and say so; the sweep tries again later.
            }
        }
        while (await WaitAsync(after, stoppingToken));
    }

    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
