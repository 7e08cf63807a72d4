using HvMirror.Helioviewer;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.Follower;

/// <summary>
/// The follower running in a host: catches up with <c>data</c>, then reads it again every <c>PollInterval</c>; tries
/// skipped rows when due; re-hashes the followed files every <c>RehashInterval</c> (and every one of them every
/// <c>FullRehashInterval</c>). While Helioviewer's database or the catalog is away it waits, with growing delays, and
/// carries on from its cursor.
/// </summary>
public sealed class FollowerService(HelioviewerFollower follower, IOptions<FollowerOptions> options, TimeProvider time, ILogger<FollowerService> logger)
    : BackgroundService
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        logger.LogInformation("Following Helioviewer's database {Database} from row {Cursor}", follower.Database, await TryCursorAsync(stoppingToken));
        var failures = 0;
        var firstPass = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pass = await follower.CatchUpAsync(p =>
                {
                    if (p.Rows >= settings.BatchSize)
                        logger.LogInformation(
                            "Following {Database}: {Rows} rows ({Added} new, {Replaced} replaced, {Unchanged} unchanged, {Skipped} skipped), " +
                            "{FilesPerSecond:N0} files/s, {MBps:N1} MB/s, about {Remaining} rows left (ETA {Eta})",
                            follower.Database, p.Rows, p.Added, p.Replaced, p.Unchanged, p.Skipped, p.FilesPerSecond, p.MegabytesPerSecond, p.Remaining, p.Eta);
                }, ProgressEvery, stoppingToken);
                if (firstPass)
                {
                    // What the first pass registered it has just hashed: the first re-hash is one interval away.
                    await follower.MarkRehashedAsync(stoppingToken);
                    firstPass = false;
                }
                await follower.RetrySkippedAsync(all: false, stoppingToken);
                var (rehash, fullRehash) = await follower.LastRehashAsync(stoppingToken);
                var now = time.GetUtcNow().UtcDateTime;
                if (settings.FullRehashInterval > TimeSpan.Zero && now - (fullRehash ?? DateTime.MinValue) >= settings.FullRehashInterval)
                    await follower.RehashAsync(full: true, stoppingToken);
                else if (settings.RehashInterval > TimeSpan.Zero && now - (rehash ?? DateTime.MinValue) >= settings.RehashInterval)
                    await follower.RehashAsync(full: false, stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (HelioviewerDatabaseUnavailableException e)
            {
                failures++;
                logger.LogWarning("Helioviewer's database is unavailable; trying again from row {Cursor}: {Reason}", await TryCursorAsync(stoppingToken), e.Message);
            }
            catch (Exception e)
            {
                failures++;
                logger.LogError(e, "Following {Database} failed; trying again from its cursor", follower.Database);
            }

            var delay = failures == 0 ? settings.PollInterval : TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(failures, 6))));
            try { await Task.Delay(delay, time, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    private async Task<string> TryCursorAsync(CancellationToken cancellationToken)
    {
        try { return (await follower.CursorAsync(cancellationToken)).ToString(System.Globalization.CultureInfo.InvariantCulture); }
        catch (Exception) when (!cancellationToken.IsCancellationRequested) { return "(catalog unavailable)"; }
    }
}
