using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using HvMirror.Archive;

namespace HvMirror.Helioviewer;

/// <summary>
/// Computes the <c>data</c> row Helioviewer's own ingestion (<c>jp2parser.py</c>, <c>jp2.py</c>, hvpull's
/// <c>daemon.py</c>) writes for a JP2 file, and refuses, with the reason, the files it refuses.
/// </summary>
/// <remarks>
/// Helioviewer formats every value into its SQL as text, so a header value that is missing (written as the text
/// <c>NULL</c>), not a number, or NaN reaches a FLOAT column as 0. Several of its warnings concatenate text and a
/// number, which raises in Python: a CDELT1 that is not positive, a zero solar radius, or a distance to the Sun of
/// 1.5 AU or more makes it refuse the file, and so do they here.
/// </remarks>
public static partial class HelioviewerDataRowReader
{
    /// <summary>Helioviewer's astronomical unit in metres (<c>__HV_CONSTANT_AU__</c>).</summary>
    public const double AstronomicalUnit = 149597870700;

    /// <summary>The solar radius in arcseconds at 1 AU (<c>__HV_CONSTANT_RSUN__</c>).</summary>
    public const double SolarRadiusAt1Au = 959.644;

    /// <summary>Distances to the Sun from here on are refused (<c>maxDSUN</c>, about 1.5 AU).</summary>
    public const double MaxDistanceToSun = 2.25e11;

    /// <summary>Computes the row of the file at <paramref name="path"/>; its name is the file's name.</summary>
    public static bool TryRead(string path, DataSources sources,
        [NotNullWhen(true)] out HelioviewerDataRow? row, [NotNullWhen(false)] out string? refusal)
    {
        using var file = File.OpenRead(path);
        return TryRead(file, Path.GetFileName(path), sources, out row, out refusal);
    }

    /// <summary>Computes the row of a JP2 file read from <paramref name="jp2"/>, a seekable stream at the file's start.</summary>
    public static bool TryRead(Stream jp2, string fileName, DataSources sources,
        [NotNullWhen(true)] out HelioviewerDataRow? row, [NotNullWhen(false)] out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(jp2);
        ArgumentNullException.ThrowIfNull(sources);
        if (!jp2.CanSeek)
            throw new ArgumentException("The JP2 stream must be seekable: its boxes are read more than once.", nameof(jp2));
        row = null;
        if (!HelioviewerFileName.TryParse(fileName, sources, out var name, out refusal))
            return false;
        refusal = Compute(jp2, name, sources, out row);
        if (refusal is not null)
            refusal = $"Helioviewer's ingestion refuses {fileName}: {refusal}";
        return refusal is null;
    }

    /// <exception cref="Jp2RefusedException">Helioviewer's ingestion refuses the file; the message says why.</exception>
    public static HelioviewerDataRow Read(string path, DataSources sources) =>
        TryRead(path, sources, out var row, out var refusal) ? row : throw new Jp2RefusedException(Path.GetFileName(path), refusal);

    /// <exception cref="Jp2RefusedException">Helioviewer's ingestion refuses the file; the message says why.</exception>
    public static HelioviewerDataRow Read(Stream jp2, string fileName, DataSources sources) =>
        TryRead(jp2, fileName, sources, out var row, out var refusal) ? row : throw new Jp2RefusedException(fileName, refusal);

