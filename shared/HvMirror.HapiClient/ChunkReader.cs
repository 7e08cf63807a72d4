using System.Text;
using HvMirror.Archive;
using HvMirror.Hapi;
using static HvMirror.HapiClient.UpstreamText;

namespace HvMirror.HapiClient;

/// <summary>Where one read has got to across its chunks: the Time of the last record yielded.</summary>
internal sealed class ReadProgress
{
    public DateTime? Last;
}

/// <summary>Where the four columns a mirror reads are in a <c>/data</c> row, asked for in the dataset's order.</summary>
internal sealed record RecordColumns(IReadOnlyList<string> Requested, int Name, int Checksum, int Url)
{
    public static RecordColumns Of(IReadOnlyList<string> requested) =>
        new(requested, IndexOf(requested, "name"), IndexOf(requested, "checksum"), IndexOf(requested, "url"));

    private static int IndexOf(IReadOnlyList<string> requested, string parameter)
    {
        for (var i = 0; i < requested.Count; i++)
            if (requested[i] == parameter) return i;
        throw new ArgumentException($"The parameters asked for ({string.Join(",", requested)}) lack '{parameter}'.", nameof(requested));
    }
}

/// <summary>
/// Reads the records of one <c>/data</c> chunk and checks each before it is handed out; every failure becomes a
/// <see cref="HapiClientException"/> that says which line was wrong and why.
/// </summary>
internal sealed class ChunkReader : IDisposable
{
    private readonly string _upstream = "";
    private readonly string _dataset = "";
    private readonly DateTime _start;
    private readonly DateTime _stop;
    private readonly HttpResponseMessage _response;
    private readonly CsvRecordReader? _csv;
    private readonly ReadProgress? _progress;
    private readonly RecordColumns? _columns;
    private readonly IReadOnlyList<string> _requested = [];
    private readonly List<string> _fields = new(8);

    /// <param name="columns">Where a file record's fields are; null for a companion dataset's rows (<see cref="NextFieldsAsync"/>).</param>
    public ChunkReader(string upstream, string dataset, DateTime start, DateTime stop, HttpResponseMessage response,
        CsvRecordReader csv, IReadOnlyList<string> requested, RecordColumns? columns, ReadProgress progress)
    {
        _requested = requested;
        _columns = columns;
        _upstream = upstream;
        _dataset = dataset;
        _start = start;
        _stop = stop;
        _response = response;
        _csv = csv;
        _progress = progress;
    }

    private ChunkReader(HttpResponseMessage response, bool tooMuchData)
    {
        _response = response;
        TooMuchData = tooMuchData;
    }

    /// <summary>A chunk the upstream has no records in (HAPI 1201 or an empty body).</summary>
    public static ChunkReader Empty(HttpResponseMessage response) => new(response, false);

    /// <summary>A chunk the upstream refused as too large (HAPI 1408): to be asked again in halves.</summary>
    public static ChunkReader TooMuch(HttpResponseMessage response) => new(response, true);

    public bool TooMuchData { get; }

    private string What => $"/data response for [{FormatTime(_start)}, {FormatTime(_stop)})";

    public async ValueTask<HapiRow?> NextAsync(CancellationToken cancellationToken) =>
        await ReadRowAsync(cancellationToken).ConfigureAwait(false) ? Check(_csv!.RecordLine) : null;

