using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace HvMirror.Archive;

/// <summary>
/// The little of the JP2 file format (ISO/IEC 15444-1 annex I) a mirror needs: recognise a file, check that a decoder
/// could open it, list its top-level boxes, and read the <c>xml </c> box in which Helioviewer files carry the
/// observation's FITS header.
/// </summary>
public static class Jp2
{
    /// <summary>The 12-byte JPEG 2000 signature box every JP2 file starts with.</summary>
    public static ReadOnlySpan<byte> Signature => [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];

    /// <summary>Largest <c>xml </c> box read into memory; real FITS headers are tens of KB, so more means a hostile file.</summary>
    public const int MaxXmlBoxBytes = 16 * 1024 * 1024;

    public static bool HasSignature(ReadOnlySpan<byte> head) => head.StartsWith(Signature);

    /// <summary>The codestream's first two markers, SOC (FF4F) and SIZ (FF51), which every JPEG 2000 codestream starts with.</summary>
    public static ReadOnlySpan<byte> CodestreamStart => [0xFF, 0x4F, 0xFF, 0x51];

    /// <summary>More top-level boxes than this is a hostile file (Helioviewer's have five), not one worth walking.</summary>
    public const int MaxTopLevelBoxes = 10_000;

    private const string NotDecodable = "not a decodable JPEG 2000 file";

    /// <summary>
    /// Whether a decoder could open the file: the signature box, then the file type box (<c>ftyp</c>), a header box
    /// (<c>jp2h</c>) before the first codestream box (<c>jp2c</c>), whose codestream starts with the SOC and SIZ markers,
    /// and boxes whose lengths fit the file exactly. A signature alone proves nothing: Helioviewer refuses files that
    /// have it and no codestream. Reads box headers only (seeking past contents), from the stream's current position,
    /// which must be the start of the file.
    /// </summary>
    /// <param name="problem">Why the file is refused, as a phrase to follow the file's name; null when it is well formed.</param>
    /// <exception cref="ArgumentException">The stream cannot seek: the lengths cannot be checked against the file's.</exception>
    public static bool IsWellFormed(Stream stream, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
            throw new ArgumentException("Checking a JP2 file's structure needs a seekable stream.", nameof(stream));
        var start = stream.Position;
        problem = FindStructureProblem(stream, start);
        return problem is null;
    }

    private static string? FindStructureProblem(Stream stream, long start)
    {
        Span<byte> head = stackalloc byte[Signature.Length];
        if (ReadUpTo(stream, head) < head.Length || !HasSignature(head))
            return "is not a JPEG 2000 file: it does not start with the JP2 signature box (00 00 00 0C 6A 50 20 20 0D 0A 87 0A); " +
                   "it may be truncated, a raw codestream (.j2k) or another format";
        stream.Position = start;

        var count = 0;
        var fileTypeFollowsSignature = false;
        var headerSeen = false;
        Jp2Box? codestream = null;
        try
        {
            WalkBoxes(stream, box =>
            {
                if (++count > MaxTopLevelBoxes)
                    throw new InvalidDataException($"More than {MaxTopLevelBoxes:N0} top-level boxes.");
                fileTypeFollowsSignature |= count == 2 && box.Type == "ftyp";
                headerSeen |= box.Type == "jp2h";
                if (box.Type == "jp2c" && codestream is null)
                    codestream = box;
                // Stop at the codestream when no header came before it: the file is refused either way.
                return codestream is not null && !headerSeen;
            });
        }
        catch (InvalidDataException e)
        {
            return $"its box structure is broken ({e.Message.TrimEnd('.')}): the file is truncated or damaged, {NotDecodable}";
        }

        if (!fileTypeFollowsSignature)
            return $"the signature box is not followed by the file type (ftyp) box: {NotDecodable}";
        if (codestream is not { } found)
            return $"no codestream (jp2c) box: {NotDecodable}";
        if (!headerSeen)
            return $"no JP2 header (jp2h) box before the codestream: {NotDecodable}";

        Span<byte> markers = stackalloc byte[CodestreamStart.Length];
        stream.Position = start + found.ContentOffset;
        if (found.ContentLength < markers.Length || ReadUpTo(stream, markers) < markers.Length || !markers.SequenceEqual(CodestreamStart))
            return $"the codestream (jp2c) box does not start with the SOC and SIZ markers (FF 4F FF 51): {NotDecodable}";
        return null;
    }

