using HvMirror.Archive;

namespace HvMirror.Ingestion;

/// <summary>Bytes written to a temporary file in the archive's filesystem, hashed on the way, not yet visible.</summary>
public sealed class StagedFile : IDisposable
{
    internal StagedFile(string path, long size, Checksum checksum, string? jp2Problem, bool ownsFile)
    {
        Path = path;
        Size = size;
        Checksum = checksum;
        Jp2Problem = jp2Problem;
        OwnsFile = ownsFile;
    }

    public string Path { get; }

    public long Size { get; }

    public Checksum Checksum { get; }

    /// <summary>Why the bytes are not a decodable JP2 file (see <see cref="Jp2.IsWellFormed"/>); null when they are one.</summary>
    public string? Jp2Problem { get; }

    public bool IsJp2 => Jp2Problem is null;

    /// <summary>False when the bytes already sit at their archive path (ingesting the archive in place).</summary>
    internal bool OwnsFile { get; }

    /// <summary>Removes the temporary file unless it has been moved into the archive.</summary>
    public void Dispose()
    {
        if (OwnsFile && File.Exists(Path)) File.Delete(Path);
    }
}