    /// <summary>Reads the next CSV row into the fields; false at the end (or for a chunk without records).</summary>
    private async ValueTask<bool> ReadRowAsync(CancellationToken cancellationToken)
    {
        if (_csv is null)
            return false;
        try
        {
            return await _csv.ReadAsync(_fields, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Translate(e) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// The next row of a dataset whose rows are not file records (a companion's): the columns asked for, a HAPI time at
    /// or after the previous row's and inside the range; the fields are the caller's to interpret.
    /// </summary>
    public async ValueTask<HapiFields?> NextFieldsAsync(CancellationToken cancellationToken)
    {
        if (!await ReadRowAsync(cancellationToken).ConfigureAwait(false))
            return null;
        var line = _csv!.RecordLine;
        var time = CheckTime(line, strictlyIncreasing: false);
        return new HapiFields(time, [.. _fields], line);
    }

    private DateTime CheckTime(long line, bool strictlyIncreasing)
    {
        var f = _fields;
        var asked = _requested.Count;
        var time = default(DateTime);
        string? timeProblem = null;
        var timed = f.Count > 0 && HapiTime.TryParse(f[0], out time, out timeProblem);
        if (f.Count != asked)
            throw Bad(line, $"it has {f.Count} column{(f.Count == 1 ? "" : "s")}; the request asked for {asked} ({string.Join(",", _requested)})",
                recordTime: timed ? time : null);
        if (!timed)
            throw Bad(line, $"its Time '{Shown(f[0])}' is not a HAPI time: {timeProblem}");
        if (_progress!.Last is { } last && (strictlyIncreasing ? time <= last : time < last))
            throw Bad(line, strictlyIncreasing
                    ? $"its Time {Shown(f[0])} is not after the previous record's {FormatTime(last)}; Time must strictly increase"
                    : $"its Time {Shown(f[0])} is before the previous record's {FormatTime(last)}; records must come in Time order",
                recordTime: time);
        if (time < _start || time >= _stop)
            throw Bad(line, $"its Time {Shown(f[0])} lies outside the range asked for", recordTime: time);
        _progress.Last = time;
        return time;
    }

    /// <summary>
    /// A row that breaks the answer (columns, time, order, range) throws; a row in its place whose own name, checksum or
    /// url is unusable comes back as an <see cref="UnusableRecord"/>.
    /// </summary>
    private HapiRow Check(long line)
    {
        var f = _fields;
        var columns = _columns!;
        var time = CheckTime(line, strictlyIncreasing: true);

        string name = f[columns.Name], checksumText = f[columns.Checksum], urlText = f[columns.Url];
        return HapiRecord.Check(time, name, checksumText, urlText);
    }

    private HapiClientException Bad(long line, string what, string? advice = null, bool transient = false, Exception? inner = null,
        DateTime? recordTime = null) =>
        new(_upstream, _dataset, $"the record on line {line} of the {What} is unusable: {what}",
            (advice ?? "") + "The records before it were delivered and none after it; a mirror's cursor stays before this record. " +
            (transient
                ? "This is retried on the next poll; if it lasts, tell the upstream's operators."
                : "Tell the upstream's operators; nothing on this node needs changing."),
            transient, httpStatus: (int)_response.StatusCode, line: line, inner: inner, recordTime: recordTime);

    /// <summary>The exception to throw for a failure while reading the body, or null to let it pass (a bug).</summary>
    public HapiClientException? Translate(Exception e) => e switch
    {
        CsvFormatException csv when csv.Truncated => Bad(csv.Line, csv.Message,
            "The body stopped inside a record (a proxy or the upstream cut the response short). ", transient: true, inner: e),
        CsvFormatException csv => Bad(csv.Line, $"the CSV is malformed: {csv.Message}", inner: e),
        DecoderFallbackException => new HapiClientException(_upstream, _dataset, $"the {What} is not valid UTF-8 text",
            "The records before the bad bytes were delivered and none after them. Tell the upstream's operators.", false,
            httpStatus: (int)_response.StatusCode, inner: e),
        TimeoutException => new HapiClientException(_upstream, _dataset, $"reading the {What}: {e.Message}",
            "The records before the stall were delivered; this is retried on the next poll. If it lasts, check the upstream's health.",
            true, httpStatus: (int)_response.StatusCode, inner: e),
        IOException or HttpRequestException or OperationCanceledException =>
            new HapiClientException(_upstream, _dataset, $"the connection broke in the middle of the {What}: {Innermost(e)}",
                "The records before the break were delivered; this is retried on the next poll. If it lasts, check the network " +
                "between this node and the upstream.", true, httpStatus: (int)_response.StatusCode, inner: e),
        _ => null,
    };

    public void Dispose()
    {
        _csv?.Dispose();
        _response.Dispose();
    }
}