    private static string? Compute(Stream jp2, FileNameInfo name, DataSources sources, out HelioviewerDataRow? row)
    {
        row = null;
        var start = jp2.Position;
        Stream Rewound()
        {
            jp2.Position = start;
            return jp2;
        }

        FitsHeader header;
        try
        {
            var boxes = Jp2.ReadBoxes(Rewound());
            // Helioviewer opens every file with glymur, which refuses a JP2 without a codestream.
            if (!boxes.Any(b => b.Type == "jp2c"))
                return "it has no codestream (jp2c) box, so it is not a decodable JPEG 2000 file (glymur: \"A valid JP2C box was not found\")";
            var xml = Jp2.ReadXmlBox(Rewound());
            if (xml is null)
                return "it has no xml box, so it carries no FITS header to read its source and geometry from";
            header = FitsHeader.Parse(xml);
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }

        if (!TryObservationTime(header, out var date, out var problem))
            return problem;
        if (!TryGeometry(header, out var geometry, out problem))
            return problem;

        var source = HeaderSource.Find(header, sources, out problem);
        if (source is null)
            return problem;
        if (name.Source is not null && name.Source != source)
            return $"its FITS header says source {source.Name} but its name says {name.Source.Name}";
        problem = Validate(header, source);
        if (problem is not null)
            return problem;

        var groups = XrtGroups(source.SourceId);
        row = new HelioviewerDataRow(
            Filepath: "/" + ArchivePath.For(source, name)[..^(name.FileName.Length + 1)],
            Filename: name.FileName,
            Date: date,
            DateEnd: null,
            SourceId: source.SourceId,
            Scale: Stored(geometry.Scale),
            Width: geometry.Width,
            Height: geometry.Height,
            RefPixelX: Stored(geometry.RefPixelX),
            RefPixelY: Stored(geometry.RefPixelY),
            LayeringOrder: geometry.LayeringOrder,
            DsunObs: Column(header, "DSUN_OBS"),
            SolarR: Column(header, "SOLAR_R"),
            Radius: Column(header, "RADIUS"),
            Cdelt1: Column(header, "CDELT1"),
            Cdelt2: Column(header, "CDELT2"),
            Crval1: Column(header, "CRVAL1"),
            Crval2: Column(header, "CRVAL2"),
            Crpix1: Column(header, "CRPIX1"),
            Crpix2: Column(header, "CRPIX2"),
            Xcen: Column(header, "XCEN"),
            Ycen: Column(header, "YCEN"),
            Crota1: Column(header, "CROTA1"),
            Process: 1,
            GroupOne: groups.One,
            GroupTwo: groups.Two,
            GroupThree: groups.Three);
        return null;
    }

    private readonly record struct Geometry(double Scale, int Width, int Height, double RefPixelX, double RefPixelY, int LayeringOrder);

    /// <summary>jp2parser's getImageDimensions, getRefPixelCoords, getImagePlateScale, getDSun and getLayeringOrder.</summary>
    private static bool TryGeometry(FitsHeader header, out Geometry geometry, [NotNullWhen(false)] out string? problem)
    {
        geometry = default;
        if (!header.Contains("NAXIS1") || !header.Contains("NAXIS2"))
        {
            problem = "its FITS header lacks NAXIS1 or NAXIS2, the image dimensions";
            return false;
        }
        var width = IntColumn(header, "NAXIS1");
        var height = IntColumn(header, "NAXIS2");

        var isXrt = header.Text("INSTRUME") == "XRT";
        double refX, refY;
        if (isXrt)
        {
            if (!(header.Number("CRVAL1") is { } crval1 && header.Number("CDELT1") is { } cdelt1 && header.Number("CRPIX1") is { } crpix1 &&
                  header.Number("CRVAL2") is { } crval2 && header.Number("CDELT2") is { } cdelt2 && header.Number("CRPIX2") is { } crpix2))
            {
                problem = "its XRT header lacks one of CRVAL1/2, CDELT1/2, CRPIX1/2 that place the reference pixel";
                return false;
            }
            refX = -(crval1 / cdelt1 - crpix1);
            refY = -(crval2 / cdelt2 - crpix2);
        }
        else
        {
            if (!header.Contains("CRPIX1") || !header.Contains("CRPIX2"))
            {
                problem = "its FITS header lacks CRPIX1 or CRPIX2, the reference pixel";
                return false;
            }
            refX = header.Number("CRPIX1") ?? 0;
            refY = header.Number("CRPIX2") ?? 0;
        }

        if (header.Number("CDELT1") is not { } plateScale || plateScale <= 0)
        {
            problem = $"its CDELT1 ({header.Text("CDELT1") ?? "missing"}) is not a positive number, so its plate scale is unknown";
            return false;
        }
        if (!TryDistanceToSun(header, plateScale, out var dsun, out problem))
            return false;
        if (!TryLayeringOrder(header, out var layeringOrder, out problem))
            return false;

        geometry = new Geometry(plateScale * (dsun / AstronomicalUnit), width, height, refX, refY, layeringOrder);
        return true;
    }

