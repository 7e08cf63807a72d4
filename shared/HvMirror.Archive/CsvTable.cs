using System.Text;

namespace HvMirror.Archive;

/// <summary>
/// A minimal RFC 4180 reader: comma separated, optional double-quoted fields with <c>""</c> escapes,
/// quoted fields may hold commas and line breaks, LF or CRLF line ends.
/// </summary>
/// <remarks>
/// Written here rather than taken from a package because the source table is the only CSV the archive
/// library reads, and a dependency for ~60 lines is not worth its update churn.
/// </remarks>
internal static class CsvTable
{
    /// <summary>Every record with the 1-based line it starts on (so errors can point at the line).</summary>
    public static IEnumerable<(int Line, IReadOnlyList<string> Fields)> Read(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var inQuotes = false;
        var fieldWasQuoted = false;
        var anyCharInRecord = false;

        while (true)
        {
            var next = reader.Read();
            if (next == -1)
            {
                if (inQuotes)
                    throw new InvalidDataException($"CSV line {recordLine}: a quoted field is not closed before the end of the file.");
                if (anyCharInRecord)
                {
                    fields.Add(field.ToString());
                    yield return (recordLine, fields.ToArray());
                }
                yield break;
            }

            var c = (char)next;
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0 && !fieldWasQuoted:
                    inQuotes = true;
                    fieldWasQuoted = true;
                    anyCharInRecord = true;
                    break;
                case '"':
                    throw new InvalidDataException($"CSV line {line}: a double quote inside an unquoted field; quote the whole field and double the quote.");
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldWasQuoted = false;
                    anyCharInRecord = true;
                    break;
                case '\r' when reader.Peek() == '\n':
                    break;
                case '\r':
                case '\n':
                    if (anyCharInRecord)
                    {
                        fields.Add(field.ToString());
                        yield return (recordLine, fields.ToArray());
                    }
                    fields.Clear();
                    field.Clear();
                    fieldWasQuoted = false;
                    anyCharInRecord = false;
                    line++;
                    recordLine = line;
                    break;
                default:
                    if (fieldWasQuoted)
                        throw new InvalidDataException($"CSV line {line}: text after the closing quote of a quoted field.");
                    field.Append(c);
                    anyCharInRecord = true;
                    break;
            }
        }
    }
}
