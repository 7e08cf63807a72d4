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
        var (rows, any, parameters, baseUrl) = records;
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
            foreach (var p in parameters)
            {
                switch (p)
                {
                    case 0:
                        HapiTime.TryFormat(row.IngestedAt, chars, out var n);
                        json.WriteStringValue(chars.AsSpan(0, n));
                        break;
                    case 1: json.WriteStringValue(row.Name); break;
                    case 2: json.WriteStringValue(row.Checksum); break;
                    case 3: json.WriteStringValue(HapiDatasets.Url(baseUrl, row.ArchivePath)); break;
                    case 4: json.WriteNumberValue(row.Size); break;
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
}