    /// <summary>
    /// Metres to the Sun: DSUN_OBS (most sources) or DSUN (RHESSI); else from the solar radius in pixels, SOLAR_R (EIT)
    /// or RADIUS (MDI); else 1 AU; a distance that is not positive (HMI may say 0) is 1 AU.
    /// </summary>
    private static bool TryDistanceToSun(FitsHeader header, double plateScale, out double dsun, [NotNullWhen(false)] out string? problem)
    {
        dsun = AstronomicalUnit;
        problem = null;
        var distanceKey = new[] { "DSUN_OBS", "DSUN" }.FirstOrDefault(header.Contains);
        if (distanceKey is not null)
        {
            if (header.Number(distanceKey) is not { } distance)
            {
                problem = $"its {distanceKey} '{header.Text(distanceKey)}' is not a number";
                return false;
            }
            dsun = distance;
        }
        else if (new[] { "SOLAR_R", "RADIUS" }.FirstOrDefault(header.Contains) is { } radiusKey)
        {
            if (header.Number(radiusKey) is not { } radius || radius == 0)
            {
                problem = $"its {radiusKey} '{header.Text(radiusKey)}' is not a non-zero number, so its distance to the Sun cannot be derived";
                return false;
            }
            dsun = SolarRadiusAt1Au / (radius * plateScale) * AstronomicalUnit;
        }

        if (dsun <= 0)
            dsun = AstronomicalUnit;
        if (dsun >= MaxDistanceToSun)
        {
            problem = $"its distance to the Sun ({dsun.ToString("R", CultureInfo.InvariantCulture)} m) is {MaxDistanceToSun:0.##e0} m or more";
            return false;
        }
        return true;
    }

    private static bool TryLayeringOrder(FitsHeader header, out int layeringOrder, [NotNullWhen(false)] out string? problem)
    {
        layeringOrder = 1;
        problem = null;
        var telescope = header.Text("TELESCOP");
        var instrument = header.Text("INSTRUME");
        var detector = header.Text("DETECTOR");
        switch (telescope)
        {
            case null:
                problem = "its FITS header lacks TELESCOP, which decides its layering order";
                return false;
            case "SOHO" when instrument is "EIT" or "MDI":
                layeringOrder = 1;
                return true;
            case "SOHO" or "STEREO" when detector is null:
                problem = $"its {telescope} header lacks DETECTOR, which decides its layering order";
                return false;
            case "SOHO":
                layeringOrder = detector == "C3" ? 3 : 2;
                return true;
            case "STEREO":
                layeringOrder = detector == "COR2" ? 3 : 2;
                return true;
            case "HINODE":
                if (!(header.Number("NAXIS1") is { } n1 && header.Number("CDELT1") is { } d1 && header.Number("NAXIS2") is { } n2 && header.Number("CDELT2") is { } d2))
                {
                    problem = "its Hinode header lacks NAXIS1/2 or CDELT1/2, which decide whether it is a sub-field";
                    return false;
                }
                // A field of view under 2048 arcsec each way is an XRT sub-field, drawn above full-disk images.
                layeringOrder = n1 * d1 < 2048.0 && n2 * d2 < 2048.0 ? 2 : 1;
                return true;
            default:
                layeringOrder = 1;
                return true;
        }
    }

