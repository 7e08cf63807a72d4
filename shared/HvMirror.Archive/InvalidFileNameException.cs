namespace HvMirror.Archive;

/// <summary>A file name that is not a valid Helioviewer file name; <see cref="Reason"/> says why.</summary>
public sealed class InvalidFileNameException : FormatException
{
    public InvalidFileNameException(string fileName, string reason)
        : base(reason)
    {
        FileName = fileName;
        Reason = reason;
    }

    /// <summary>The rejected name, as given (it may hold control characters: escape it before logging).</summary>
    public string FileName { get; }

    public string Reason { get; }
}
