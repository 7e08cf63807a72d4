using HvMirror.Archive;

namespace HvMirror.Ingestion;

/// <summary>Bytes written to a temporary file in the archive's filesystem, hashed on the way, not yet visible.</summary>
public sealed class StagedFile : IDisposable
{
    private FileStream? _lock;

    internal StagedFile(string path, long size, Checksum checksum, string? jp2Problem, FileStream? lockedBy)
    {
        Path = path;
        Size = size;
        Checksum = checksum;
        Jp2Problem = jp2Problem;
        OwnsFile = lockedBy is not null;
        _lock = lockedBy;
    }

    public string Path { get; }

    public long Size { get; }

    public Checksum Checksum { get; }

    /// <summary>Why the bytes are not a decodable JP2 file (see <see cref="Jp2.IsWellFormed"/>); null when they are one.</summary>
    public string? Jp2Problem { get; }

    public bool IsJp2 => Jp2Problem is null;

    /// <summary>False when the bytes already sit at their archive path (ingesting the archive in place).</summary>
    internal bool OwnsFile { get; }

    /// <summary>Moves the bytes to <paramref name="destination"/> by a rename (within one filesystem, atomic for readers).</summary>
    internal void MoveTo(string destination)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
        // Released first: some systems refuse to rename a file open without sharing. Moments unlocked are covered by
        // FileStager.AbandonedAfter.
        ReleaseLock();
        File.Move(Path, destination, overwrite: true);
    }

    /// <summary>Removes the temporary file unless it has been moved into the archive.</summary>
    public void Dispose()
    {
        ReleaseLock();
        if (OwnsFile && File.Exists(Path)) File.Delete(Path);
    }

    private void ReleaseLock()
    {
        _lock?.Dispose();
        _lock = null;
    }
}
