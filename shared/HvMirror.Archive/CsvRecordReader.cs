using System.Buffers;
using System.Text;

namespace HvMirror.Archive;

/// <summary>A CSV body that breaks RFC 4180 (or this reader's bounds); <see cref="Line"/> is where the record starts.</summary>
public sealed class CsvFormatException(long line, string problem, bool truncated = false) : Exception(problem)
{
    public long Line { get; } = line;

    /// <summary>The body ended inside a record: cut short rather than malformed.</summary>
    public bool Truncated { get; } = truncated;
}

/// <summary>
/// Reads RFC 4180 records from a stream one at a time, holding at most one record and one buffer (16 K chars) in memory.
/// Fields may be quoted (<c>"a,""b"""</c>, line breaks allowed inside quotes); records end with LF or CRLF; empty lines
/// are skipped, and so are <c>#</c> lines before the first record (HAPI's <c>include=header</c>). A body that ends inside
/// a record, without its line break, is an error: a response cut short must never pass for a complete last record.
/// Bounding each read in time is the stream's work (<see cref="IdleTimeoutStream"/> for a peer's answer). HvMirror's
/// one CSV reader: HAPI <c>/data</c> answers and the source table (<see cref="DataSources"/>) both go through it.
/// </summary>
public sealed class CsvRecordReader : IDisposable
{
    private static readonly SearchValues<char> Special = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<char> QuoteOrNewline = SearchValues.Create("\"\n");

    private readonly TextReader _reader;
    private readonly bool _ownsReader;
    private readonly int _maxRecordChars;
    private readonly char[] _buffer = new char[16 * 1024];
    private readonly StringBuilder _field = new();
    private int _pos;
    private int _len;
    private bool _eof;
    private long _line = 1;
    private bool _seenRecord;

