using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace HvMirror.Archive;

/// <summary>
/// The FITS header a Helioviewer JP2 file carries in its <c>xml </c> box (<c>&lt;meta&gt;&lt;fits&gt;…&lt;/fits&gt;&lt;helioviewer&gt;…</c>),
/// read the way Helioviewer's <c>jp2parser.py</c> reads it: one keyword per child element of <c>fits</c>, keys exactly as
/// written (case-sensitive, as in its Python dict), a value that is all digits an integer, one Python's <c>float()</c>
/// accepts a number, anything else text.
/// </summary>
public sealed class FitsHeader
{
    private readonly Dictionary<string, string> _fits;
    private readonly Dictionary<string, string> _helioviewer;

    private FitsHeader(Dictionary<string, string> fits, Dictionary<string, string> helioviewer)
    {
        _fits = fits;
        _helioviewer = helioviewer;
    }

    /// <summary>Parses the text of a JP2 <c>xml </c> box.</summary>
    /// <exception cref="InvalidDataException">Not well-formed XML, or no <c>fits</c> element under the root.</exception>
    public static FitsHeader Parse(string xml)
    {
        XElement root;
        try
        {
            // Helioviewer's JP2 writer ends the box with a C string's NUL, which glymur ignores and XML forbids.
            root = XElement.Parse(xml.TrimEnd('\0', ' ', '\t', '\r', '\n'));
        }
        catch (XmlException e)
        {
            throw new InvalidDataException($"the FITS header (the JP2 xml box) is not well-formed XML: {e.Message}", e);
        }
        var fits = root.Element("fits")
            ?? throw new InvalidDataException($"the JP2 xml box has no <fits> element under its root <{root.Name.LocalName}>, so it carries no FITS header");
        return new FitsHeader(Keywords(fits), root.Element("helioviewer") is { } hv ? Keywords(hv) : []);
    }

    public bool Contains(string keyword) => _fits.ContainsKey(keyword);

    /// <summary>The keyword's text as written, or null when the header lacks it.</summary>
    public string? Text(string keyword) => _fits.GetValueOrDefault(keyword);

    /// <summary>A keyword of the <c>helioviewer</c> section (written by Helioviewer's JP2 generator), or null.</summary>
    public string? HelioviewerText(string keyword) => _helioviewer.GetValueOrDefault(keyword);

    /// <summary>
    /// The keyword as a number when Python would have made one of it (digits → int, else <c>float()</c>), or null when
    /// the header lacks it or holds text. NaN and infinities are numbers, as in Python.
    /// </summary>
    public double? Number(string keyword) =>
        _fits.TryGetValue(keyword, out var text) ? PythonNumber(text) : null;

    /// <summary>The value as <c>jp2parser.py</c> types it: an int for digits only, a float where <c>float()</c> parses, else null.</summary>
    public static double? PythonNumber(string text)
    {
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
            return double.Parse(text, CultureInfo.InvariantCulture);
        var trimmed = text.Trim();
        // Python's float() takes surrounding whitespace, "nan", "inf" and "infinity" in any case, with a sign.
        var unsigned = trimmed.TrimStart('+', '-').ToLowerInvariant();
        var negative = trimmed.StartsWith('-');
        if (unsigned is "nan")
            return double.NaN;
        if (unsigned is "inf" or "infinity")
            return negative ? double.NegativeInfinity : double.PositiveInfinity;
        return trimmed.Length > 0
               && !trimmed.Contains(',')
               && double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }

    private static Dictionary<string, string> Keywords(XElement section)
    {
        var keywords = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var element in section.Elements())
        {
            // A repeated keyword (HISTORY, COMMENT) keeps its last value, as a Python dict built in order does.
            keywords[element.Name.LocalName] = element.Value;
        }
        return keywords;
    }
}
