using HvMirror.Hapi;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using static HvMirror.HapiServer.Tests.TestHelpers;

namespace HvMirror.HapiServer.Tests;

[Collection(HapiServerCollection.Name)]
public sealed class HapiDataTests(HapiServerFixture fixture)
{
    private const string WholeAia = "/hapi/data?dataset=AIA_171&start=2024-03-01T12:00:00.000001Z&stop=2024-05-01";
    private HttpClient Client => fixture.Client;

    private async Task<List<string[]>> CsvAsync(string url)
    {
        using var response = await Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        return ParseCsv(body);
    }

    private static string Time(DateTime t) => HapiTime.Format(t);

    [Fact]
    public async Task Csv_returns_every_record_in_time_order_with_checksum_url_and_size()
    {
        var rows = await CsvAsync(WholeAia);
        Assert.Equal(fixture.Aia.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var expected = fixture.Aia[i];
            Assert.Equal(
                [Time(expected.IngestedAt), expected.Name, expected.Checksum, "http://localhost/jp2/" + expected.ArchivePath, expected.Bytes.Length.ToString()],
                rows[i]);
            Assert.Equal(27, rows[i][0].Length);
        }
    }

    [Fact]
    public async Task Csv_quotes_values_holding_commas_and_quotes_per_rfc_4180()
    {
        using var response = await Client.GetAsync("/hapi/data?dataset=LASCO_C2&start=2024-06-01&stop=2024-06-02&parameters=name");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("2024-06-01T00:00:00.000000Z,\"odd,\"\"quoted\"\"_name.jp2\"\n", body);
        Assert.Equal(["2024-06-01T00:00:00.000000Z", "odd,\"quoted\"_name.jp2"], ParseCsv(body).Single());
    }

