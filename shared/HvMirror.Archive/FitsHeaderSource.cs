using System.Xml;
using System.Xml.Linq;

namespace HvMirror.Archive;

/// <summary>
/// The source of a file whose name does not say it (XRT: <c>…__HINODE_XRT.jp2</c>), read the way Helioviewer reads it:
/// from the FITS header Helioviewer's files carry in their JP2 <c>xml </c> box. For XRT the two filter wheels,
/// <c>EC_FW1_</c> and <c>EC_FW2_</c>, are the source's detector and measurement (its archive folders).
/// </summary>
public static class FitsHeaderSource
{
    /// <summary>
    /// The one source among <paramref name="name"/>'s compatible sources that the header in <paramref name="jp2"/>
    /// names, or null with the reason.
    /// </summary>
    public static DataSource? Resolve(FileNameInfo name, Stream jp2, out string? problem)
    {
        string? xml;
        try
        {
            xml = Jp2.ReadXmlBox(jp2);
        }
        catch (InvalidDataException e)
        {
            problem = $"its JP2 boxes cannot be read ({e.Message})";
            return null;
        }
        if (xml is null)
        {
            problem = "its name does not say which filters it was taken with, and it has no xml box (FITS header) that would";
            return null;
        }

        XElement header;
        try
        {
            header = XElement.Parse(xml);
        }
        catch (XmlException e)
        {
            problem = $"its FITS header (the JP2 xml box) is not well-formed XML: {e.Message}";
            return null;
        }
        var wheel1 = Keyword(header, "EC_FW1_");
        var wheel2 = Keyword(header, "EC_FW2_");
        if (wheel1 is null || wheel2 is null)
        {
            problem = "its FITS header lacks the filter wheel keywords EC_FW1_ and EC_FW2_, so its source cannot be known";
            return null;
        }
        var matches = name.CompatibleSources
            .Where(s => Same(s.Detector, wheel1) && Same(s.Measurement, wheel2))
            .ToList();
        if (matches.Count != 1)
        {
            problem = $"its FITS header says filters EC_FW1_='{wheel1}', EC_FW2_='{wheel2}', which match " +
                      (matches.Count == 0 ? "no known XRT source" : $"{matches.Count} sources");
            return null;
        }
        problem = null;
        return matches[0];
    }

    private static string? Keyword(XElement header, string keyword) =>
        header.Descendants().FirstOrDefault(e => e.Name.LocalName == keyword)?.Value.Trim();

    // FITS writes "G_band" where Helioviewer's source table says "Gband": compare letters and digits only.
    private static bool Same(string property, string header) =>
        Normalize(property) == Normalize(header);

    private static string Normalize(string value) =>
        new(value.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
