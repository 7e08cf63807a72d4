using System.Diagnostics;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Contracts;
using HvMirror.Ingestion;
using HvMirror.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;

namespace HvMirror.Fetcher;

/// <summary>
/// Fetches one needed file: checks the record against this node's rules, skips it if the catalog already holds these
/// bytes, downloads it to a staging file while hashing, verifies size, checksum and JPEG 2000 structure, moves it into place
/// atomically, registers it and publishes <see cref="FileIngested"/>. Partial or wrong bytes are never visible.
/// </summary>
public sealed class FileNeededConsumer(
    UpstreamDirectory upstreams,
    DataSources sources,
    FileRegistry registry,
    FileDownloader downloader,
    ArchiveIngester ingester,
    FetchGate gate,
    WorkList workList,
    IOptions<FetcherOptions> options,
    ILogger<FileNeededConsumer> logger) : IConsumer<FileNeeded>
{
    public async Task Consume(ConsumeContext<FileNeeded> context)
    {
        var needed = context.Message;
        using var activity = HvMirrorTelemetry.Source.StartActivity($"fetch {needed.Dataset}");
        activity?.SetTag("hvmirror.file", needed.Name);
        activity?.SetTag("hvmirror.reason", needed.Reason.ToString());
        var tags = new TagList { { "upstream", needed.Upstream }, { "dataset", needed.Dataset } };
        try
        {
            await FetchAsync(context, needed, activity, tags);
        }
        catch (Exception e) when (e is TransientFetchException or PermanentFetchException)
        {
            var permanent = e is PermanentFetchException;
            tags.Add("kind", permanent ? "permanent" : "transient");
            FetcherMetrics.FilesFailed.Add(1, tags);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            if (!permanent && context.GetRetryAttempt() + 1 < options.Value.Attempts)
                throw; // retried in this process, with growing delays
            await GiveUpForNowAsync(context, needed, e.Message, permanent);
        }
    }

    /// <summary>
    /// The file stays on the work list with the reason and is asked for again later (minutes, then hours); the message
    /// is done. Should the catalog itself be down, the exception goes up and the message to the error queue.
    /// </summary>
    private async Task GiveUpForNowAsync(ConsumeContext<FileNeeded> context, FileNeeded needed, string error, bool permanent)
    {
        var entry = await workList.FailAsync(needed.Name, needed.Checksum, error, context.CancellationToken);
        if (entry is null)
        {
            // Other bytes are wanted by now (reprocessed again upstream) or these are held: this request is moot.
            logger.LogInformation("{Name} from {Upstream}: a request for superseded bytes {Checksum} failed ({Reason}); nothing is lost",
                needed.Name, needed.Upstream, needed.Checksum, error);
            return;
        }
        await context.Publish(new FileFetchFailed(needed.Upstream, needed.Dataset, needed.Name, needed.Checksum, error, permanent,
            entry.Attempts, entry.NextAttemptAt), context.CancellationToken);
        logger.LogWarning("{Name} from {Upstream}/{Dataset} not fetched ({Kind}): {Reason}. It stays on the work list{Next}",
            needed.Name, needed.Upstream, needed.Dataset, permanent ? "permanent" : "transient", error,
            $" (attempt {entry.Attempts}); asked for again at {entry.NextAttemptAt:u}");
    }

    private async Task FetchAsync(ConsumeContext<FileNeeded> context, FileNeeded needed, Activity? activity, TagList tags)
    {
        var (expected, name, dataset, archivePath) = Validate(needed);

        // A duplicate of a message being fetched right now waits here, then finds the file held.
        using var fetching = await gate.EnterAsync(needed.Name, context.CancellationToken);
        var held = await registry.FindAsync(needed.Name, context.CancellationToken);
        if (held?.Checksum == needed.Checksum)
        {
            logger.LogDebug("{Name} is already held with checksum {Checksum}; nothing to fetch", needed.Name, needed.Checksum);
            await workList.CompleteAsync(needed.Name, needed.Checksum, context.CancellationToken);
            return;
        }

        var clock = Stopwatch.StartNew();
        using var staged = await downloader.DownloadAsync(needed.Upstream, needed.Url, context.CancellationToken);
        FetcherMetrics.BytesFetched.Add(staged.Size, tags);
        if (staged.Checksum != expected)
            throw new TransientFetchException(
                $"checksum mismatch for {needed.Name}: the upstream says {expected}, the {staged.Size:N0} bytes downloaded hash to {staged.Checksum}");

        var registration = await ingester.RegisterAsync(
            staged, name, dataset, archivePath, needed.Upstream, needed.UpstreamIngestedAt, context.CancellationToken)
            ?? throw new PermanentFetchException(
                $"{needed.Name} from {needed.Upstream} has the announced checksum, but its bytes are refused: {staged.Jp2Problem}; the upstream holds a bad file: ask its operator to replace it");

        if (registration.Outcome == RegistrationOutcome.Unchanged)
        {
            // Registered meanwhile by another fetch: the registration left the work list as it was.
            await workList.CompleteAsync(needed.Name, needed.Checksum, context.CancellationToken);
            return;
        }
        var file = registration.File;
        FetcherMetrics.DownloadDuration.Record(clock.Elapsed.TotalSeconds, tags);
        FetcherMetrics.MirrorLag.Record((file.IngestedAt - needed.UpstreamIngestedAt).TotalSeconds, tags);
        tags.Add("reason", needed.Reason.ToString());
        FetcherMetrics.FilesIngested.Add(1, tags);
        activity?.SetTag("hvmirror.archive_path", file.ArchivePath);
        await context.Publish(new FileIngested(needed.Upstream, file.Dataset, file.Name, file.Checksum, file.ArchivePath, file.Size,
            file.IngestedAt, needed.UpstreamIngestedAt, needed.Reason), context.CancellationToken);
        logger.LogInformation("{Reason} file {Name} ({Size:N0} bytes) from {Upstream} registered at {ArchivePath}",
            needed.Reason, file.Name, file.Size, needed.Upstream, file.ArchivePath);
    }

    private (Checksum Expected, FileNameInfo Name, DataSource Dataset, string ArchivePath) Validate(FileNeeded needed)
    {
        var upstream = upstreams.Find(needed.Upstream)
            ?? throw new PermanentFetchException($"upstream '{needed.Upstream}' is not configured on this node (HvMirror:Upstreams)");
        if (upstreams.RefuseUrl(upstream, needed.Url) is { } urlProblem)
            throw new PermanentFetchException($"{needed.Name} from {needed.Upstream}: {urlProblem}");
        if (!Checksum.TryParse(needed.Checksum, out var expected, out var checksumProblem))
            throw new PermanentFetchException($"{needed.Name} from {needed.Upstream}: {checksumProblem}");
        if (!sources.TryGet(needed.Dataset, out var dataset))
            throw new PermanentFetchException($"{needed.Name} from {needed.Upstream}: dataset '{needed.Dataset}' is not a known Helioviewer source");
        if (!HelioviewerFileName.TryParse(needed.Name, sources, out var name, out var nameProblem))
            throw new PermanentFetchException($"{needed.Upstream}/{needed.Dataset}: {nameProblem}");
        if (!name.AgreesWith(dataset))
            throw new PermanentFetchException(
                $"{needed.Name} from {needed.Upstream}: the name belongs to {name.Source?.Name ?? "another source"}, not to dataset {dataset.Name}");
        return (expected, name, dataset, ArchivePath.For(dataset, name));
    }
}
