using System.Security.Cryptography;
using HvMirror.Archive;

namespace HvMirror.Ingestion;

/// <summary>Streams bytes into the staging folder while hashing them and checking the JP2 signature: one pass, constant memory.</summary>
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
            await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            var (size, checksum, signature) = await CopyHashingAsync(content, target, maxBytes, cancellationToken);
            await target.FlushAsync(cancellationToken);
            return new StagedFile(path, size, checksum, signature, ownsFile: true);
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
        var (size, checksum, signature) = await CopyHashingAsync(source, target: null, long.MaxValue, cancellationToken);
        return new StagedFile(path, size, checksum, signature, ownsFile: false);
    }

    public static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static async Task<(long Size, Checksum Checksum, bool HasJp2Signature)> CopyHashingAsync(
        Stream source, Stream? target, long maxBytes, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        var head = new byte[Jp2.Signature.Length];
        long size = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (size < head.Length)
                buffer.AsSpan(0, (int)Math.Min(read, head.Length - size)).CopyTo(head.AsSpan((int)size));
            size += read;
            if (size > maxBytes) throw new FileTooLargeException(maxBytes);
            hash.AppendData(buffer, 0, read);
            if (target is not null) await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        var checksum = Checksum.Sha256(hash.GetHashAndReset());
        return (size, checksum, size >= head.Length && Jp2.HasSignature(head));
    }
}

public sealed class FileTooLargeException(long maxBytes)
    : IOException($"The file is larger than the allowed maximum of {maxBytes:N0} bytes.")
{
    public long MaxBytes { get; } = maxBytes;
}
