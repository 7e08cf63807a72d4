using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace HvMirror.Archive;

/// <summary>
/// The table of known Helioviewer data sources. <see cref="Helioviewer"/> is the table shipped with the
/// library (<c>Data/helioviewer-sources.csv</c>); <see cref="Parse"/> loads another one, e.g. in tests.
/// </summary>
public sealed class DataSources
{
    public const string ResourceName = "HvMirror.Archive.helioviewer-sources.csv";

    /// <summary>The columns the table must have, in this order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["sourceId", "name", "observatory", "instrument", "detector", "measurement", "nickname", "layout", "example_file"];

    private static readonly Lazy<DataSources> HelioviewerTable = new(LoadEmbedded);

    private readonly Dictionary<string, DataSource> _byName;
    private readonly Dictionary<int, DataSource> _byId;
    private readonly Lazy<FileNameTokenIndex> _fileNameIndex;

    private DataSources(IReadOnlyList<DataSource> all)
    {
        All = all;
        _byName = all.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _byId = all.ToDictionary(s => s.SourceId);
        _fileNameIndex = new(() => new FileNameTokenIndex(this));
    }

    /// <summary>The 152 sources of Helioviewer, parsed once from the embedded table.</summary>
    public static DataSources Helioviewer => HelioviewerTable.Value;

    /// <summary>Every source, in table order.</summary>
    public IReadOnlyList<DataSource> All { get; }

    /// <summary>Looks a source up by its dataset id (e.g. <c>AIA_171</c>): exact and case-sensitive, as HAPI ids are.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out DataSource? source) =>
        _byName.TryGetValue(name, out source);

    public DataSource? FindById(int sourceId) => _byId.GetValueOrDefault(sourceId);

    internal FileNameTokenIndex FileNameIndex => _fileNameIndex.Value;

    /// <summary>
    /// Parses a source table in the <c>helioviewer-sources.csv</c> format.
    /// </summary>
    /// <exception cref="InvalidDataException">The header, a row, or the uniqueness of ids and names is wrong; the message names the line.</exception>
    public static DataSources Parse(TextReader csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var sources = new List<DataSource>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<int>();
        var headerSeen = false;

        // A table's last line may lack its line break (only a network answer can be cut short). Local text: the reader's
        // reads complete at once, so waiting on them here blocks nothing.
        var text = csv.ReadToEnd();
        using var lines = new StringReader(text.EndsWith('\n') ? text : text + "\n");
        using var reader = new CsvRecordReader(lines);
        var fields = new List<string>();
        while (ReadRecord(reader, fields))
        {
            var line = (int)reader.RecordLine;
            if (!headerSeen)
            {
                if (!fields.SequenceEqual(Columns, StringComparer.Ordinal))
                    throw new InvalidDataException(
                        $"Source table line {line}: expected the header '{string.Join(',', Columns)}', found '{string.Join(',', fields)}'.");
                headerSeen = true;
                continue;
            }

            if (fields.Count != Columns.Count)
                throw new InvalidDataException($"Source table line {line}: expected {Columns.Count} fields, found {fields.Count}.");

            var source = ParseRow(line, fields);
            if (!ids.Add(source.SourceId))
                throw new InvalidDataException($"Source table line {line}: sourceId {source.SourceId} appears twice.");
            if (!names.Add(source.Name))
                throw new InvalidDataException($"Source table line {line}: name '{source.Name}' appears twice.");
            sources.Add(source);
        }

        if (!headerSeen)
            throw new InvalidDataException("Source table is empty: expected a header line and one line per source.");
        return new DataSources(sources);
    }

    public static DataSources Parse(string csvText) => Parse(new StringReader(csvText));

    private static bool ReadRecord(CsvRecordReader reader, List<string> fields)
    {
        try
        {
            return reader.ReadAsync(fields, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        catch (CsvFormatException e)
        {
            throw new InvalidDataException($"Source table line {e.Line}: {e.Message}.", e);
        }
    }

    private static DataSource ParseRow(int line, IReadOnlyList<string> f)
    {
        if (!int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw new InvalidDataException($"Source table line {line}: sourceId '{f[0]}' is not a non-negative integer.");

        string Required(int column)
        {
            var value = f[column].Trim();
            if (value.Length == 0)
                throw new InvalidDataException($"Source table line {line}: column '{Columns[column]}' is empty.");
            return value;
        }

        var layout = f[7].Trim();
        // A layout without the date placeholders would pile every day of a source into one folder.
        if (layout.Length > 0 && !(layout.Contains("{yyyy}") && layout.Contains("{MM}") && layout.Contains("{dd}")))
            throw new InvalidDataException($"Source table line {line}: layout '{layout}' lacks the {{yyyy}}/{{MM}}/{{dd}} placeholders.");

        var example = f[8].Trim();
        return new DataSource(
            SourceId: id,
            Name: Required(1),
            Observatory: Required(2),
            Instrument: f[3].Trim(),
            Detector: f[4].Trim(),
            Measurement: Required(5),
            Nickname: Required(6),
            Layout: layout,
            ExampleFile: example.Length == 0 ? null : example);
    }

    private static DataSources LoadEmbedded()
    {
        using var stream = typeof(DataSources).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing from {typeof(DataSources).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }
}
