using System.Collections.Concurrent;
using HvMirror.Catalog;
using HvMirror.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace HvMirror.Node;

/// <summary>
/// Follows one sync in the embedded mode, from the messages it sees published: every announced file is outstanding
/// until the catalog holds it with the announced checksum, or its fetch failed for good; a file asked for
/// (<see cref="FileNeeded"/>) and then held counts as new or replaced.
/// </summary>
public sealed class SyncTracker : IPublishObserver
{
    private readonly ConcurrentDictionary<string, string> _outstanding = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FileNeedReason> _needed = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _unchecked = new();
    private long _announced;
    private long _new;
    private long _changed;
    private long _bytes;
    private long _writerFaulted;
    private TaskCompletionSource _emptied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Announced => Interlocked.Read(ref _announced);
    public long New => Interlocked.Read(ref _new);
    public long Changed => Interlocked.Read(ref _changed);
    public long BytesFetched => Interlocked.Read(ref _bytes);
    public int Outstanding => _outstanding.Count;

    /// <summary>
    /// Completes the next time the last outstanding file settles or fails: a sync ends when its last file arrives, not
    /// at the next turn of a polling loop. Take it before checking <see cref="Outstanding"/>, so that no settle in between is missed.
    /// </summary>
    public Task NextEmptied => Volatile.Read(ref _emptied).Task;

    /// <summary>Files whose Helioviewer row the in-process writer gave up on.</summary>
    public long WriterFaulted => Interlocked.Read(ref _writerFaulted);
    /// <summary>The failed files with their reasons: the first <see cref="MaxFailuresListed"/> (all are counted).</summary>
    public IReadOnlyDictionary<string, string> Failures => _failures;

    public long FailureCount => Interlocked.Read(ref _failureCount);

    /// <summary>A sync against a broken upstream may fail millions of files: their names are not all kept.</summary>
    public const int MaxFailuresListed = 1_000;

    private long _failureCount;

    public Task PostPublish<T>(PublishContext<T> context) where T : class
    {
        switch (context.Message)
        {
            case FileAnnounced announced:
                Interlocked.Increment(ref _announced);
                _outstanding[announced.Name] = announced.Checksum;
                _unchecked.Enqueue(announced.Name);
                break;
            case FileNeeded needed:
                // Asked again from the work list (or found needed in this sync): outstanding until held or failed.
                if (_outstanding.TryAdd(needed.Name, needed.Checksum)) _unchecked.Enqueue(needed.Name);
                _needed[needed.Name] = needed.Reason;
                break;
            case FileIngested ingested:
                // Published once the catalog holds it, so as good as reading the catalog, without the query.
                Settle(ingested.Name, ingested.Checksum, ingested.Size);
                break;
            case FileFetchFailed failed:
                Fail(failed.Name, failed.Error + (failed.NextAttemptAt is { } next ? $" (attempt {failed.Attempts}; stays on the work list, due again {next:u})" : ""));
                break;
            case Fault<FileNeeded> fault:
                Fail(fault.Message.Name, fault.Exceptions.FirstOrDefault()?.Message ?? "unknown error");
                break;
            case Fault<Batch<FileIngested>> fault:
                // The Helioviewer writer gave up on a batch (its retries are over): the files are here, their rows are not.
                Interlocked.Add(ref _writerFaulted, fault.Message.Length);
                foreach (var ingested in fault.Message)
                    Record(ingested.Message.Name, "writing its row into Helioviewer's database failed: " + (fault.Exceptions.FirstOrDefault()?.Message ?? "unknown error"));
                break;
            case Fault<Batch<FileAnnounced>> fault:
                foreach (var announced in fault.Message)
                    Fail(announced.Message.Name, "comparing with the catalog failed: " + (fault.Exceptions.FirstOrDefault()?.Message ?? "unknown error"));
                break;
        }
        return Task.CompletedTask;
    }

    public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    /// <summary>
    /// Removes from the outstanding set what the catalog now holds with the announced checksum. Files fetched here
    /// settle from their <see cref="FileIngested"/>; the catalog is read for the names announced since the last call
    /// (most are already held: the comparer found them in sync), and with <paramref name="everything"/> for every
    /// outstanding name (a file the fetcher found already held publishes nothing).
    /// </summary>
    public async Task SettleFromCatalogAsync(CatalogDbContextFactory contexts, bool everything, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        while (_unchecked.TryDequeue(out var name)) names.Add(name);
        IEnumerable<string> toRead = everything ? _outstanding.Keys : names.Where(_outstanding.ContainsKey);
        foreach (var chunk in toRead.Chunk(500))
        {
            await using var db = contexts.CreateDbContext();
            var held = await db.Files.AsNoTracking().Where(f => chunk.Contains(f.Name))
                .Select(f => new { f.Name, f.Checksum, f.Size }).ToListAsync(cancellationToken);
            foreach (var file in held) Settle(file.Name, file.Checksum, file.Size);
        }
    }

    private void Settle(string name, string checksum, long size)
    {
        if (!_outstanding.TryGetValue(name, out var wanted) || wanted != checksum) return;
        if (!_outstanding.TryRemove(name, out _)) return;
        // Counted when the catalog holds it, before anyone waiting for the last file is woken.
        if (_needed.TryRemove(name, out var reason))
        {
            Interlocked.Increment(ref reason == FileNeedReason.New ? ref _new : ref _changed);
            Interlocked.Add(ref _bytes, size);
        }
        SignalIfEmpty();
    }

    private void Fail(string name, string reason)
    {
        Record(name, reason);
        if (_outstanding.TryRemove(name, out _)) SignalIfEmpty();
    }

    private void SignalIfEmpty()
    {
        if (!_outstanding.IsEmpty) return;
        Interlocked.Exchange(ref _emptied, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private void Record(string name, string reason)
    {
        if (_failures.ContainsKey(name)) { _failures[name] = reason; return; }
        Interlocked.Increment(ref _failureCount);
        if (_failures.Count < MaxFailuresListed) _failures[name] = reason;
    }
}

