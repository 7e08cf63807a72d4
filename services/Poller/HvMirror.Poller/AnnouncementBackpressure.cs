using HvMirror.Catalog;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.Poller;

/// <summary>
/// Keeps the poller from reading an upstream faster than the mirror takes the work: before each batch of announcements
/// it waits while the fetchers' backlog (files on the work list asked for and not yet fetched) or, in the embedded
/// mode, the announcements not yet compared reach <see cref="PollerOptions.MaxFilesInFlight"/>. Memory and queues stay
/// bounded however long an upstream's answer is; the answer itself is read as a stream, paused meanwhile.
/// </summary>
public sealed class AnnouncementBackpressure(
    WorkList workList, InFlightAnnouncements announcements, IOptions<PollerOptions> options, TimeProvider time, ILogger<AnnouncementBackpressure> logger)
{
    private static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(30);

    /// <summary>How often a poll has waited for room (for tests and the logs).</summary>
    public long Waits => Interlocked.Read(ref _waits);

    private long _waits;

    public async Task WaitForRoomAsync(string upstream, string dataset, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxFilesInFlight;
        var started = time.GetTimestamp();
        var reported = started;
        var waited = false;
        while (true)
        {
            var compared = announcements.Count;
            var fetching = compared < limit ? await workList.CountInFlightAsync(cancellationToken) : 0;
            if (compared < limit && fetching < limit)
                break;
            if (!waited)
            {
                waited = true;
                Interlocked.Increment(ref _waits);
            }
            if (time.GetElapsedTime(reported) >= ReportEvery)
            {
                reported = time.GetTimestamp();
                logger.LogInformation("Polling {Upstream}/{Dataset} waits for the mirror to catch up: {Announced:N0} announcements to compare, " +
                                      "{Fetching:N0} files to fetch (HvMirror:Poller:MaxFilesInFlight {Limit:N0}); waiting {Waited:0} s",
                    upstream, dataset, compared, fetching, limit, time.GetElapsedTime(started).TotalSeconds);
            }
            await Task.Delay(Recheck, time, cancellationToken);
        }
    }
}
