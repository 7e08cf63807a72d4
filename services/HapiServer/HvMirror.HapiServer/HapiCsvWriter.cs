using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using HvMirror.Archive;
using HvMirror.Hapi;

namespace HvMirror.HapiServer;

/// <summary>
/// Writes a csv data answer (HAPI 3.3 §3.7.4.1) straight into the response pipe, one record at a time, so memory stays
/// flat however many records there are.
/// </summary>
internal static class HapiCsvWriter
{
    /// <summary>CSV rows are ~200 bytes: flushing every 256 rows sends ~50 KB at a time and keeps memory flat.</summary>
    private const int RowsPerFlush = 256;

    /// <param name="header">The info header to put first, each line prefixed with '#' (include=header), or null.</param>
    public static async Task WriteAsync(PipeWriter pipe, HapiInfoResponse? header, HapiRecordStream records, CancellationToken ct)
    {
        if (header is not null)
        {
            var text = Encoding.UTF8.GetString(HapiResponder.Serialize(header, HapiJsonContext.Default.HapiInfoResponse).Span).ReplaceLineEndings("\n");
            var prefixed = "#" + text.Replace("\n", "\n#", StringComparison.Ordinal) + "\n";
            pipe.Write(Encoding.UTF8.GetBytes(prefixed));
        }
        var (rows, any, fields, baseUrl) = records;
        var urlPrefix = Encoding.UTF8.GetBytes(baseUrl + HapiDatasets.Jp2Prefix);
        var pending = 0;
        while (any)
        {
            var row = rows.Current;
            for (var k = 0; k < fields.Count; k++)
            {
                if (k > 0) WriteByte(pipe, (byte)',');
                switch (fields[k])
                {
                    case HapiField.Time: WriteTime(pipe, row.Time); break;
                    case HapiField.Name: WriteString(pipe, row.Name); break;
                    case HapiField.Checksum: WriteString(pipe, row.Checksum); break;
                    case HapiField.Url: WriteUrl(pipe, urlPrefix, baseUrl, row.ArchivePath); break;
                    case HapiField.Size: WriteInteger(pipe, row.Size); break;
                    case HapiField.Ingested: WriteTime(pipe, row.IngestedAt); break;
                    case HapiField.Files: WriteInteger(pipe, row.Files); break;
                    case HapiField.Bytes: WriteInteger(pipe, row.Bytes); break;
                    case HapiField.Digest: WriteString(pipe, row.Digest); break;
                }
            }
            WriteByte(pipe, (byte)'\n');
            if (++pending == RowsPerFlush)
            {
                pending = 0;
                if ((await pipe.FlushAsync(ct)).IsCompleted) return;
            }
            any = await rows.MoveNextAsync();
        }
        await pipe.FlushAsync(ct);
    }

    private static void WriteTime(PipeWriter pipe, DateTime value)
    {
        var span = pipe.GetSpan(32);
        value.TryFormat(span, out var written, HapiTime.OutputFormat, CultureInfo.InvariantCulture);
        pipe.Advance(written);
    }

    /// <summary>Whole digits, never an exponent: also how a double that counts bytes is written.</summary>
    private static void WriteInteger(PipeWriter pipe, long value)
    {
        var digits = pipe.GetSpan(20);
        Utf8Formatter.TryFormat(value, digits, out var length);
        pipe.Advance(length);
    }

    private static void WriteUrl(PipeWriter pipe, byte[] prefix, string baseUrl, string archivePath)
    {
        if (ArchivePath.IsSafeRelative(archivePath))
        {
            pipe.Write(prefix);
            var span = pipe.GetSpan(archivePath.Length);
            var n = Encoding.ASCII.GetBytes(archivePath, span);
            pipe.Advance(n);
        }
        else
        {
            WriteString(pipe, HapiDatasets.Url(baseUrl, archivePath));
        }
    }

    private static void WriteByte(PipeWriter pipe, byte value)
    {
        pipe.GetSpan(1)[0] = value;
        pipe.Advance(1);
    }

    /// <summary>RFC 4180: a value holding a comma, quote or line break is quoted, its quotes doubled.</summary>
    private static void WriteString(PipeWriter pipe, string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            var span = pipe.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
            pipe.Advance(Encoding.UTF8.GetBytes(value, span));
            return;
        }
        var quoted = "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var target = pipe.GetSpan(Encoding.UTF8.GetMaxByteCount(quoted.Length));
        pipe.Advance(Encoding.UTF8.GetBytes(quoted, target));
    }
}
