using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace HvMirror.Archive;

/// <summary>
/// Reads Helioviewer file names: checks that a name is a safe bare file name, then takes the observation time and,
/// where the name encodes it, the data source. Names that fit no known form or source are rejected with the reason,
/// never guessed.
/// </summary>
/// <remarks>
/// Families (see <c>data/README.md</c>):
/// <list type="bullet">
/// <item><c>YYYY_MM_DD__HH_MM_SS_mmm__&lt;tokens&gt;.jp2</c> (2 or 3 fraction digits) and <c>YYYY_MM_DD__HH_MM_SS__&lt;tokens&gt;.jp2</c>;
/// the tokens are <c>observatory_instrument_detector_measurement</c> as derived from the source table, or a
/// source-silent family such as XRT's <c>HINODE_XRT</c>.</item>
/// <item>EUI: <c>solo_L3_eui-fsi174-image_20240702T120045260_V01.jp2</c>.</item>
/// <item>IRIS: <c>iris_1330A_20240415_060002.jp2</c>.</item>
/// <item>PUNCH: <c>PUNCH_L3_CAM_20250920001600_v0l.jp2</c> (CAM or PAM, the product's archive folder).</item>
/// </list>
/// The fraction digits after the seconds are a decimal fraction: <c>_62</c> is 620 ms (AIA writes hundredths when its
/// T_OBS has two decimals), <c>_062</c> is 62 ms.
/// The extension must be exactly <c>.jp2</c>: Helioviewer never writes <c>.JP2</c>, and on a case-sensitive archive
/// <c>x.JP2</c> and <c>x.jp2</c> would be two files with one catalog meaning.
/// </remarks>
public static partial class HelioviewerFileName
{
    /// <summary>Longest accepted name: the usual file-system limit for one path component.</summary>
    public const int MaxLength = 255;

    public const string Extension = ".jp2";

    internal const string ValidExamples =
        "'2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2', '2024_12_31__00_02_11__GOES-R_SUVI_SUVI_131.jp2', " +
        "'solo_L3_eui-fsi174-image_20240702T120045260_V01.jp2', 'iris_1330A_20240415_060002.jp2' or " +
        "'PUNCH_L3_CAM_20250920001600_v0l.jp2'";

    [GeneratedRegex(@"^(?<y>[0-9]{4})_(?<mo>[0-9]{2})_(?<d>[0-9]{2})__(?<h>[0-9]{2})_(?<mi>[0-9]{2})_(?<s>[0-9]{2})(?:_(?<f>[0-9]{2,3}))?__(?<tokens>[A-Za-z0-9][A-Za-z0-9_-]*)\.jp2$", RegexOptions.CultureInvariant)]
    internal static partial Regex StandardForm();

    [GeneratedRegex(@"^solo_L3_eui-(?<product>[a-z]+[0-9]+)-image_(?<y>[0-9]{4})(?<mo>[0-9]{2})(?<d>[0-9]{2})T(?<h>[0-9]{2})(?<mi>[0-9]{2})(?<s>[0-9]{2})(?<f>[0-9]{3})_V[0-9]{2}\.jp2$", RegexOptions.CultureInvariant)]
    private static partial Regex EuiForm();

    [GeneratedRegex(@"^iris_(?<wl>[0-9]+)A_(?<y>[0-9]{4})(?<mo>[0-9]{2})(?<d>[0-9]{2})_(?<h>[0-9]{2})(?<mi>[0-9]{2})(?<s>[0-9]{2})\.jp2$", RegexOptions.CultureInvariant)]
    private static partial Regex IrisForm();

    [GeneratedRegex(@"^PUNCH_L3_(?<product>[A-Z]{3})_(?<y>[0-9]{4})(?<mo>[0-9]{2})(?<d>[0-9]{2})(?<h>[0-9]{2})(?<mi>[0-9]{2})(?<s>[0-9]{2})(?:_[A-Za-z0-9]+)*\.jp2$", RegexOptions.CultureInvariant)]
    private static partial Regex PunchForm();

    [GeneratedRegex(@"^[0-9]{4}_", RegexOptions.CultureInvariant)]
    private static partial Regex LooksDated();

    public static bool TryParse(
        string fileName,
        DataSources sources,
        [NotNullWhen(true)] out FileNameInfo? info,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(sources);
        info = null;
        error = CheckBareName(fileName);
        if (error is not null)
            return false;

        var index = sources.FileNameIndex;
        Match m;
        FileNameTokenIndex.Lookup lookup;
        string family;

        if ((m = StandardForm().Match(fileName)).Success)
        {
            lookup = index.FindStandard(m.Groups["tokens"].Value);
            family = "";
        }
        else if ((m = EuiForm().Match(fileName)).Success)
        {
            lookup = index.FindEui(m.Groups["product"].Value);
            family = "EUI product ";
        }
        else if ((m = IrisForm().Match(fileName)).Success)
        {
            lookup = index.FindIris(m.Groups["wl"].Value);
            family = "IRIS wavelength ";
        }
        else if ((m = PunchForm().Match(fileName)).Success)
        {
            lookup = index.FindPunch(m.Groups["product"].Value);
            family = "PUNCH product ";
        }
        else
        {
            error = LooksDated().IsMatch(fileName)
                ? $"file name '{fileName}' does not follow the Helioviewer form 'YYYY_MM_DD__HH_MM_SS[_mmm]__<observatory>_<instrument>_<detector>_<measurement>.jp2' " +
                  "(the fraction after the seconds has 2 or 3 digits); e.g. '2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2'"
                : $"file name '{fileName}' follows no Helioviewer file-name form; valid names look like {ValidExamples}";
            return false;
        }

        if (!TryReadTime(m, out var time, out error))
        {
            error = $"file name '{fileName}': {error}";
            return false;
        }

        switch (lookup.Outcome)
        {
            case FileNameTokenIndex.Outcome.Unknown:
                error = $"file name '{fileName}': no known Helioviewer source for {family}tokens '{lookup.Key}'; " +
                        $"a valid name looks like {ValidExamples}";
                return false;
            case FileNameTokenIndex.Outcome.Ambiguous:
                error = $"file name '{fileName}': {family}tokens '{lookup.Key}' match several sources " +
                        $"({string.Join(", ", lookup.Sources.Select(s => s.Name))}); the table must be fixed before such files can be accepted";
                return false;
            case FileNameTokenIndex.Outcome.Encoded:
                info = new FileNameInfo(fileName, time, lookup.Sources[0]);
                return true;
            case FileNameTokenIndex.Outcome.SourceSilent:
                info = new FileNameInfo(fileName, time, Source: null) { CompatibleSources = lookup.Sources };
                return true;
            default:
                throw new InvalidOperationException($"Unhandled lookup outcome {lookup.Outcome}.");
        }
    }