    /// <summary>A reader of UTF-8 bytes (invalid bytes are an error, not replaced).</summary>
    public CsvRecordReader(Stream stream, int maxRecordChars = 1 << 20)
        : this(new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true,
            bufferSize: 16 * 1024, leaveOpen: true), maxRecordChars)
    {
        _ownsReader = true;
    }

    /// <summary>A reader of text already decoded; the caller keeps <paramref name="reader"/> and disposes it.</summary>
    public CsvRecordReader(TextReader reader, int maxRecordChars = 1 << 20)
    {
        _reader = reader;
        _maxRecordChars = maxRecordChars;
    }

    /// <summary>The line (1-based) on which the last record returned by <see cref="ReadAsync"/> starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>True when the stream ended with no record at all (an empty body).</summary>
    public bool IsEmpty => _eof && !_seenRecord;

    /// <summary>
    /// The first character of the body that is not white space, or -1 when the body is empty or the first buffer holds
    /// only white space. Reads the first buffer if needed; consumes nothing.
    /// </summary>
    public async ValueTask<int> PeekFirstSignificantAsync(CancellationToken cancellationToken)
    {
        if (_pos == _len && !await FillAsync(cancellationToken))
            return -1;
        for (var i = _pos; i < _len; i++)
            if (!char.IsWhiteSpace(_buffer[i]) && _buffer[i] != '\uFEFF')
                return _buffer[i];
        return -1;
    }

    /// <summary>Reads up to <paramref name="maxChars"/> of what is left of the body, for quoting it in an error.</summary>
    public async ValueTask<string> ReadRestAsync(int maxChars, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        while (text.Length < maxChars)
        {
            if (_pos == _len && !await FillAsync(cancellationToken))
                break;
            var take = Math.Min(_len - _pos, maxChars - text.Length);
            text.Append(_buffer, _pos, take);
            _pos += take;
        }
        return text.ToString();
    }

    /// <summary>Reads the next record into <paramref name="fields"/>; false at the clean end of the body.</summary>
    /// <exception cref="CsvFormatException">The body breaks RFC 4180, a record is too long, or it ends inside a record.</exception>
    /// <exception cref="TimeoutException">The stream's read timed out (<see cref="IdleTimeoutStream"/>).</exception>
    public async ValueTask<bool> ReadAsync(List<string> fields, CancellationToken cancellationToken)
    {
        fields.Clear();
        _field.Clear();
        var state = State.FieldStart;
        var recordLine = _line;
        var recordChars = 0;
        var comment = false;
        while (true)
        {
            if (_pos == _len && !await FillAsync(cancellationToken))
            {
                if (state == State.FieldStart && fields.Count == 0 && !comment)
                    return false;
                throw new CsvFormatException(recordLine,
                    "the body ends in the middle of a record, without the line break that ends every record", truncated: true);
            }

            // Fast path: copy a run of ordinary characters at once.
            if (state is State.Unquoted or State.Quoted || comment)
            {
                var span = _buffer.AsSpan(_pos, _len - _pos);
                var stop = comment ? span.IndexOf('\n') : state == State.Unquoted ? span.IndexOfAny(Special) : span.IndexOfAny(QuoteOrNewline);
                var run = stop < 0 ? span.Length : stop;
                if (run > 0)
                {
                    recordChars += run;
                    if (recordChars > _maxRecordChars)
                        throw new CsvFormatException(recordLine, $"a record is longer than {_maxRecordChars} characters");
                    if (!comment)
                        _field.Append(span[..run]);
                    _pos += run;
                    continue;
                }
            }

            var c = _buffer[_pos++];
            if (++recordChars > _maxRecordChars)
                throw new CsvFormatException(recordLine, $"a record is longer than {_maxRecordChars} characters");
            if (c == '\n')
                _line++;

            if (comment)
            {
                // Only '\n' reaches here.
                comment = false;
                recordLine = _line;
                recordChars = 0;
                continue;
            }

            switch (state)
            {
                case State.FieldStart:
                    if (c == '"') { state = State.Quoted; break; }
                    if (c == ',') { fields.Add(""); break; }
                    if (c == '\r')
                    {
                        if (fields.Count > 0) fields.Add(""); // "a,\r\n": the empty last field
                        state = State.CarriageReturn;
                        break;
                    }
                    if (c == '\n')
                    {
                        if (fields.Count == 0)
                        {
                            recordLine = _line; // an empty line: skip it
                            recordChars = 0;
                            break;
                        }
                        fields.Add("");
                        return Record(recordLine);
                    }
                    if (c == '#' && fields.Count == 0 && !_seenRecord)
                    {
                        comment = true;
                        break;
                    }
                    _field.Append(c);
                    state = State.Unquoted;
                    break;

                case State.Unquoted:
                    if (c == ',') { EndField(fields); state = State.FieldStart; break; }
                    if (c == '\n') { EndField(fields); return Record(recordLine); }
                    if (c == '\r') { EndField(fields); state = State.CarriageReturn; break; }
                    throw new CsvFormatException(recordLine, "a field that does not start with a double quote contains one (RFC 4180 quotes the whole field)");

                case State.Quoted:
                    if (c == '"') { state = State.QuoteInQuoted; break; }
                    _field.Append(c); // only '\n' gets here
                    break;

                case State.QuoteInQuoted:
                    if (c == '"') { _field.Append('"'); state = State.Quoted; break; }
                    if (c == ',') { EndField(fields); state = State.FieldStart; break; }
                    if (c == '\n') { EndField(fields); return Record(recordLine); }
                    if (c == '\r') { EndField(fields); state = State.CarriageReturn; break; }
                    throw new CsvFormatException(recordLine, "a quoted field is followed by something other than a comma or the end of the line");

                case State.CarriageReturn:
                    if (c != '\n')
                        throw new CsvFormatException(recordLine, "a carriage return outside quotes is not followed by a line feed");
                    if (fields.Count == 0)
                    {
                        recordLine = _line;
                        recordChars = 0;
                        state = State.FieldStart;
                        break;
                    }
                    return Record(recordLine);
            }
        }
    }

    private bool Record(long line)
    {
        RecordLine = line;
        _seenRecord = true;
        return true;
    }

    private void EndField(List<string> fields)
    {
        fields.Add(_field.ToString());
        _field.Clear();
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_eof)
            return false;
        var read = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        _pos = 0;
        _len = read;
        if (read == 0)
            _eof = true;
        return read > 0;
    }

    public void Dispose()
    {
        if (_ownsReader) _reader.Dispose();
    }

    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
        CarriageReturn,
    }
}
