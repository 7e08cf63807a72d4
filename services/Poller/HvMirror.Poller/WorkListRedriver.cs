using HvMirror.Catalog;
using HvMirror.Contracts;
using HvMirror.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace HvMirror.Poller;

/// <summary>
/// Asks again for the files on the work list: those whose retry is due (each poll round of the poller), or every one
/// (<c>hvmirror mirror --once</c>, whose in-memory queues of an earlier run are gone). A file asked twice is fetched
/// once: the fetcher checks the catalog first.
/// </summary>
public sealed class WorkListRedriver(WorkList workList, IBus bus, TimeProvider time, ILogger<WorkListRedriver> logger)
{
    private const int Page = 500;

    public async Task<int> RedriveAsync(bool everything, CancellationToken cancellationToken)
    {
        var dueBy = everything ? DateTime.MaxValue : time.GetUtcNow().UtcDateTime;
        var asked = 0;
        string? after = null;
        while (true)
        {
            var (due, next) = await workList.TakeDueAsync(Page, dueBy, after, cancellationToken);
            await Task.WhenAll(due.Select(w => bus.PublishMandatory(new FileNeeded(w.Upstream, w.Dataset, w.Name, w.Checksum, new Uri(w.Url),
                w.UpstreamIngestedAt, Enum.Parse<FileNeedReason>(w.Reason), w.HeldChecksum), cancellationToken)));
            asked += due.Count;
            if (next is null) break;
            after = next;
        }
        if (asked > 0)
            logger.LogInformation("Asked again for {Count} files of the work list ({Which})", asked, everything ? "all of it" : "those due");
        PollerMetrics.RecordWorkList(await workList.SummarizeAsync(cancellationToken), time.GetUtcNow().UtcDateTime);
        return asked;
    }
}
