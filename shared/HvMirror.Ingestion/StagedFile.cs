using HvMirror.Archive;

namespace HvMirror.Ingestion;

/// <summary>Bytes written to a temporary file in the archive's filesystem, hashed on the way, not yet visible.</summary>
public sealed class StagedFile : IDisposable
{
    internal StagedFile(string path, long size, Checksum checksum, bool hasJp2Signature, bool ownsFile)
    {
        Path = path;
        Size = size;
        Checksum = checksum;
        HasJp2Signature = hasJp2Signature;
        OwnsFile = ownsFile;
    }

    public string Path { get; }

    public long Size { get; }

    public Checksum Checksum { get; }

    public bool HasJp2Signature { get; }

    /// <summary>False when the bytes already sit at their archive path (ingesting the archive in place).</summary>
    internal bool OwnsFile { get; }

    /// <summary>Removes the temporary file unless it has been moved into the archive.</summary>
    public void Dispose()
    {
        if (OwnsFile && File.Exists(Path)) File.Delete(Path);
    }
}
