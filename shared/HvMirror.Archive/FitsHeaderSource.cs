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
        FitsHeader header;
        try
        {
            header = FitsHeader.Parse(xml);
        }
        catch (InvalidDataException e)
        {
            problem = $"its {e.Message}";
            return null;
        }
        return MatchFilterWheels(name.CompatibleSources, header, out problem);
    }

    /// <summary>
    /// The one XRT source among <paramref name="candidates"/> whose detector and measurement are the header's filter
    /// wheels, or null with the reason. FITS writes "G_band" where the source table says "Gband": letters and digits only.
    /// </summary>
    public static DataSource? MatchFilterWheels(IEnumerable<DataSource> candidates, FitsHeader header, out string? problem)
    {
        var wheel1 = header.Text("EC_FW1_")?.Trim();
        var wheel2 = header.Text("EC_FW2_")?.Trim();
        if (wheel1 is null || wheel2 is null)
        {
            problem = "its FITS header lacks the filter wheel keywords EC_FW1_ and EC_FW2_, so its source cannot be known";
            return null;
        }
        var matches = candidates.Where(s => Same(s.Detector, wheel1) && Same(s.Measurement, wheel2)).ToList();
        if (matches.Count != 1)
        {
            problem = $"its FITS header says filters EC_FW1_='{wheel1}', EC_FW2_='{wheel2}', which match " +
                      (matches.Count == 0 ? "no known XRT source" : $"{matches.Count} sources");
            return null;
        }
        problem = null;
        return matches[0];
    }

    private static bool Same(string property, string header) => Normalize(property) == Normalize(header);

    private static string Normalize(string value) =>
        new(value.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