    /// <exception cref="InvalidFileNameException">The name is not a valid Helioviewer file name; the message says why.</exception>
    public static FileNameInfo Parse(string fileName, DataSources sources) =>
        TryParse(fileName, sources, out var info, out var error)
            ? info
            : throw new InvalidFileNameException(fileName ?? "", error);

    /// <summary>
    /// The checks every stored name must pass whatever its family: a bare, plain-ASCII name with a <c>.jp2</c>
    /// extension that cannot climb out of or point outside the archive. Null when the name passes.
    /// </summary>
    internal static string? CheckBareName(string? fileName)
    {
        if (string.IsNullOrEmpty(fileName))
            return "file name is empty; a valid name looks like '2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2'";
        if (fileName.Length > MaxLength)
            return $"file name is {fileName.Length} characters long; at most {MaxLength} are allowed";

        for (var i = 0; i < fileName.Length; i++)
        {
            var c = fileName[i];
            if (char.IsControl(c))
                return $"file name '{Printable(fileName)}' contains the control character U+{(int)c:X4} at position {i}; file names are plain printable ASCII";
            if (c > 0x7E)
                return $"file name '{Printable(fileName)}' contains the non-ASCII character U+{(int)c:X4} at position {i}; " +
                       "Helioviewer file names are plain ASCII (look-alike letters and digits from other scripts are rejected)";
        }

        if (fileName[0] is '/' or '\\' || (fileName.Length >= 2 && char.IsAsciiLetter(fileName[0]) && fileName[1] == ':'))
            return $"file name '{fileName}' is an absolute path; expected a bare file name such as '2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2'";
        var separator = fileName.IndexOfAny(['/', '\\']);
        if (separator >= 0)
            return $"file name '{fileName}' contains the path separator '{fileName[separator]}' at position {separator}; " +
                   "expected a bare file name: the archive folder comes from the dataset, never from the name";
        if (fileName.Contains("..", StringComparison.Ordinal))
            return $"file name '{fileName}' contains '..'; Helioviewer file names never do";

        for (var i = 0; i < fileName.Length; i++)
        {
            var c = fileName[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
                return $"file name '{fileName}' contains '{c}' at position {i}; Helioviewer file names use only letters, digits, '_', '-' and '.'";
        }

        if (!fileName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return fileName.EndsWith(Extension, StringComparison.OrdinalIgnoreCase)
                ? $"file name '{fileName}' ends in '{fileName[^Extension.Length..]}'; the extension must be exactly lowercase '{Extension}'"
                : $"file name '{fileName}' is not a JPEG2000 file name: it must end in '{Extension}'";
        }
        if (fileName.Length == Extension.Length)
            return $"file name '{fileName}' is only an extension";
        return null;
    }

    private static bool TryReadTime(Match m, out DateTime time, [NotNullWhen(false)] out string? error)
    {
        time = default;
        int Int(string group) => int.Parse(m.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
        int year = Int("y"), month = Int("mo"), day = Int("d"), hour = Int("h"), minute = Int("mi"), second = Int("s");

        // The digits after the seconds are a decimal fraction: "62" is 0.62 s.
        var fraction = m.Groups["f"];
        var millisecond = fraction.Success ? Int("f") * (fraction.Length == 2 ? 10 : 1) : 0;

        if (year < 1)
            error = $"year {year:D4} does not exist";
        else if (month is < 1 or > 12)
            error = $"month {month:D2} does not exist (months run 01 to 12)";
        else if (day < 1 || day > DateTime.DaysInMonth(year, month))
            error = $"day {day:D2} does not exist in {CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(month)} {year:D4} " +
                    $"(it has {DateTime.DaysInMonth(year, month)} days)";
        else if (hour > 23)
            error = $"hour {hour:D2} does not exist (hours run 00 to 23)";
        else if (minute > 59)
            error = $"minute {minute:D2} does not exist (minutes run 00 to 59)";
        else if (second == 60)
            error = "second 60 (a leap second) cannot be stored as a time here; seconds run 00 to 59";
        else if (second > 59)
            error = $"second {second:D2} does not exist (seconds run 00 to 59)";
        else
            error = null;

        if (error is not null)
            return false;
        time = new DateTime(year, month, day, hour, minute, second, millisecond, DateTimeKind.Utc);
        return true;
    }

    /// <summary>Shows a hostile name in a message without writing its control or non-ASCII characters raw.</summary>
    internal static string Printable(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, 300));
        foreach (var c in text)
        {
            if (sb.Length >= 300)
            {
                sb.Append('…');
                break;
            }
            if (c is >= ' ' and <= '~')
                sb.Append(c);
            else
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        }
        return sb.ToString();
    }
}