    [GeneratedRegex(@"^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})(?:[T ](?<h>\d{2}):(?<mi>\d{2}):(?<s>\d{2})(?:\.\d+)?)?Z?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoTime();

    /// <summary>
    /// DATE-OBS (else DATE_OBS, joined with TIME-OBS/TIME_OBS when it holds a date only, as sunpy's LASCO map does),
    /// cut to whole seconds: MariaDB's DATETIME drops the fraction.
    /// </summary>
    private static bool TryObservationTime(FitsHeader header, out DateTime date, [NotNullWhen(false)] out string? problem)
    {
        date = default;
        var text = (header.Text("DATE-OBS") ?? header.Text("DATE_OBS"))?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            problem = "its FITS header has no DATE-OBS or DATE_OBS, the observation time";
            return false;
        }
        text = text.Replace('/', '-');
        if (!text.Contains('T') && !text.Contains(' ') && (header.Text("TIME-OBS") ?? header.Text("TIME_OBS")) is { } time)
            text = $"{text}T{time.Trim()}";

        var m = IsoTime().Match(text);
        int Part(string group) => m.Groups[group].Success ? int.Parse(m.Groups[group].ValueSpan, CultureInfo.InvariantCulture) : 0;
        if (!m.Success || !IsValidTime(Part("y"), Part("mo"), Part("d"), Part("h"), Part("mi"), Part("s")))
        {
            problem = $"its observation time '{text}' is not a valid ISO time";
            return false;
        }
        date = new DateTime(Part("y"), Part("mo"), Part("d"), Part("h"), Part("mi"), Part("s"), DateTimeKind.Utc);
        problem = null;
        return true;
    }

    private static bool IsValidTime(int year, int month, int day, int hour, int minute, int second) =>
        year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
        && hour <= 23 && minute <= 59 && second <= 59;

    /// <summary>hvpull's <c>_validate</c>: AIA darks, AIA images under half complete or taken through an open filter, LASCO images with the wrong mask.</summary>
    private static string? Validate(FitsHeader header, DataSource source)
    {
        if (source.Instrument == "AIA")
        {
            if (header.Text("IMG_TYPE") == "DARK")
                return "it is an AIA dark frame (IMG_TYPE = DARK)";
            if (header.Number("PERCENTD") is not { } complete)
                return "its AIA header lacks PERCENTD, the share of the image received";
            if (complete < 50)
                return $"only {complete.ToString(CultureInfo.InvariantCulture)} % of the AIA image was received (PERCENTD < 50)";
            if ((header.Text("WAVE_STR") ?? "").EndsWith("_OPEN", StringComparison.Ordinal))
                return $"it was taken through an open AIA filter (WAVE_STR = {header.Text("WAVE_STR")})";
        }
        if (source.Instrument == "LASCO")
        {
            var mask = header.Number("HCOMP_SF");
            if ((source.Detector == "C2" && mask == 32) || (source.Detector == "C3" && mask == 64))
                return $"it is a LASCO {source.Detector} image with the wrong mask (HCOMP_SF = {mask})";
        }
        return null;
    }

    /// <summary><c>getImageGroup</c> of <c>jp2.py</c>: the XRT "Any" filter groups a source 38–74 belongs to.</summary>
    public static (int One, int Two, int Three) XrtGroups(int sourceId)
    {
        if (sourceId is < 38 or > 74)
            return (0, 0, 0);
        // Source 68 (mispositioned filters) is in no per-filter group and breaks the pattern of the ids after it.
        if (sourceId == 68)
            return (10001, 0, 0);
        var offset = sourceId > 68 ? sourceId - 1 : sourceId;
        return (10001, (offset - 38) % 6 + 10002, (offset - 38) / 6 + 10008);
    }

    /// <summary>A header value as its FLOAT column stores it: a missing, textual, NaN or infinite value is stored as 0.</summary>
    private static float Column(FitsHeader header, string keyword) => Stored(header.Number(keyword) ?? 0);

    private static float Stored(double value) => double.IsFinite(value) ? (float)value : 0f;

    // An INT column takes a number written as text rounded, and text that is no number as 0.
    private static int IntColumn(FitsHeader header, string keyword) =>
        header.Number(keyword) is { } value && double.IsFinite(value) ? (int)Math.Round(value, MidpointRounding.AwayFromZero) : 0;
}
