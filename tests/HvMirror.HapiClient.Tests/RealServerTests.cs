using HvMirror.Hapi;
using HvMirror.Testing;

namespace HvMirror.HapiClient.Tests;

/// <summary>The client against the real HvMirror HAPI server (services/HapiServer/HvMirror.HapiServer.Host), seeded with real files.</summary>
[Collection(RealServerCollection.Name)]
public sealed class RealServerTests(RealServerFixture fixture)
{
    private static readonly UpstreamClientOptions Wide = new() { ChunkLength = TimeSpan.FromDays(3650) };

    private static async Task<List<HapiRecord>> AllAsync(IAsyncEnumerable<HapiRow> records)
    {
        var list = new List<HapiRecord>();
        await foreach (var r in records)
            list.Add(Assert.IsType<HapiRecord>(r)); // a HvMirror server serves only usable records
        return list;
    }

    private static void AssertSame(IEnumerable<SeededFile> expected, IReadOnlyList<HapiRecord> actual)
    {
        var files = expected.ToList();
        Assert.Equal(files.Count, actual.Count);
        for (var i = 0; i < files.Count; i++)
        {
            Assert.Equal(files[i].IngestedAt, actual[i].Time);
            Assert.Equal(DateTimeKind.Utc, actual[i].Time.Kind);
            Assert.Equal(files[i].Name, actual[i].Name);
            Assert.Equal(files[i].Checksum, actual[i].Checksum.ToString());
            Assert.Equal("http://localhost/jp2/" + files[i].ArchivePath, actual[i].Url.ToString());
        }
    }

