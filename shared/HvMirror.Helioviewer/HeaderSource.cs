using System.Globalization;
using HvMirror.Archive;

namespace HvMirror.Helioviewer;

/// <summary>
/// The data source Helioviewer's ingestion finds for a FITS header. Helioviewer lets sunpy turn the header into an
/// observatory, instrument, detector and measurement, then walks its tree of source properties with them, skipping a
/// property equal to the one before (<c>insert_images</c> in <c>jp2.py</c>): AIA's "SDO, AIA, AIA, 304" is the path
/// SDO/AIA/304. A property that is empty and not such a repeat is a key the tree lacks, and the file is refused
/// (Helioviewer fails with <c>KeyError: ''</c>). Sunpy's per-instrument rules are reproduced for the instruments of
/// Helioviewer's test files (AIA, HMI, MDI, EIT, LASCO, RHESSI) and XRT; other instruments get sunpy's generic rules.
/// </summary>
internal static class HeaderSource
{
    public static DataSource? Find(FitsHeader header, DataSources sources, out string? problem)
    {
        if (header.Text("INSTRUME") == "XRT")
            return FindXrt(header, sources, out problem);
        if (header.Text("TELESCOP") == "RHESSI")
            return FindRhessi(header, sources, out problem);

        var properties = SunpyProperties(header);
        var path = new List<string>();
        var previous = "";
        foreach (var (label, value) in properties)
        {
            if (value == previous)
                continue;
            if (value.Length == 0)
            {
                problem = $"its FITS header yields no {label} (sunpy derives observatory '{properties[0].Value}', instrument " +
                          $"'{properties[1].Value}', detector '{properties[2].Value}', measurement '{properties[3].Value}'), " +
                          "so Helioviewer finds no source for it (its ingestion fails with KeyError: '')";
                return null;
            }
            path.Add(value);
            previous = value;
        }

        var match = sources.All.FirstOrDefault(s => s.HoldsFiles && PropertyPath(s).SequenceEqual(path, StringComparer.Ordinal));
        problem = match is null
            ? $"its FITS header names the source {string.Join('/', path)}, which is no Helioviewer source"
            : null;
        return match;
    }

    /// <summary>Helioviewer's property path of a source: its non-empty properties, in tree order.</summary>
    private static IEnumerable<string> PropertyPath(DataSource source) =>
        new[] { source.Observatory, source.Instrument, source.Detector, source.Measurement }.Where(p => p.Length > 0);

    /// <summary>Observatory, instrument, detector and measurement as sunpy's map sources make them and jp2parser trims them.</summary>
    private static (string Label, string Value)[] SunpyProperties(FitsHeader header)
    {
        var instrumentKeyword = header.Text("INSTRUME") ?? "";
        var telescope = header.Text("TELESCOP") ?? "";
        string observatory, instrument, detector, measurement;

        if (instrumentKeyword.StartsWith("AIA", StringComparison.Ordinal))
        {
            observatory = telescope.Split('/')[0];
            instrument = "AIA";
            detector = header.Text("DETECTOR") ?? "AIA";
            measurement = Wavelength(header);
        }
        else if (instrumentKeyword.StartsWith("HMI", StringComparison.Ordinal) || instrumentKeyword.StartsWith("MDI", StringComparison.Ordinal))
        {
            // Sunpy's HMI and MDI maps take the measurement from the first word of CONTENT ("CONTINUUM INTENSITY").
            observatory = instrumentKeyword.StartsWith("HMI", StringComparison.Ordinal) ? telescope.Split('/')[0] : Observatory(header);
            instrument = instrumentKeyword[..3];
            detector = header.Text("DETECTOR") ?? instrument;
            measurement = (header.Text("CONTENT") ?? "").Split(' ')[0].ToLowerInvariant();
        }
        else if (instrumentKeyword == "EIT")
        {
            observatory = Observatory(header);
            instrument = "EIT";
            detector = "EIT";
            measurement = Wavelength(header);
        }
        else if (instrumentKeyword == "LASCO")
        {
            observatory = Observatory(header);
            instrument = "LASCO";
            detector = header.Text("DETECTOR") ?? "";
            measurement = "white-light";
        }
        else
        {
            observatory = Observatory(header);
            instrument = instrumentKeyword.Replace('_', ' ').Trim().Split(' ')[0];
            detector = header.Text("DETECTOR") ?? "";
            measurement = Wavelength(header);
        }
        return [("observatory", observatory), ("instrument", instrument), ("detector", detector), ("measurement", measurement)];
    }

    // GenericMap.observatory is OBSRVTRY or TELESCOP with '_' as ' '; jp2parser strips it and writes ' ' as '_'.
    private static string Observatory(FitsHeader header) =>
        (header.Text("OBSRVTRY") ?? header.Text("TELESCOP") ?? "").Replace('_', ' ').Trim().Replace(' ', '_');

    // jp2parser writes sunpy's wavelength quantity without its unit: "304.0 Angstrom" becomes "304".
    private static string Wavelength(FitsHeader header) =>
        header.Number("WAVELNTH") is { } w && double.IsFinite(w)
            ? w == Math.Floor(w) ? ((long)w).ToString(CultureInfo.InvariantCulture) : w.ToString("R", CultureInfo.InvariantCulture)
            : "";

    /// <summary>
    /// Hinode XRT: the two filter wheels, EC_FW1_ and EC_FW2_, are the source's detector and measurement (sunpy's XRT
    /// measurement "wheel1-wheel2"), matched as ingestion matches them (<see cref="FitsHeaderSource.MatchFilterWheels"/>).
    /// </summary>
    private static DataSource? FindXrt(FitsHeader header, DataSources sources, out string? problem) =>
        FitsHeaderSource.MatchFilterWheels(sources.All.Where(s => s.HoldsFiles && s.Instrument == "XRT"), header, out problem);

    /// <summary>
    /// RHESSI sources are a reconstruction method (the archive folder, from the <c>helioviewer</c> section) and an
    /// energy band (ENERGY_L–ENERGY_H keV), which jp2parser's <c>_process_rhessi_extras</c> reads.
    /// </summary>
    private static DataSource? FindRhessi(FitsHeader header, DataSources sources, out string? problem)
    {
        var method = header.HelioviewerText("HV_RHESSI_IMAGE_RECONSTRUCTION_METHOD")?.Trim();
        var low = header.Number("ENERGY_L");
        var high = header.Number("ENERGY_H");
        if (method is null || low is null || high is null)
        {
            problem = "its RHESSI header lacks HV_RHESSI_IMAGE_RECONSTRUCTION_METHOD, ENERGY_L or ENERGY_H, which name its source";
            return null;
        }
        var band = string.Create(CultureInfo.InvariantCulture, $"{low:0.###}-{high:0.###}keV");
        var match = sources.All.FirstOrDefault(s =>
            s.Observatory == "RHESSI" && s.Detector == method.Replace('_', ' ') && s.Measurement == band);
        problem = match is null ? $"its RHESSI header names reconstruction method '{method}' and energy band {band}, which is no Helioviewer source" : null;
        return match;
    }
}