    /// <summary>
    /// Lists the top-level boxes, checking that each fits in the file. The stream is read from its current position,
    /// which must be the start of the file; box contents are skipped (by seeking when the stream can).
    /// </summary>
    /// <exception cref="InvalidDataException">Not a JP2 file, or a box length that does not fit.</exception>
    public static IReadOnlyList<Jp2Box> ReadBoxes(Stream stream)
    {
        var boxes = new List<Jp2Box>();
        WalkBoxes(stream, box =>
        {
            boxes.Add(box);
            return false;
        });
        return boxes;
    }

    /// <summary>
    /// The content of the first top-level <c>xml </c> box as UTF-8 text, or null when the file has none.
    /// The stream is read from its current position, which must be the start of the file.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a JP2 file, a malformed box, or an xml box over <see cref="MaxXmlBoxBytes"/>.</exception>
    public static string? ReadXmlBox(Stream stream)
    {
        string? xml = null;
        WalkBoxes(stream, box =>
        {
            if (box.Type != "xml ")
                return false;
            if (box.ContentLength > MaxXmlBoxBytes)
                throw new InvalidDataException($"The xml box holds {box.ContentLength} bytes; at most {MaxXmlBoxBytes} are read.");
            var content = new byte[box.ContentLength];
            stream.ReadExactly(content);
            xml = Encoding.UTF8.GetString(content);
            return true;
        });
        return xml;
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with the stream positioned at each box's content; a visitor that returns true
    /// stops the walk, one that returns false leaves the content for the walker to skip.
    /// </summary>
    private static void WalkBoxes(Stream stream, Func<Jp2Box, bool> visit)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long? fileLength = stream.CanSeek ? stream.Length - stream.Position : null;
        Span<byte> header = stackalloc byte[16];

        var first = ReadUpTo(stream, header[..Signature.Length]);
        if (first < Signature.Length || !HasSignature(header))
            throw new InvalidDataException("Not a JP2 file: it does not start with the JPEG 2000 signature box 00 00 00 0C 6A 50 20 20 0D 0A 87 0A.");
        if (visit(new Jp2Box("jP  ", 0, Signature.Length, 8)))
            return;

        long offset = Signature.Length;
        while (true)
        {
            var read = ReadUpTo(stream, header[..8]);
            if (read == 0)
                return;
            if (read < 8)
                throw new InvalidDataException($"Truncated box header at offset {offset}.");

            long length = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = Encoding.ASCII.GetString(header[4..8]);
            var headerLength = 8;
            if (length == 1)
            {
                if (ReadUpTo(stream, header[8..16]) < 8)
                    throw new InvalidDataException($"Truncated extended length of box '{type}' at offset {offset}.");
                var extended = BinaryPrimitives.ReadUInt64BigEndian(header[8..16]);
                if (extended > long.MaxValue)
                    throw new InvalidDataException($"Box '{type}' at offset {offset} claims an impossible length.");
                length = (long)extended;
                headerLength = 16;
            }
            else if (length == 0)
            {
                // Length 0 means "to the end of the file", allowed only for the last box.
                if (fileLength is null)
                    throw new InvalidDataException($"Box '{type}' at offset {offset} runs to the end of the file, which an unseekable stream cannot tell.");
                length = fileLength.Value - offset;
            }

            if (length < headerLength)
                throw new InvalidDataException($"Box '{type}' at offset {offset} claims {length} bytes, less than its own header.");
            if (fileLength is not null && offset + length > fileLength)
                throw new InvalidDataException($"Box '{type}' at offset {offset} claims {length} bytes but the file ends {fileLength - offset} bytes later.");

            var box = new Jp2Box(type, offset, length, headerLength);
            if (visit(box))
                return;
            Skip(stream, box.ContentLength);
            offset += length;
        }
    }

    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    private static void Skip(Stream stream, long count)
    {
        if (stream.CanSeek)
        {
            stream.Seek(count, SeekOrigin.Current);
            return;
        }
        Span<byte> sink = stackalloc byte[4096];
        while (count > 0)
        {
            var n = stream.Read(sink[..(int)Math.Min(count, sink.Length)]);
            if (n == 0)
                throw new InvalidDataException("The file ends inside a box.");
            count -= n;
        }
    }
}
