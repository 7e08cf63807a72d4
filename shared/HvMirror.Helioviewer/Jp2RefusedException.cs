namespace HvMirror.Helioviewer;

/// <summary>A file Helioviewer's own ingestion refuses, so it can have no row in Helioviewer's <c>data</c> table.</summary>
public sealed class Jp2RefusedException(string fileName, string reason) : Exception(reason)
{
    public string FileName { get; } = fileName;
}
