using System.Buffers.Binary;
using System.Text;
using System.Xml.Linq;

namespace HvMirror.Archive;

/// <summary>
/// Real, decodable JP2 files for tests and the demo, made without an encoder at run time.
/// </summary>
/// <remarks>
/// The image is a 32×32 8-bit grey codestream made once, losslessly, with <c>opj_compress</c> (embedded as
/// <c>Data/sample.jp2</c>); its pixel at column x, row y is <c>(8x XOR 8y) &amp; 0xFF</c>. Each sample gets an
/// <c>xml </c> box before the codestream, where Helioviewer files keep their FITS header, holding the distinct text,
/// so different texts give different files (and checksums); a trailing <c>free</c> box pads to a wanted size.
/// Decoders ignore both boxes, so every sample decodes to the same image.
/// </remarks>
public static class SampleJp2
{
    public const string ResourceName = "HvMirror.Archive.sample.jp2";

    public const int ImageWidth = 32;

    public const int ImageHeight = 32;

    private static readonly Lazy<byte[]> Codestream = new(LoadEmbedded);

    /// <summary>The pixel the embedded image holds at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public static byte ExpectedPixel(int x, int y) => (byte)((x * 8 ^ y * 8) & 0xFF);

    /// <summary>
    /// A valid JP2 carrying <paramref name="distinctText"/> in its <c>xml </c> box, optionally padded to exactly
    /// <paramref name="padToBytes"/> bytes.
    /// </summary>
    /// <exception cref="ArgumentException">The text holds characters XML cannot carry (e.g. control characters).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="padToBytes"/> is smaller than the unpadded file.</exception>
    public static byte[] Create(string distinctText, int? padToBytes = null) => Create(distinctText, padToBytes, fitsHeader: null);

    /// <summary>The same, with <paramref name="fitsHeader"/> keywords in the xml box's <c>fits</c> element, as Helioviewer's files carry.</summary>
    public static byte[] Create(string distinctText, int? padToBytes, IReadOnlyDictionary<string, string>? fitsHeader)
    {
        ArgumentNullException.ThrowIfNull(distinctText);
        var template = Codestream.Value;
        var codestreamOffset = (int)FindBox(template, "jp2c").Offset;

        string xml;
        try
        {
            xml = new XElement("meta",
                    new XElement("fits", new XElement("COMMENT", "HvMirror sample file, not an observation"),
                        (fitsHeader ?? new Dictionary<string, string>()).Select(k => new XElement(k.Key, k.Value))),
                    new XElement("hvmirror", new XElement("sample", distinctText)))
                .ToString(SaveOptions.DisableFormatting);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The sample text cannot be written as XML: {e.Message}", nameof(distinctText), e);
        }

        var xmlBytes = Encoding.UTF8.GetBytes(xml);
        var unpadded = template.Length + 8 + xmlBytes.Length;
        var gap = 0;
        if (padToBytes is { } wanted)
        {
            if (wanted < unpadded)
                throw new ArgumentOutOfRangeException(nameof(padToBytes), wanted,
                    $"A sample with this text needs at least {unpadded} bytes.");
            gap = wanted - unpadded;
        }

        // A free box needs 8 bytes of header; a smaller gap goes into the xml box as trailing whitespace, which XML allows.
        var xmlPadding = gap is > 0 and < 8 ? gap : 0;
        var freeBoxLength = gap >= 8 ? gap : 0;

        var result = new byte[unpadded + gap];
        var span = result.AsSpan();
        template.AsSpan(0, codestreamOffset).CopyTo(span);
        var at = codestreamOffset;

        at += WriteBoxHeader(span[at..], 8 + xmlBytes.Length + xmlPadding, "xml ");
        xmlBytes.CopyTo(span[at..]);
        at += xmlBytes.Length;
        span.Slice(at, xmlPadding).Fill((byte)' ');
        at += xmlPadding;

        template.AsSpan(codestreamOffset).CopyTo(span[at..]);
        at += template.Length - codestreamOffset;

        if (freeBoxLength > 0)
        {
            WriteBoxHeader(span[at..], freeBoxLength, "free");
            at += freeBoxLength;
        }

        if (at != result.Length)
            throw new InvalidOperationException($"Sample assembled to {at} bytes instead of {result.Length}.");
        return result;
    }

    private static int WriteBoxHeader(Span<byte> destination, int length, string type)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length);
        Encoding.ASCII.GetBytes(type, destination[4..8]);
        return 8;
    }

    private static Jp2Box FindBox(byte[] file, string type)
    {
        using var stream = new MemoryStream(file, writable: false);
        foreach (var box in Jp2.ReadBoxes(stream))
        {
            if (box.Type == type)
                return box;
        }
        throw new InvalidOperationException($"The embedded sample has no '{type}' box.");
    }

    private static byte[] LoadEmbedded()
    {
        using var stream = typeof(SampleJp2).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