    [Fact]
    public async Task Json_carries_the_info_header_and_the_same_records_as_csv()
    {
        var csv = await CsvAsync(WholeAia);
        var (status, json, _) = await Client.GetJsonAsync(WholeAia + "&format=json");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1200, json.HapiCode());
        Assert.Equal("json", json.GetProperty("format").GetString());
        Assert.Equal(5, json.GetProperty("parameters").GetArrayLength());
        var data = json.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(csv.Count, data.Count);
        for (var i = 0; i < data.Count; i++)
        {
            var record = data[i].EnumerateArray().ToList();
            Assert.Equal(csv[i][..4], record.Take(4).Select(e => e.GetString()!));
            Assert.Equal(long.Parse(csv[i][4]), record[4].GetInt64());
        }
    }

    [Fact]
    public async Task Include_header_prefixes_every_info_line_with_hash_before_the_rows()
    {
        using var response = await Client.GetAsync(WholeAia + "&include=header&parameters=name");
        var body = await response.Content.ReadAsStringAsync();
        var lines = body.Split('\n');
        var header = lines.TakeWhile(l => l.StartsWith('#')).ToList();
        Assert.NotEmpty(header);
        using var info = JsonDocument.Parse(string.Join('\n', header.Select(l => l[1..])));
        Assert.Equal("csv", info.RootElement.GetProperty("format").GetString());
        Assert.Equal(1200, info.RootElement.HapiCode());
        Assert.Equal(["Time", "name"], info.RootElement.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
        var rows = ParseCsv(string.Join('\n', lines.Skip(header.Count)));
        Assert.Equal(fixture.Aia.Select(f => f.Name), rows.Select(r => r[1]));
        Assert.All(rows, r => Assert.Equal(2, r.Length));
    }

    [Theory]
    [InlineData("Time", 1)]
    [InlineData("name", 2)]
    [InlineData("Time,name", 2)]
    [InlineData("checksum,size", 3)]
    [InlineData("name,checksum,url,size", 5)]
    [InlineData("", 5)]
    public async Task Parameter_subsets_keep_time_first_and_the_requested_columns(string parameters, int columns)
    {
        var rows = await CsvAsync(WholeAia + "&parameters=" + Q(parameters));
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Equal(columns, r.Length));
        Assert.Equal(Time(fixture.Aia[0].IngestedAt), rows[0][0]);
        if (parameters == "checksum,size")
            Assert.Equal([Time(fixture.Aia[0].IngestedAt), fixture.Aia[0].Checksum, fixture.Aia[0].Bytes.Length.ToString()], rows[0]);
    }

    [Theory]
    [InlineData("url,name")]
    [InlineData("name,name")]
    [InlineData("name,Time")]
    [InlineData("Time,Time")]
    public async Task Out_of_order_or_duplicate_parameters_are_1411(string parameters)
    {
        var (status, json, _) = await Client.GetJsonAsync(WholeAia + "&parameters=" + Q(parameters));
        Assert.Equal((HttpStatusCode.BadRequest, 1411), (status, json.HapiCode()));
    }

    [Fact]
    public async Task Start_is_inclusive_and_stop_exclusive_to_the_microsecond()
    {
        // Records at .000001, .000002 and 01.5: [.000002, 01.5) holds exactly the second.
        var rows = await CsvAsync("/hapi/data?dataset=AIA_171&start=2024-03-01T12:00:00.000002Z&stop=2024-03-01T12:00:01.500000Z");
        Assert.Equal([Time(fixture.Aia[1].IngestedAt)], rows.Select(r => r[0]));
        // One microsecond more on stop lets the 01.5 record in.
        rows = await CsvAsync("/hapi/data?dataset=AIA_171&start=2024-03-01T12:00:00.000002Z&stop=2024-03-01T12:00:01.500001Z");
        Assert.Equal([Time(fixture.Aia[1].IngestedAt), Time(fixture.Aia[2].IngestedAt)], rows.Select(r => r[0]));
        // A nanosecond after a record excludes it from an inclusive start.
        rows = await CsvAsync("/hapi/data?dataset=AIA_171&start=2024-03-01T12:00:00.000001001Z&stop=2024-03-01T12:00:00.000003Z");
        Assert.Equal([Time(fixture.Aia[1].IngestedAt)], rows.Select(r => r[0]));
    }

    [Theory]
    [InlineData("2024-03-01T12:00:00.000001Z", "2024-03-02", 3)]
    [InlineData("2024-03-01T12:00:00.000001", "2024-03-02Z", 3)]
    [InlineData("2024-03-01T12:00:00.000001", "2024-062", 3)]       // day of year: 2024-062 is March 2
    [InlineData("2024-03-01T12:00:00.000001", "2024-062T00:00:00.000001Z", 4)]
    [InlineData("2024-062", "2024-063", 1)]
    [InlineData("2024-062T00", "2024-062T01Z", 1)]
    [InlineData("2024-03-02T00:00", "2024-03-02T00:01", 1)]
    [InlineData("2024-03-02T00:00:00", "2024-03-02T00:00:01Z", 1)]
    [InlineData("2024-03-02T00:00:00.000000000Z", "2024-03-02T00:00:00.000000001Z", 1)]
    [InlineData("2024-04", "2024-05", 1)]
    [InlineData("2024-04Z", "2024-05Z", 1)]
    [InlineData("2024-03-01T12:00:00.000001Z", "2025", 5)]
    public async Task Every_time_form_selects_the_right_records(string start, string stop, int expected)
    {
        var rows = await CsvAsync($"/hapi/data?dataset=AIA_171&start={Q(start)}&stop={Q(stop)}");
        Assert.Equal(expected, rows.Count);
    }

    [Theory]
    [InlineData("2024-03-01")]                       // hapiclient and the HAPI verifier ask from the start of startDate's day
    [InlineData("2024-061")]
    [InlineData("2024-03-01T11:59:59.999999Z")]
    [InlineData("2024-03-01T12:00:00.000000Z")]      // a microsecond before the first record
    public async Task A_start_before_the_first_record_on_its_day_gets_every_record_not_1405(string start)
    {
        var rows = await CsvAsync($"/hapi/data?dataset=AIA_171&start={Q(start)}&stop=2024-05-01");
        Assert.Equal(fixture.Aia.Select(f => Time(f.IngestedAt)), rows.Select(r => r[0]));
    }

    [Fact]
    public async Task A_request_from_the_info_start_date_to_its_stop_date_holds_every_record()
    {
        var (_, info, _) = await Client.GetJsonAsync("/hapi/info?dataset=AIA_171");
        var rows = await CsvAsync($"/hapi/data?dataset=AIA_171&start={Q(info.GetProperty("startDate").GetString()!)}&stop={Q(info.GetProperty("stopDate").GetString()!)}");
        Assert.Equal(fixture.Aia.Select(f => Time(f.IngestedAt)), rows.Select(r => r[0]));
    }

    [Fact]
    public async Task Hapi2_names_id_time_min_time_max_are_accepted()
    {
        var rows = await CsvAsync("/hapi/data?id=AIA_171&time.min=2024-03-01T12:00:00.000001Z&time.max=2024-05-01");
        Assert.Equal(5, rows.Count);
    }

    [Theory]
    [InlineData("/hapi/data?dataset=AIA_171&time.min=2024-03-02&time.max=2024-05-01")]
    [InlineData("/hapi/data?id=AIA_171&start=2024-03-02&stop=2024-05-01")]
    [InlineData("/hapi/data?id=AIA_171&dataset=AIA_171&time.min=2024-03-02&time.max=2024-05-01")]
    public async Task Mixing_hapi2_and_hapi3_names_is_refused(string url)
    {
        var (status, json, _) = await Client.GetJsonAsync(url);
        Assert.Equal((HttpStatusCode.BadRequest, 1400), (status, json.HapiCode()));
    }

    [Fact]
    public async Task No_data_in_range_is_an_empty_csv_body_with_http_200()
    {
        using var response = await Client.GetAsync("/hapi/data?dataset=AIA_171&start=2024-03-03&stop=2024-03-04");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task No_data_in_range_is_1201_in_json_and_in_the_csv_header()
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/data?dataset=AIA_171&start=2024-03-03&stop=2024-03-04&format=json");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1201, json.HapiCode());
        Assert.Empty(json.GetProperty("data").EnumerateArray());

        using var response = await Client.GetAsync("/hapi/data?dataset=AIA_171&start=2024-03-03&stop=2024-03-04&include=header");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(body.TrimEnd('\n').Split('\n'), line => Assert.StartsWith("#", line));
        using var header = JsonDocument.Parse(string.Join('\n', body.TrimEnd('\n').Split('\n').Select(l => l[1..])));
        Assert.Equal(1201, header.RootElement.HapiCode());
    }

    [Fact]
    public async Task Gzip_is_used_when_the_client_accepts_it_and_decompresses_to_the_plain_body()
    {
        using var plain = await Client.GetAsync(WholeAia);
        var expected = await plain.Content.ReadAsStringAsync();
        using var zipped = await Client.SendAsync(HapiServerFixture.Get(WholeAia, "gzip"));
        Assert.Equal("gzip", zipped.Content.Headers.ContentEncoding.Single());
        await using var gzip = new GZipStream(await zipped.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        Assert.Equal(expected, await reader.ReadToEndAsync());

        using var info = await Client.SendAsync(HapiServerFixture.Get("/hapi/info?dataset=AIA_171", "gzip"));
        Assert.Equal("gzip", info.Content.Headers.ContentEncoding.Single());
    }

    [Fact]
    public async Task Last_modified_lets_a_poller_get_304_until_something_is_ingested()
    {
        using var first = await Client.GetAsync(WholeAia);
        var lastModified = first.Content.Headers.LastModified;
        // The last AIA ingestion is 2024-04-15T08:30:00.000000Z: the second after it is safe to announce.
        Assert.Equal(new DateTimeOffset(2024, 4, 15, 8, 30, 1, TimeSpan.Zero), lastModified);

        var conditional = new HttpRequestMessage(HttpMethod.Get, WholeAia);
        conditional.Headers.IfModifiedSince = lastModified;
        using var second = await Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());

        var stale = new HttpRequestMessage(HttpMethod.Get, WholeAia);
        stale.Headers.IfModifiedSince = new DateTimeOffset(2024, 4, 15, 8, 30, 0, TimeSpan.Zero);
        using var third = await Client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task Each_record_url_downloads_the_file_whose_checksum_it_lists()
    {
        foreach (var row in await CsvAsync(WholeAia))
        {
            var bytes = await Client.GetByteArrayAsync(row[3]);
            Assert.Equal(row[2], HvMirror.Archive.Checksum.Sha256Of(bytes).ToString());
        }
    }

    [Fact]
    public async Task A_configured_public_url_prefixes_every_record_url()
    {
        await using var factory = HapiServerFixture.CreateFactory(fixture.Archive, fixture.CatalogPath, "https://mirror.example.org/helio/");
        using var client = factory.CreateClient();
        var body = await client.GetStringAsync("/hapi/data?dataset=HMI_MAG&start=2024-05-01&stop=2024-05-02&parameters=url");
        Assert.Equal($"2024-05-01T00:00:00.000000Z,https://mirror.example.org/helio/jp2/{fixture.Files.Single(f => f.Dataset == "HMI_MAG").ArchivePath}\n", body);
    }
}
