using System.Text;
using Microsoft.AspNetCore.Http;
using static HvMirror.HapiClient.Tests.ScriptedServer;

namespace HvMirror.HapiClient.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuringCollection
{
    public const string Name = "memory measuring (runs alone)";
}

/// <summary>The /data body is parsed as it arrives: the client never buffers the whole response.</summary>
[Collection(MemoryMeasuringCollection.Name)]
public sealed class StreamingTests
{
    private const int Rows = 200_000;
    private const int FirstBatch = 1_000;
    private const int Batch = 2_000;

    [Fact]
    public async Task Two_hundred_thousand_rows_stream_through_record_by_record_without_buffering_the_body()
    {
        await using var server = await StartAsync();
        var firstRecordSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waitedInVain = false;
        var finished = 0;
        long bytesWritten = 0;
        server.Data = async (context, request) =>
        {
            var text = new StringBuilder();
            for (var i = 0; i < Rows; i++)
            {
                text.Append(Row(request.Start.AddMilliseconds(i)));
                if (i == FirstBatch - 1 || (i + 1) % Batch == 0 || i == Rows - 1)
                {
                    var bytes = Encoding.UTF8.GetBytes(text.ToString());
                    text.Clear();
                    await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    bytesWritten += bytes.Length;
                }
                if (i == FirstBatch - 1)
                {
                    // The rest is written only once the client has a record in hand (or after 20 s, failing the test).
                    try { await firstRecordSeen.Task.WaitAsync(TimeSpan.FromSeconds(20)); }
                    catch (TimeoutException) { waitedInVain = true; }
                }
            }
            Volatile.Write(ref finished, 1);
        };

        using var client = server.Client(new UpstreamClientOptions { ChunkLength = TimeSpan.FromDays(1) });
        var count = 0;
        var finishedAtFirstRecord = true;
        long baseline = 0, peak = 0;
        var previous = DateTime.MinValue;
        await foreach (var record in client.ReadAsync(Dataset, StartDate, StartDate.AddHours(1)))
        {
            Assert.True(record.Time > previous);
            previous = record.Time;
            count++;
            if (count == 1)
            {
                finishedAtFirstRecord = Volatile.Read(ref finished) == 1;
                firstRecordSeen.TrySetResult();
            }
            else if (count == 2 * FirstBatch)
            {
                baseline = GC.GetTotalMemory(forceFullCollection: true);
            }
            else if (count % 40_000 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
            }
        }

        Assert.Equal(Rows, count);
        Assert.False(finishedAtFirstRecord, "the first record arrived only after the server had written the whole body");
        Assert.False(waitedInVain, "the server waited 20 s for the client's first record: the client waits for the whole body before parsing");
        Assert.Single(server.DataRequests);
        Assert.True(bytesWritten > 40_000_000, $"the body should be large (~43 MB), was {bytesWritten} bytes");
        // Holding the body (bytes or the strings parsed from it) would add tens of MB of live memory; streaming adds next to none.
        Assert.True(peak - baseline < 12_000_000,
            $"live memory grew by {(peak - baseline) / 1e6:0.0} MB while reading a {bytesWritten / 1e6:0.0} MB body");
    }
}
