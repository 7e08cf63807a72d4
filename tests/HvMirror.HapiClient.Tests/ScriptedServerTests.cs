using System.Net;
using System.Net.Sockets;
using HvMirror.Hapi;
using Microsoft.AspNetCore.Http;
using static HvMirror.HapiClient.Tests.ScriptedServer;

namespace HvMirror.HapiClient.Tests;

/// <summary>The client against scripted HAPI peers on the loopback: versions, 1408, 1201, and every kind of bad answer.</summary>
public sealed class ScriptedServerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static DateTime T(int hour) => StartDate.AddHours(hour);

    private static readonly DateTime Begin = StartDate;
    private static readonly DateTime End = StartDate.AddDays(2);

    private static async Task<List<HapiRow>> AllAsync(UpstreamClient client, DateTime from, DateTime to, string dataset = Dataset)
    {
        var list = new List<HapiRow>();
        await foreach (var r in client.ReadAsync(dataset, from, to))
            list.Add(r);
        return list;
    }

    /// <summary>Reads until the expected error; returns the records yielded before it.</summary>
    private static async Task<(List<HapiRow> Records, HapiClientException Error)> ReadUntilErrorAsync(UpstreamClient client,
        DateTime from, DateTime to, string dataset = Dataset)
    {
        var records = new List<HapiRow>();
        var error = await Assert.ThrowsAsync<HapiClientException>(async () =>
        {
            await foreach (var r in client.ReadAsync(dataset, from, to))
                records.Add(r);
        });
        return (records, error);
    }

    private void AssertNames(HapiClientException e, string dataset = Dataset, params string[] problem)
    {
        output.WriteLine(e.Message); // what an operator reads
        Assert.Equal(Upstream, e.Upstream);
        Assert.Equal(dataset, e.Dataset);
        Assert.Contains($"HAPI upstream '{Upstream}', dataset '{dataset}'", e.Message);
        foreach (var p in problem)
            Assert.Contains(p, e.Message);
    }

    /// <summary>Two good rows, the bad one on line 3, then a good row that must never be yielded.</summary>
    private async Task<(List<HapiRow> Records, HapiClientException Error)> BadThirdRowAsync(string badRow)
    {
        await using var server = await StartAsync();
        server.Data = (context, _) => context.Response.WriteAsync(Row(T(0)) + Row(T(1)) + badRow + Row(T(3)));
        using var client = server.Client();
        var result = await ReadUntilErrorAsync(client, Begin, End);
        Assert.Equal([T(0), T(1)], result.Records.Select(r => r.Time));
        Assert.Equal(3, result.Error.Line);
        Assert.False(result.Error.IsTransient);
        AssertNames(result.Error, Dataset, "line 3", "records before it were delivered and none after it");
        return result;
    }

    // ---------------------------------------------------------------- versions

    [Fact]
    public async Task A_hapi_2_server_is_asked_with_id_time_min_and_time_max_only()
    {
        await using var server = await StartAsync(version: "2.1");
        server.Data = (context, request) => context.Response.WriteAsync(Row(request.Start.AddMinutes(1)));
        using var client = server.Client();
        var records = await AllAsync(client, Begin, End);

        Assert.Equal([T(0).AddMinutes(1), T(24).AddMinutes(1)], records.Select(r => r.Time));
        Assert.Equal("2.1", await client.GetHapiVersionAsync());
        var sent = server.Requests.Where(r => r.StartsWith("/hapi/info") || r.StartsWith("/hapi/data")).ToList();
        Assert.Equal(3, sent.Count);
        Assert.All(sent, r => Assert.Contains("id=AIA_171", r));
        Assert.All(sent.Skip(1), r => Assert.Contains("time.min=", r));
        Assert.All(sent.Skip(1), r => Assert.Contains("time.max=", r));
        Assert.DoesNotContain(sent, r => r.Contains("dataset=") || r.Contains("start=") || r.Contains("stop="));
    }

    [Fact]
    public async Task A_hapi_3_server_is_asked_with_dataset_start_and_stop_and_only_the_four_parameters_in_csv()
    {
        await using var server = await StartAsync(version: "3.2");
        server.Data = (context, request) => context.Response.WriteAsync(Row(request.Start));
        using var client = server.Client();
        Assert.Equal([T(0), T(24)], (await AllAsync(client, Begin, End)).Select(r => r.Time));
        Assert.All(server.DataRequests, r =>
        {
            Assert.Equal("Time,name,checksum,url", r.Query["parameters"]);
            Assert.Equal("csv", r.Query["format"]);
            Assert.True(r.Query.ContainsKey("dataset") && r.Query.ContainsKey("start") && r.Query.ContainsKey("stop"));
        });
    }

    // ---------------------------------------------------------------- 1408 and 1201

    [Fact]
    public async Task A_1408_halves_the_chunk_until_the_upstream_accepts_and_every_record_still_arrives_once_in_order()
    {
        await using var server = await StartAsync();
        server.Data = async (context, request) =>
        {
            if (request.Stop - request.Start > TimeSpan.FromHours(6))
            {
                await ErrorAsync(context, 1408, "Bad request - too much time or data requested");
                return;
            }
            for (var t = request.Start; t < request.Stop; t = t.AddHours(1))
                await context.Response.WriteAsync(Row(t));
        };
        using var client = server.Client(new UpstreamClientOptions { ChunkLength = TimeSpan.FromDays(1) });
        var records = await AllAsync(client, Begin, End);

        Assert.Equal(Enumerable.Range(0, 48).Select(T), records.Select(r => r.Time));
        var requests = server.DataRequests.ToList();
        Assert.Equal([TimeSpan.FromDays(1), TimeSpan.FromHours(12), TimeSpan.FromHours(6)], requests.Take(3).Select(r => r.Stop - r.Start));
        Assert.All(requests.Skip(2), r => Assert.Equal(TimeSpan.FromHours(6), r.Stop - r.Start)); // the shrunk chunk is kept
        Assert.Equal(2 + 8, requests.Count);
    }

    [Fact]
    public async Task A_1408_for_the_minimum_chunk_is_an_error_after_the_records_before_it()
    {
        await using var server = await StartAsync();
        server.Data = async (context, request) =>
        {
            if (request.Start >= T(1))
            {
                await ErrorAsync(context, 1408, "Bad request - too much time or data requested");
                return;
            }
            await context.Response.WriteAsync(Row(T(0)));
        };
        using var client = server.Client(new UpstreamClientOptions { ChunkLength = TimeSpan.FromHours(1), MinimumChunkLength = TimeSpan.FromMinutes(15) });
        var (records, e) = await ReadUntilErrorAsync(client, Begin, End);
        Assert.Equal([T(0)], records.Select(r => r.Time));
        Assert.Equal(1408, e.HapiCode);
        AssertNames(e, Dataset, "1408", "MinimumChunkLength", HapiTime.Format(T(1)));
    }

    [Fact]
    public async Task A_1201_answer_with_an_empty_body_means_no_records_and_no_error()
    {
        await using var server = await StartAsync();
        server.Data = null; // HTTP 200, "HAPI 1201" in the status line, empty body
        using var client = server.Client();
        Assert.Empty(await AllAsync(client, Begin, End));
        Assert.Equal(2, server.DataRequests.Count());
    }

    [Fact]
    public async Task A_1201_answer_as_a_hapi_json_status_also_means_no_records()
    {
        await using var server = await StartAsync();
        server.Data = (context, _) => JsonAsync(context, """{"HAPI":"3.3","status":{"code":1201,"message":"OK - no data for time range"}}""");
        using var client = server.Client();
        Assert.Empty(await AllAsync(client, Begin, End));
    }

    // ---------------------------------------------------------------- error answers

    [Fact]
    public async Task An_html_502_page_from_a_proxy_is_a_transient_error_after_the_records_of_earlier_chunks()
    {
        await using var server = await StartAsync();
        server.Data = async (context, request) =>
        {
            if (request.Start == Begin)
            {
                await context.Response.WriteAsync(Row(T(1)) + Row(T(2)));
                return;
            }
            context.Response.StatusCode = 502;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>");
        };
        using var client = server.Client();
        var (records, e) = await ReadUntilErrorAsync(client, Begin, End);
        Assert.Equal([T(1), T(2)], records.Select(r => r.Time));
        Assert.True(e.IsTransient);
        Assert.Equal(502, e.HttpStatus);
        AssertNames(e, Dataset, "HTTP 502", "HTML page", "retried");
    }

    [Fact]
    public async Task An_html_page_with_status_200_asks_whether_the_url_is_the_hapi_base_ending_in_hapi()
    {
        await using var server = await StartAsync();
        server.Override = context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync("<!DOCTYPE html><html><body>Welcome to our observatory</body></html>");
        };
        using var client = server.Client();
        var (records, e) = await ReadUntilErrorAsync(client, Begin, End);
        Assert.Empty(records);
        Assert.False(e.IsTransient);
        AssertNames(e, Dataset, "HTML page, not HAPI", "Is the URL the HAPI base ending in /hapi?");
    }

    [Fact]
    public async Task A_csv_body_that_is_an_html_page_without_an_html_content_type_is_still_an_html_error()
    {
        await using var server = await StartAsync();
        server.Data = (context, _) => context.Response.WriteAsync("\n  <html><body>Maintenance</body></html>\n");
        using var client = server.Client();
        var (records, e) = await ReadUntilErrorAsync(client, Begin, End);
        Assert.Empty(records);
        AssertNames(e, Dataset, "HTML page, not HAPI csv", "ending in /hapi");
    }

    [Fact]
    public async Task A_json_hapi_1406_error_carries_the_code_the_http_status_and_the_upstreams_message()
    {
        await using var server = await StartAsync();
        using var client = server.Client();
        var (records, e) = await ReadUntilErrorAsync(client, Begin, End, dataset: "AIA_1711");
        Assert.Empty(records);
        Assert.Equal(1406, e.HapiCode);
        Assert.Equal(404, e.HttpStatus);
        Assert.False(e.IsTransient);
        AssertNames(e, "AIA_1711", "HAPI 1406", "unknown dataset id", "configuration");
    }

    [Fact]
    public async Task A_json_hapi_1500_error_on_data_is_transient_and_comes_after_the_earlier_records()
    {
        await using var server = await StartAsync();
        server.Data = (context, request) => request.Start == Begin
            ? context.Response.WriteAsync(Row(T(5)))
            : ErrorAsync(context, 1500, "Internal server error - the catalog is down");
        using var client = server.Client();
        var (records, e) = await ReadUntilErrorAsync(client, Begin, End);
        Assert.Equal([T(5)], records.Select(r => r.Time));
        Assert.True(e.IsTransient);
        Assert.Equal(1500, e.HapiCode);
        Assert.Equal(500, e.HttpStatus);
        AssertNames(e, Dataset, "HAPI 1500", "the catalog is down");
    }

    [Fact]
    public async Task Parameters_in_another_order_with_others_between_are_asked_for_in_the_datasets_order_and_read_by_name()
    {
        await using var server = await StartAsync();
        server.Parameters = ["Time", "size", "url", "comment", "name", "checksum"];
        // The columns come back in the dataset's order: url, name, checksum.
        server.Data = (context, request) => context.Response.WriteAsync(
            $"{HapiTime.Format(T(1))},http://127.0.0.1/jp2/AIA/{Name(T(1))},{Name(T(1))},{Sha(T(1))}\n");
        using var client = server.Client();

        var record = Assert.IsType<HapiRecord>(Assert.Single(await AllAsync(client, Begin, Begin.AddDays(1))));

        Assert.Equal(T(1), record.Time);
        Assert.Equal(Name(T(1)), record.Name);
        Assert.Equal(Sha(T(1)), record.Checksum.ToString());
        Assert.Equal($"http://127.0.0.1/jp2/AIA/{Name(T(1))}", record.Url.ToString());
        Assert.All(server.DataRequests, r => Assert.Equal("Time,url,name,checksum", r.Query["parameters"]));
    }

    [Fact]
    public async Task Info_without_one_of_the_four_parameters_is_a_clear_error_naming_it()
    {
        await using var server = await StartAsync();
        server.Parameters = ["Time", "name", "url", "size"];
        using var client = server.Client();
        var (_, e) = await ReadUntilErrorAsync(client, Begin, End);
        AssertNames(e, Dataset, "has no parameter 'checksum'", "Time, name, checksum and url");
        Assert.Empty(server.DataRequests);
    }

    [Fact]
    public async Task Info_whose_first_parameter_is_not_time_is_a_clear_error()
    {
        await using var server = await StartAsync();
        server.Parameters = ["name", "Time", "checksum", "url"];
        using var client = server.Client();
        var (_, e) = await ReadUntilErrorAsync(client, Begin, End);
        AssertNames(e, Dataset, "first parameter is 'name', not Time");
        Assert.Empty(server.DataRequests);
    }

    // ---------------------------------------------------------------- bad records

    [Fact]
    public async Task A_row_with_three_columns_stops_the_read_at_that_row()
    {
        var (_, e) = await BadThirdRowAsync($"{HapiTime.Format(T(2))},x.jp2,{Sha(T(2))}\n");
        Assert.Contains("it has 3 columns; the request asked for 4", e.Message);
    }

    [Fact]
    public async Task An_unparsable_time_stops_the_read_at_that_row()
    {
        var (_, e) = await BadThirdRowAsync(Row(T(2)).Replace(HapiTime.Format(T(2)), "2024-01-01 02:00:00"));
        Assert.Contains("its Time '2024-01-01 02:00:00' is not a HAPI time", e.Message);
    }

    [Fact]
    public async Task A_decreasing_time_stops_the_read_at_that_row()
    {
        var (_, e) = await BadThirdRowAsync(Row(T(0).AddMinutes(30)));
        Assert.Contains("is not after the previous record's " + HapiTime.Format(T(1)), e.Message);
        Assert.Contains("strictly increase", e.Message);
    }

    [Fact]
    public async Task A_row_earlier_than_rows_before_it_names_its_own_time_so_a_cursor_can_stay_before_it()
    {
        await using var server = await StartAsync();
        server.Data = (context, _) => context.Response.WriteAsync(Row(T(0)) + Row(T(2)) + Row(T(3)) + Row(T(1)));
        using var client = server.Client();
        var (_, e) = await ReadUntilErrorAsync(client, Begin, End);
        Assert.Equal(4, e.Line);
        Assert.Equal(T(1), e.RecordTime);
    }

    [Fact]
    public async Task A_repeated_time_stops_the_read_at_that_row()
    {
        var (_, e) = await BadThirdRowAsync(Row(T(1)));
        Assert.Contains("is not after the previous record's", e.Message);
    }

    /// <summary>Two good rows, a row unusable on its own on line 3, then a good row: all four come out, in order.</summary>
    private static async Task<UnusableRecord> UnusableThirdRowAsync(string unusableRow)
    {
        await using var server = await StartAsync();
        server.Data = (context, _) => context.Response.WriteAsync(Row(T(0)) + Row(T(1)) + unusableRow + Row(T(3)));
        using var client = server.Client();
        var rows = await AllAsync(client, Begin, Begin.AddDays(1)); // one chunk: the script ignores the range
        Assert.Equal([T(0), T(1), T(2), T(3)], rows.Select(r => r.Time));
        Assert.All([rows[0], rows[1], rows[3]], r => Assert.IsType<HapiRecord>(r));
        return Assert.IsType<UnusableRecord>(rows[2]);
    }

    [Fact]
    public async Task An_md5_checksum_makes_that_row_unusable_and_the_read_goes_on()
    {
        var unusable = await UnusableThirdRowAsync(Row(T(2), checksum: "md5:0123456789abcdef0123456789abcdef"));
        Assert.Contains("unsupported checksum algorithm 'md5'", unusable.Problem);
        Assert.Contains("sha256", unusable.Problem);
        Assert.Equal(Name(T(2)), unusable.Name);
        Assert.Equal("md5:0123456789abcdef0123456789abcdef", unusable.Checksum);
    }

    [Fact]
    public async Task A_relative_url_makes_that_row_unusable_and_the_read_goes_on()
    {
        var unusable = await UnusableThirdRowAsync(Row(T(2)).Replace("http://127.0.0.1/jp2/", "/jp2/"));
        Assert.Contains("is not an absolute http or https URL", unusable.Problem);
    }

    [Fact]
    public async Task An_empty_name_makes_that_row_unusable_and_the_read_goes_on()
    {
        var unusable = await UnusableThirdRowAsync(Row(T(2)).Replace("," + Name(T(2)) + ",", ",,"));
        Assert.Contains("its name is empty", unusable.Problem);
    }

    [Fact]
    public async Task A_record_outside_the_range_asked_for_stops_the_read_at_that_row()
    {
        var (_, e) = await BadThirdRowAsync(Row(End.AddDays(1)));
        Assert.Contains("lies outside the range asked for", e.Message);
        Assert.Equal(End.AddDays(1), e.RecordTime);
    }

    [Fact]
    public async Task A_body_cut_short_inside_its_last_record_is_transient_and_that_record_is_not_yielded()
    {
        await using var server = await StartAsync();
        server.Data = (context, _) => context.Response.WriteAsync(Row(T(0)) + Row(T(1)) + Row(T(2)).TrimEnd('\n')[..^5]);
        using var client = server.Client();
        var (records, e) = await ReadUntilErrorAsync(client, Begin, End);
        Assert.Equal([T(0), T(1)], records.Select(r => r.Time));
        Assert.True(e.IsTransient);
        Assert.Equal(3, e.Line);
        AssertNames(e, Dataset, "ends in the middle of a record", "cut the response short");
    }

    [Fact]
    public async Task An_upstream_that_stalls_mid_body_is_a_transient_error_after_the_records_it_sent()
    {
        await using var server = await StartAsync();
        server.Data = async (context, _) =>
        {
            await context.Response.WriteAsync(Row(T(0)) + Row(T(1)));
            await context.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { });
        };
        using var client = server.Client(new UpstreamClientOptions { ReadIdleTimeout = TimeSpan.FromMilliseconds(500) });
        var (records, e) = await ReadUntilErrorAsync(client, Begin, End);
        Assert.Equal([T(0), T(1)], records.Select(r => r.Time));
        Assert.True(e.IsTransient);
        AssertNames(e, Dataset, "nothing arrived for");
    }

    // ---------------------------------------------------------------- transport

    [Fact]
    public async Task A_closed_port_is_a_transient_error_naming_the_upstream_the_dataset_and_what_to_check()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        } // closed: nothing listens there now
        using var client = UpstreamClient.Create(Upstream, new Uri($"http://127.0.0.1:{port}/hapi"));
        var (records, e) = await ReadUntilErrorAsync(client, Begin, End);
        Assert.Empty(records);
        Assert.True(e.IsTransient);
        Assert.Null(e.HttpStatus);
        AssertNames(e, Dataset, "could not reach", $"127.0.0.1:{port}", "Check that the upstream is up");
    }

    [Fact]
    public async Task Cancelling_the_read_throws_operation_canceled_not_a_hapi_error()
    {
        await using var server = await StartAsync();
        server.Data = async (context, request) =>
        {
            await context.Response.WriteAsync(Row(request.Start));
            await context.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { });
        };
        using var client = server.Client();
        using var cts = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.ReadAsync(Dataset, Begin, End, cts.Token))
            {
                seen++;
                cts.CancelAfter(100);
            }
        });
        Assert.Equal(1, seen);
    }
}
