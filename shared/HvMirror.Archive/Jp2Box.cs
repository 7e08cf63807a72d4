namespace HvMirror.Archive;

/// <summary>One top-level box of a JP2 file.</summary>
/// <param name="Type">The four-character box type, e.g. <c>ftyp</c>, <c>jp2h</c>, <c>xml </c>, <c>jp2c</c>.</param>
/// <param name="Offset">Where the box (its header) starts in the file.</param>
/// <param name="Length">The whole box, header included.</param>
/// <param name="HeaderLength">8, or 16 for a box with an extended length.</param>
public readonly record struct Jp2Box(string Type, long Offset, long Length, int HeaderLength)
{
    public long ContentOffset => Offset + HeaderLength;

    public long ContentLength => Length - HeaderLength;
}
