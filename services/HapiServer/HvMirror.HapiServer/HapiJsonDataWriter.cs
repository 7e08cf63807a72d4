using System.IO.Pipelines;
using System.Text.Json;
using HvMirror.Hapi;

namespace HvMirror.HapiServer;

/// <summary>
/// Writes a json data answer (HAPI 3.3 §3.7.4.3): the info header's members, then the records in a <c>data</c> array,
/// straight into the response pipe, flushed whenever enough is pending, so memory stays flat.
/// </summary>
internal static class HapiJsonDataWriter
{
    private const int FlushThreshold = 64 * 1024;

    private static readonly JsonWriterOptions Compact = new() { Indented = false };

    public static async Task WriteAsync(PipeWriter pipe, HapiInfoResponse header, HapiRecordStream records, CancellationToken ct)
    {
        var (rows, any, fields, baseUrl) = records;
        await using var json = new Utf8JsonWriter(pipe, Compact);
        json.WriteStartObject();
        // The header's members go first in the same object as the data array, which a serialized record cannot leave open.
        foreach (var member in JsonSerializer.SerializeToElement(header, HapiJsonContext.Default.HapiInfoResponse).EnumerateObject())
            member.WriteTo(json);
        json.WriteStartArray("data");
        var chars = new char[32];
        while (any)
        {
            var row = rows.Current;
            json.WriteStartArray();
            foreach (var field in fields)
            {
                switch (field)
                {
                    case HapiField.Time: WriteTime(json, chars, row.Time); break;
                    case HapiField.Name: json.WriteStringValue(row.Name); break;
                    case HapiField.Checksum: json.WriteStringValue(row.Checksum); break;
                    case HapiField.Url: json.WriteStringValue(HapiDatasets.Url(baseUrl, row.ArchivePath)); break;
                    case HapiField.Size: json.WriteNumberValue(row.Size); break;
                    case HapiField.Ingested: WriteTime(json, chars, row.IngestedAt); break;
                    case HapiField.Files: json.WriteNumberValue(row.Files); break;
                    // A long is written as whole digits, never an exponent, though the parameter is a double.
                    case HapiField.Bytes: json.WriteNumberValue(row.Bytes); break;
                    case HapiField.Digest: json.WriteStringValue(row.Digest); break;
                }
            }
            json.WriteEndArray();
            if (json.BytesPending > FlushThreshold)
            {
                json.Flush();
                if ((await pipe.FlushAsync(ct)).IsCompleted) return;
            }
            any = await rows.MoveNextAsync();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        await pipe.FlushAsync(ct);
    }

    private static void WriteTime(Utf8JsonWriter json, char[] chars, DateTime value)
    {
        HapiTime.TryFormat(value, chars, out var n);
        json.WriteStringValue(chars.AsSpan(0, n));
    }
}
