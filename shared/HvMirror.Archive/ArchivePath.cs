using System.Globalization;

namespace HvMirror.Archive;

/// <summary>
/// Where a file lives in a Helioviewer archive: <c>&lt;layout with the observation date&gt;/&lt;file name&gt;</c>, relative
/// to the archive root, always with forward slashes. A mirror computes this itself and never trusts a path it is sent.
/// </summary>
public static class ArchivePath
{
    /// <summary>
    /// The relative path of <paramref name="name"/> in <paramref name="source"/>'s folder, e.g.
    /// <c>AIA/2024/12/31/94/2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2</c>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The name encodes another source than <paramref name="source"/> (or belongs to another family), its time is
    /// local rather than UTC, or its file name is not a bare safe name.
    /// </exception>
    /// <exception cref="InvalidOperationException">The source is virtual (no layout) or its layout yields an unsafe path.</exception>
    public static string For(DataSource source, FileNameInfo name)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(name);

        if (!name.AgreesWith(source))
        {
            var named = name.Source is not null
                ? $"encodes source {name.Source.Name}"
                : $"belongs to {string.Join(", ", name.CompatibleSources.Select(s => s.Name))}";
            throw new ArgumentException($"File '{name.FileName}' {named}, not dataset {source.Name}: a file is stored only under the source its name states.", nameof(name));
        }
        if (!source.HoldsFiles)
            throw new InvalidOperationException($"Source {source.Name} has no archive layout: it is a virtual source that holds no files of its own.");
        if (name.ObservationTime.Kind == DateTimeKind.Local)
            throw new ArgumentException($"The observation time of '{name.FileName}' is local time; archive folders are dated in UTC.", nameof(name));
        var bareNameError = HelioviewerFileName.CheckBareName(name.FileName);
        if (bareNameError is not null)
            throw new ArgumentException(bareNameError, nameof(name));

        var t = name.ObservationTime;
        var folder = source.Layout
            .Replace("{yyyy}", t.Year.ToString("D4", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{MM}", t.Month.ToString("D2", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{dd}", t.Day.ToString("D2", CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var path = $"{folder}/{name.FileName}";
        if (!IsSafeRelative(path))
            throw new InvalidOperationException($"The layout '{source.Layout}' of source {source.Name} yields the unsafe path '{HelioviewerFileName.Printable(path)}'.");
        return path;
    }

    /// <summary>
    /// True when <paramref name="relativePath"/> is safe to join to an archive root when serving: relative,
    /// forward slashes only, no empty, <c>.</c> or <c>..</c> segment, and only the characters of Helioviewer folder and
    /// file names (ASCII letters, digits, <c>_</c>, <c>-</c>, <c>.</c>), so no drive letters, no look-alike Unicode.
    /// </summary>
    public static bool IsSafeRelative(string? relativePath)
    {
        if (string.IsNullOrEmpty(relativePath) || relativePath.Length > 4096)
            return false;
        foreach (var c in relativePath)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/'))
                return false;
        }
        foreach (var segment in relativePath.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
                return false;
        }
        return true;
    }
}