    [Fact]
    public async Task Catalog_lists_the_datasets_that_hold_files_and_the_hapi_version()
    {
        using var client = fixture.Client();
        var catalog = await client.GetCatalogAsync();
        Assert.Equal("3.3", catalog.HapiVersion);
        Assert.Equal(
            ["AIA_171", "AIA_171.days", "AIA_171.months", "AIA_171.observed", "HMI_MAG", "HMI_MAG.days", "HMI_MAG.months", "HMI_MAG.observed",
             "LASCO_C2", "LASCO_C2.days", "LASCO_C2.months", "LASCO_C2.observed"],
            catalog.Datasets.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.All(catalog.Datasets, d => Assert.False(string.IsNullOrEmpty(d.Title)));
        Assert.Equal("3.3", await client.GetHapiVersionAsync());
    }

    [Fact]
    public async Task Info_gives_the_first_ingestion_as_start_date_a_future_midnight_as_stop_date_and_the_four_parameters_first()
    {
        using var client = fixture.Client();
        var info = await client.GetInfoAsync(RealServerFixture.Aia);
        Assert.Equal(RealServerFixture.T0, info.StartDate);
        Assert.Equal(DateTime.UtcNow.Date.AddDays(2), info.StopDate);
        Assert.Equal(["Time", "name", "checksum", "url"], info.Parameters.Take(4));
        Assert.True(info.Parameters.Count > 4, "the server's extra parameters (size, …) are listed and allowed");
        Assert.Equal(fixture.AiaFiles[^1].IngestedAt, info.ModificationDate);
    }

    [Fact]
    public async Task Reading_the_whole_dataset_with_default_options_returns_every_record_in_order()
    {
        var log = new RequestLog();
        using var client = fixture.Client(log: log);
        var records = await AllAsync(client.ReadAsync(RealServerFixture.Aia, DateTime.MinValue, DateTime.MaxValue));
        AssertSame(fixture.AiaFiles, records);
        // Default chunks are one day: every request spans at most a day.
        Assert.All(log.Data, q => Assert.True(Span(q) <= TimeSpan.FromDays(1), $"{q["start"]} .. {q["stop"]}"));
    }

    [Fact]
    public async Task A_range_in_the_middle_returns_exactly_the_records_with_start_le_time_lt_stop()
    {
        using var client = fixture.Client(Wide);
        var times = RealServerFixture.AiaTimes;
        var records = await AllAsync(client.ReadAsync(RealServerFixture.Aia, times[10], times[20]));
        AssertSame(fixture.AiaFiles.Skip(10).Take(10), records);

        // One tick after a record's time excludes it (the bound is sent with 7 fraction digits, never rounded down).
        var after = await AllAsync(client.ReadAsync(RealServerFixture.Aia, times[0].AddTicks(1), times[3]));
        AssertSame(fixture.AiaFiles.Skip(1).Take(2), after);
    }

    [Fact]
    public async Task Chunking_a_long_range_into_hours_gives_the_same_records_as_one_request()
    {
        var oneLog = new RequestLog();
        var hourLog = new RequestLog();
        using var one = fixture.Client(Wide, oneLog);
        using var hourly = fixture.Client(new UpstreamClientOptions { ChunkLength = TimeSpan.FromHours(1) }, hourLog);
        var from = new DateTime(2024, 2, 28, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2024, 3, 12, 0, 0, 0, DateTimeKind.Utc);

        var whole = await AllAsync(one.ReadAsync(RealServerFixture.Aia, from, to));
        var chunked = await AllAsync(hourly.ReadAsync(RealServerFixture.Aia, from, to));

        AssertSame(fixture.AiaFiles, whole);
        Assert.Equal(whole, chunked);
        Assert.Single(oneLog.Data);
        // From the startDate (2024-03-01) to 2024-03-12: 11 days of one-hour chunks, contiguous.
        Assert.Equal(11 * 24, hourLog.Data.Count);
        Assert.All(hourLog.Data, q => Assert.True(Span(q) <= TimeSpan.FromHours(1)));
        for (var i = 1; i < hourLog.Data.Count; i++)
            Assert.Equal(hourLog.Data[i - 1]["stop"], hourLog.Data[i]["start"]);
    }

    [Fact]
    public async Task Start_and_stop_outside_the_dataset_range_are_clamped_to_it_so_the_server_never_answers_1405()
    {
        var log = new RequestLog();
        using var client = fixture.Client(Wide, log);
        var info = await client.GetInfoAsync(RealServerFixture.Aia);
        var records = await AllAsync(client.ReadAsync(RealServerFixture.Aia,
            new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2200, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        AssertSame(fixture.AiaFiles, records);
        var request = Assert.Single(log.Data);
        Assert.Equal(HapiTime.Format(info.StartDate), request["start"]);
        Assert.Equal(HapiTime.Format(info.StopDate), request["stop"]);
        Assert.Equal("Time,name,checksum,url", request["parameters"]);
        Assert.Equal("csv", request["format"]);

        // A range wholly before the startDate asks nothing at all.
        var before = new RequestLog();
        using var quiet = fixture.Client(Wide, before);
        Assert.Empty(await AllAsync(quiet.ReadAsync(info, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), info.StartDate)));
        Assert.Empty(before.Data);
    }

    [Fact]
    public async Task A_base_url_with_a_trailing_slash_reaches_the_same_endpoints()
    {
        var log = new RequestLog();
        using var client = fixture.Client(Wide, log, baseUrl: "http://localhost/hapi/");
        AssertSame(fixture.AiaFiles, await AllAsync(client.ReadAsync(RealServerFixture.Aia, DateTime.MinValue, DateTime.MaxValue)));
        Assert.Equal(["/hapi/capabilities", "/hapi/info", "/hapi/data"], log.All.Select(u => u.AbsolutePath));
    }

    [Fact]
    public async Task A_name_holding_a_comma_and_quotes_survives_rfc_4180_quoting()
    {
        using var client = fixture.Client(Wide);
        var record = Assert.Single(await AllAsync(client.ReadAsync("LASCO_C2", DateTime.MinValue, DateTime.MaxValue)));
        Assert.Equal("odd,\"quoted\"_name.jp2", record.Name);
    }

    [Fact]
    public async Task An_unknown_dataset_is_a_1406_error_naming_the_upstream_and_the_dataset()
    {
        using var client = fixture.Client();
        var e = await Assert.ThrowsAsync<HapiClientException>(async () => await AllAsync(client.ReadAsync("NO_SUCH_SOURCE", DateTime.MinValue, DateTime.MaxValue)));
        Assert.Equal(1406, e.HapiCode);
        Assert.Equal(404, e.HttpStatus);
        Assert.False(e.IsTransient);
        Assert.Contains("'gsfc-test'", e.Message);
        Assert.Contains("'NO_SUCH_SOURCE'", e.Message);
        Assert.Contains("HAPI 1406", e.Message);
        Assert.Contains("configuration", e.Message);
    }

    [Fact]
    public async Task Over_real_http_with_gzip_accepted_the_client_reads_the_same_records()
    {
        await using var factory = RealServerFixture.CreateFactory(Path.Combine(fixture.Root, "archive"), Path.Combine(fixture.Root, "catalog.db"));
        factory.UseKestrel(0);
        factory.StartServer();
        var server = (Microsoft.AspNetCore.Hosting.Server.IServer)factory.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer))!;
        var address = new Uri(server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());
        using var client = UpstreamClient.Create("gsfc-kestrel", new Uri(address, "/hapi"), Wide);
        var records = await AllAsync(client.ReadAsync(RealServerFixture.Aia, DateTime.MinValue, DateTime.MaxValue));
        Assert.Equal(fixture.AiaFiles.Select(f => (f.IngestedAt, f.Name, f.Checksum)), records.Select(r => (r.Time, r.Name, r.Checksum.ToString())));
        Assert.Equal(address.Host, records[0].Url.Host);
    }

    private static TimeSpan Span(Dictionary<string, string> query)
    {
        Assert.True(HapiTime.TryParse(query["start"], out var start, out _));
        Assert.True(HapiTime.TryParse(query["stop"], out var stop, out _));
        return stop - start;
    }
}
