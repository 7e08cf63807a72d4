using System.Security.Cryptography;
using HvMirror.Archive;

namespace HvMirror.Ingestion;

/// <summary>
/// Streams bytes into the staging folder while hashing them (one pass, constant memory), then checks their JP2 box
/// structure by reading box headers back.
/// </summary>
public sealed class FileStager(ArchiveLocation archive)
{
    private const int BufferSize = 1 << 20;

    /// <summary>Copies <paramref name="content"/> to a new temporary file. Stops with <see cref="FileTooLargeException"/> past <paramref name="maxBytes"/>.</summary>
    public async Task<StagedFile> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(archive.StagingFolder);
        var path = Path.Combine(archive.StagingFolder, $"{Guid.NewGuid():N}.part");
        try
        {
            await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous);
            var (size, checksum) = await CopyHashingAsync(content, target, maxBytes, cancellationToken);
            await target.FlushAsync(cancellationToken);
            return new StagedFile(path, size, checksum, Jp2ProblemOf(target), ownsFile: true);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Hashes a file where it lies, without copying it (a file already at its archive path).</summary>
    public static async Task<StagedFile> HashInPlaceAsync(string path, CancellationToken cancellationToken)
    {
        await using var source = OpenRead(path);
        var (size, checksum) = await CopyHashingAsync(source, target: null, long.MaxValue, cancellationToken);
        return new StagedFile(path, size, checksum, Jp2ProblemOf(source), ownsFile: false);
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
        var buffer = new byte[BufferSize];
        long size = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            size += read;
            if (size > maxBytes) throw new FileTooLargeException(maxBytes);
            hash.AppendData(buffer, 0, read);
            if (target is not null) await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return (size, Checksum.Sha256(hash.GetHashAndReset()));
    }
}

public sealed class FileTooLargeException(long maxBytes)
    : IOException($"The file is larger than the allowed maximum of {maxBytes:N0} bytes.")
{
    public long MaxBytes { get; } = maxBytes;
}
