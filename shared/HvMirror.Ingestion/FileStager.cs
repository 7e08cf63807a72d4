using System.Buffers;
using System.Security.Cryptography;
using HvMirror.Archive;
using Microsoft.Extensions.Logging;

namespace HvMirror.Ingestion;

/// <summary>
/// Streams bytes into the staging folder while hashing them (one pass, constant memory), then checks their JP2 box
/// structure by reading box headers back. A staged file stays locked by its process until it is moved into the archive
/// or deleted, so the partial files of a killed process are told apart from those of the live fetchers sharing the
/// archive volume (<see cref="RemoveAbandoned"/>).
/// </summary>
public sealed class FileStager(ArchiveLocation archive, ILogger<FileStager>? logger = null)
{
    public const string PartialFileExtension = ".part";

    /// <summary>
    /// How long an unlocked partial file must have been untouched before it counts as abandoned, unless told otherwise.
    /// The lock is the real test; the age covers the instant between a file's creation and its lock, and filesystems
    /// where locks do not reach another machine or .NET's file locking is off (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>):
    /// a live download writes far more often than this.
    /// </summary>
    public static readonly TimeSpan DefaultAbandonedAfter = TimeSpan.FromMinutes(10);

    private const int BufferSize = 128 * 1024;

    private int _abandonedRemoved;

    /// <summary>Copies <paramref name="content"/> to a new temporary file. Stops with <see cref="FileTooLargeException"/> past <paramref name="maxBytes"/>.</summary>
    public async Task<StagedFile> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _abandonedRemoved, 1) == 0) RemoveAbandoned(DefaultAbandonedAfter);
        // Every time: the first stage of a fresh archive creates the folder, and a parallel one may get here first.
        Directory.CreateDirectory(archive.StagingFolder);
        var path = Path.Combine(archive.StagingFolder, Guid.NewGuid().ToString("N") + PartialFileExtension);
        // FileShare.None takes an exclusive advisory lock (flock) that lasts as long as the stream is open.
        var target = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous);
        try
        {
            var (size, checksum) = await CopyHashingAsync(content, target, maxBytes, cancellationToken);
            await target.FlushAsync(cancellationToken);
            return new StagedFile(path, size, checksum, Jp2ProblemOf(target), lockedBy: target);
        }
        catch
        {
            await target.DisposeAsync();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// Deletes the partial files no live process holds: those left by a fetcher that was killed, or a machine that lost
    /// power, mid-download. Runs once per stager before its first download (and on a fetcher's schedule); safe beside other fetchers on the same
    /// volume, which hold locks on theirs. Returns how many were removed.
    /// </summary>
    /// <param name="untouchedFor">How long an unlocked file must have gone unwritten (<see cref="DefaultAbandonedAfter"/>).</param>
    public int RemoveAbandoned(TimeSpan untouchedFor)
    {
        Directory.CreateDirectory(archive.StagingFolder);
        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(archive.StagingFolder, "*" + PartialFileExtension))
        {
            try
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < untouchedFor) continue;
                using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                File.Delete(path);
                removed++;
            }
            catch (IOException)
            {
                // Locked: a live process is writing or about to move it. Or gone already: another fetcher removed it.
            }
        }
        if (removed > 0)
            logger?.LogInformation("Removed {Count} partial files left in {StagingFolder} by stopped processes", removed, archive.StagingFolder);
        return removed;
    }

    /// <summary>Hashes a file where it lies, without copying it (a file already at its archive path).</summary>
    public static async Task<StagedFile> HashInPlaceAsync(string path, CancellationToken cancellationToken)
    {
        await using var source = OpenRead(path);
        var (size, checksum) = await CopyHashingAsync(source, target: null, long.MaxValue, cancellationToken);
        return new StagedFile(path, size, checksum, Jp2ProblemOf(source), lockedBy: null);
    }

    public static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static string? Jp2ProblemOf(FileStream file)
    {
        file.Position = 0;
        return Jp2.IsWellFormed(file, out var problem) ? null : problem;
    }

    private static async Task<(long Size, Checksum Checksum)> CopyHashingAsync(
        Stream source, Stream? target, long maxBytes, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        while (true)
        {
            // A buffer is held only while bytes are at hand: the zero-byte read waits for them without one, so memory
            // follows the transfers moving bytes, not the downloads open (a fresh 1 MB array per download put 2,000 at
            // once at ~1 GB, and kept the collector doing full collections). Files on disk answer it at once.
#pragma warning disable CA2022 // the zero-byte read's count is meaningless by design: it only waits for data
            await source.ReadAsync(Memory<byte>.Empty, cancellationToken);
#pragma warning restore CA2022
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken);
                if (read == 0) break;
                size += read;
                if (size > maxBytes) throw new FileTooLargeException(maxBytes);
                hash.AppendData(buffer, 0, read);
                if (target is not null) await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return (size, Checksum.Sha256(hash.GetHashAndReset()));
    }
}

public sealed class FileTooLargeException(long maxBytes)
    : IOException($"The file is larger than the allowed maximum of {maxBytes:N0} bytes.")
{
    public long MaxBytes { get; } = maxBytes;
}
