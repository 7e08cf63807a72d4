namespace HvMirror.Archive;

/// <summary>
/// Maps the source part of each file-name family to sources, built from the source table rather than listed by hand,
/// so a source added to the table is recognised without a code change.
/// </summary>
/// <remarks>
/// Standard names carry <c>observatory_instrument_detector_measurement</c>, where Helioviewer repeats the observatory
/// when there is no instrument (<c>RHESSI_RHESSI_…</c>) and the instrument when there is no detector
/// (<c>SDO_AIA_AIA_94</c>), and writes spaces as underscores (<c>Back_Projection</c>). Where the name spells the
/// observatory differently from the table, <see cref="ObservatoryFileNameSpellings"/> gives the name's spelling.
/// A source's <c>example_file</c> is a real name, so its tokens are accepted for that source too: that covers the
/// irregular ones (KCor's <c>MLSO_KCOR_KCOR_white-light-pB</c>). An example that only names observatory and
/// instrument (XRT's <c>HINODE_XRT</c>) marks a source-silent family: every source of that instrument may hold it.
/// A token string claimed by two sources is ambiguous and rejected rather than resolved by guessing.
/// </remarks>
internal sealed class FileNameTokenIndex
{
    /// <summary>How file names spell observatories whose table name differs (see data/README.md).</summary>
    private static readonly IReadOnlyDictionary<string, string> ObservatoryFileNameSpellings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["STEREO_A"] = "STEREO-A",
        ["STEREO_B"] = "STEREO-B",
        ["GOES"] = "GOES-R",
        ["GONG"] = "NSO-GONG",
    };

    internal enum Outcome { Unknown, Encoded, SourceSilent, Ambiguous }

    internal readonly record struct Lookup(Outcome Outcome, string Key, IReadOnlyList<DataSource> Sources);

    private readonly Dictionary<string, List<DataSource>> _standard = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DataSource>> _sourceSilent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DataSource>> _eui = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DataSource>> _iris = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DataSource>> _punch = new(StringComparer.Ordinal);

    public FileNameTokenIndex(DataSources sources)
    {
        // Virtual sources have no folder, so no file can ever be stored under them.
        var real = sources.All.Where(s => s.HoldsFiles).ToList();

        foreach (var source in real)
        {
            foreach (var tokens in StandardTokens(source))
                Add(_standard, tokens, source);

            if (source.Instrument == "EUI")
                // Solar Orbiter's product names: FSI → fsi174, HRI_EUV → hrieuv174, HRI_LYA → hrilya1216.
                Add(_eui, source.Nickname.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() + source.Measurement, source);
            if (source.Observatory == "IRIS")
                Add(_iris, source.Measurement, source);
            if (source.Observatory == "PUNCH")
                // PUNCH's product code (CAM, PAM) is the last folder of the layout.
                Add(_punch, source.Layout[(source.Layout.LastIndexOf('/') + 1)..], source);
        }

        foreach (var source in real)
        {
            if (source.ExampleFile is null)
                continue;
            var m = HelioviewerFileName.StandardForm().Match(source.ExampleFile);
            if (!m.Success)
                continue;
            var tokens = m.Groups["tokens"].Value;
            if (_standard.TryGetValue(tokens, out var known) && known.Contains(source))
                continue;

            if (tokens == $"{source.Observatory.ToUpperInvariant()}_{InstrumentToken(source)}")
            {
                foreach (var sibling in real.Where(s => s.Observatory == source.Observatory && s.Instrument == source.Instrument))
                    Add(_sourceSilent, tokens, sibling);
            }
            else
            {
                Add(_standard, tokens, source);
            }
        }
    }

    public Lookup FindStandard(string tokens)
    {
        if (_standard.TryGetValue(tokens, out var encoded))
            return Encoded(tokens, encoded);
        if (_sourceSilent.TryGetValue(tokens, out var family))
            return new Lookup(Outcome.SourceSilent, tokens, family.AsReadOnly());
        return new Lookup(Outcome.Unknown, tokens, []);
    }

    public Lookup FindEui(string product) => Find(_eui, product);

    public Lookup FindIris(string wavelength) => Find(_iris, wavelength);

    public Lookup FindPunch(string product) => Find(_punch, product);

    private static Lookup Find(Dictionary<string, List<DataSource>> map, string key) =>
        map.TryGetValue(key, out var sources) ? Encoded(key, sources) : new Lookup(Outcome.Unknown, key, []);

    private static Lookup Encoded(string key, List<DataSource> sources) =>
        new(sources.Count == 1 ? Outcome.Encoded : Outcome.Ambiguous, key, sources.AsReadOnly());

    private static IEnumerable<string> StandardTokens(DataSource s)
    {
        var instrument = InstrumentToken(s);
        var detector = s.Detector.Length > 0 ? s.Detector : instrument;
        var rest = $"{instrument}_{detector}_{s.Measurement}".Replace(' ', '_');
        yield return $"{s.Observatory.Replace(' ', '_')}_{rest}";
        if (ObservatoryFileNameSpellings.TryGetValue(s.Observatory, out var spelled))
            yield return $"{spelled}_{rest}";
    }

    private static string InstrumentToken(DataSource s) => s.Instrument.Length > 0 ? s.Instrument : s.Observatory;

    private static void Add(Dictionary<string, List<DataSource>> map, string key, DataSource source)
    {
        if (!map.TryGetValue(key, out var list))
            map[key] = list = [];
        if (!list.Contains(source))
            list.Add(source);
    }
}
