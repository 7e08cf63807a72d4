namespace HvMirror.Archive;

/// <summary>What a Helioviewer file name says about its file.</summary>
/// <param name="FileName">The file name itself, unchanged.</param>
/// <param name="ObservationTime">The observation time in the name, UTC (<see cref="DateTimeKind.Utc"/>), to the millisecond the name carries.</param>
/// <param name="Source">
/// The source the name encodes; null when the name's family does not encode it (XRT's <c>…__HINODE_XRT.jp2</c>),
/// in which case <see cref="CompatibleSources"/> lists the sources the file may belong to.
/// </param>
public sealed record FileNameInfo(string FileName, DateTime ObservationTime, DataSource? Source)
{
    /// <summary>
    /// The sources this file may belong to: just <see cref="Source"/> when the name encodes it, every source of the
    /// name's family when it does not (all XRT filter pairs), empty when nothing is known (a hand-made instance).
    /// </summary>
    public IReadOnlyList<DataSource> CompatibleSources { get; init; } = Source is null ? [] : [Source];

    /// <summary>
    /// True when a file of this name may belong to <paramref name="dataset"/>: a name that encodes a source must name
    /// exactly that dataset; a source-silent name must at least be of the dataset's family.
    /// </summary>
    public bool AgreesWith(DataSource dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (Source is not null)
            return Source == dataset;
        return CompatibleSources.Count == 0 || CompatibleSources.Contains(dataset);
    }

    // The compiler-made equality would compare the list by reference, so two parses of one name would differ.
    public bool Equals(FileNameInfo? other) =>
        other is not null
        && FileName == other.FileName
        && ObservationTime == other.ObservationTime
        && ObservationTime.Kind == other.ObservationTime.Kind
        && Source == other.Source
        && CompatibleSources.SequenceEqual(other.CompatibleSources);

    public override int GetHashCode() => HashCode.Combine(FileName, ObservationTime, Source);
}
