namespace HvMirror.Archive;

/// <summary>
/// One Helioviewer data source (one HAPI dataset), as listed in <c>helioviewer-sources.csv</c>.
/// </summary>
/// <param name="SourceId">Helioviewer's integer source id (<c>x_sourceId</c> in HAPI info).</param>
/// <param name="Name">The dataset id, e.g. <c>AIA_171</c>.</param>
/// <param name="Observatory">Helioviewer's observatory property, e.g. <c>SDO</c>, <c>STEREO_A</c>.</param>
/// <param name="Instrument">Helioviewer's instrument property; empty for TRACE and RHESSI, which have none.</param>
/// <param name="Detector">Helioviewer's detector property; empty where Helioviewer has none.</param>
/// <param name="Measurement">Helioviewer's measurement property, e.g. <c>171</c>, <c>white-light</c>.</param>
/// <param name="Nickname">The source's top folder in the archive.</param>
/// <param name="Layout">
/// The archive folder relative to the root with <c>{yyyy}</c>/<c>{MM}</c>/<c>{dd}</c> placeholders; empty for
/// virtual sources (Helioviewer's XRT "Any" filter groups), which hold no files of their own.
/// </param>
/// <param name="ExampleFile">A real file name of this source, where one is known.</param>
public sealed record DataSource(
    int SourceId,
    string Name,
    string Observatory,
    string Instrument,
    string Detector,
    string Measurement,
    string Nickname,
    string Layout,
    string? ExampleFile)
{
    /// <summary>False for virtual sources, which have no archive folder and so can never receive a file.</summary>
    public bool HoldsFiles => Layout.Length > 0;

    public override string ToString() => $"{Name} (source {SourceId})";
}
