using System.Net;
using System.Text.Json;
using HvMirror.Archive;
using static HvMirror.HapiServer.Tests.TestHelpers;

namespace HvMirror.HapiServer.Tests;

[Collection(HapiServerCollection.Name)]
public sealed class HapiMetadataTests(HapiServerFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Landing_page_is_html_linking_every_endpoint_and_dataset()
    {
        using var response = await Client.GetAsync("/hapi");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("hapi/capabilities", body);
        Assert.Contains("hapi/info?dataset=AIA_171", body);
    }

    [Fact]
    public async Task Capabilities_lists_csv_and_json()
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/capabilities");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("3.3", json.GetProperty("HAPI").GetString());
        Assert.Equal(1200, json.HapiCode());
        Assert.Equal(["csv", "json"], json.GetProperty("outputFormats").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public async Task About_gives_id_title_and_the_configured_contact()
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/about");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1200, json.HapiCode());
        Assert.Equal("HvMirror", json.GetProperty("id").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("title").GetString()));
        Assert.Equal("ops@example.org", json.GetProperty("contact").GetString());
    }

    [Fact]
    public async Task Catalog_lists_exactly_the_datasets_that_hold_files_with_titles()
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/catalog");
        Assert.Equal(HttpStatusCode.OK, status);
        var entries = json.GetProperty("catalog").EnumerateArray().ToList();
        // The companions (X.days, X.observed) are CompanionDatasetTests' to check.
        Assert.Equal(["AIA_171", "HMI_MAG", "LASCO_C2"],
            entries.Select(e => e.GetProperty("id").GetString()!).Where(id => !HvMirror.Hapi.CompanionDatasets.IsCompanion(id)).Order());
        Assert.Contains("AIA", entries.Single(e => e.GetProperty("id").GetString() == "AIA_171").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Catalog_refuses_unknown_request_parameters_and_depth_values()
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/catalog?foo=1");
        Assert.Equal((HttpStatusCode.BadRequest, 1401), (status, json.HapiCode()));
        (status, json, _) = await Client.GetJsonAsync("/hapi/catalog?depth=everything");
        Assert.Equal((HttpStatusCode.BadRequest, 1413), (status, json.HapiCode()));
        (status, json, _) = await Client.GetJsonAsync("/hapi/capabilities?x=1");
        Assert.Equal((HttpStatusCode.BadRequest, 1401), (status, json.HapiCode()));
    }

    [Fact]
    public async Task Catalog_at_depth_all_embeds_each_datasets_info_as_info_answers_it()
    {
        var (_, capabilities, _) = await Client.GetJsonAsync("/hapi/capabilities");
        Assert.Equal(["dataset", "all"], capabilities.GetProperty("catalogDepthOptions").EnumerateArray().Select(o => o.GetString()));

        var (status, json, _) = await Client.GetJsonAsync("/hapi/catalog?depth=all");

        Assert.Equal(HttpStatusCode.OK, status);
        var entries = json.GetProperty("catalog").EnumerateArray().ToList();
        Assert.Equal(12, entries.Count);
        foreach (var entry in entries)
        {
            var id = entry.GetProperty("id").GetString()!;
            var embedded = entry.GetProperty("info");
            Assert.False(embedded.TryGetProperty("HAPI", out _), id);
            Assert.False(embedded.TryGetProperty("status", out _), id);
            var (_, info, _) = await Client.GetJsonAsync($"/hapi/info?dataset={id}");
            foreach (var member in new[] { "startDate", "stopDate", "parameters", "description" })
                Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
                    System.Text.Json.Nodes.JsonNode.Parse(info.GetProperty(member).GetRawText()),
                    System.Text.Json.Nodes.JsonNode.Parse(embedded.GetProperty(member).GetRawText())), $"{id}: {member} differs");
        }
    }

    [Fact]
    public async Task Info_describes_the_fixed_parameters_exactly()
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/info?dataset=AIA_171");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("3.3", json.GetProperty("HAPI").GetString());
        Assert.Equal(1200, json.HapiCode());
        var parameters = json.GetProperty("parameters").EnumerateArray().ToList();
        Assert.Equal(["Time", "name", "checksum", "url", "size"], parameters.Select(p => p.GetProperty("name").GetString()!));

        var time = parameters[0];
        Assert.Equal("isotime", time.GetProperty("type").GetString());
        Assert.Equal("UTC", time.GetProperty("units").GetString());
        Assert.Equal(27, time.GetProperty("length").GetInt32());
        Assert.Equal(JsonValueKind.Null, time.GetProperty("fill").ValueKind);
        foreach (var p in parameters.Skip(1).Take(3))
        {
            Assert.Equal("string", p.GetProperty("type").GetString());
            Assert.True(p.GetProperty("length").GetInt32() > 0);
            Assert.Equal(JsonValueKind.Null, p.GetProperty("fill").ValueKind);
            Assert.Equal(JsonValueKind.Null, p.GetProperty("units").ValueKind);
        }
        Assert.Equal("uri", parameters[3].GetProperty("stringType").GetString());
        Assert.Equal("integer", parameters[4].GetProperty("type").GetString());
        Assert.False(parameters[4].TryGetProperty("length", out _));

        Assert.True(DataSources.Helioviewer.TryGet("AIA_171", out var source));
        Assert.Equal(source.SourceId, json.GetProperty("x_sourceId").GetInt32());
        Assert.Equal(source.Observatory, json.GetProperty("x_observatory").GetString());
        Assert.Equal(source.Instrument, json.GetProperty("x_instrument").GetString());
        Assert.Equal(source.Detector, json.GetProperty("x_detector").GetString());
        Assert.Equal(source.Measurement, json.GetProperty("x_measurement").GetString());

        // The first record is at 2024-03-01T12:00:00.000001Z; startDate is the start of its day, as server-nodejs has it.
        Assert.Equal("2024-03-01T00:00:00.000000Z", json.GetProperty("startDate").GetString());
        var stopDate = DateTime.Parse(json.GetProperty("stopDate").GetString()!, null, System.Globalization.DateTimeStyles.RoundtripKind);
        Assert.Equal(DateTime.UtcNow.Date.AddDays(2), stopDate);
    }

    [Theory]
    [InlineData("name", new[] { "Time", "name" })]
    [InlineData("Time", new[] { "Time" })]
    [InlineData("Time,checksum,size", new[] { "Time", "checksum", "size" })]
    [InlineData("", new[] { "Time", "name", "checksum", "url", "size" })]
    public async Task Info_parameter_subset_keeps_time_first_and_dataset_order(string parameters, string[] expected)
    {
        var (status, json, _) = await Client.GetJsonAsync($"/hapi/info?dataset=AIA_171&parameters={parameters}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, json.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
    }

    [Fact]
    public async Task Info_accepts_the_hapi2_name_id_but_not_mixed_with_dataset()
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/info?id=HMI_MAG");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("2024-05-01T00:00:00.000000Z", json.GetProperty("startDate").GetString());
        (status, json, _) = await Client.GetJsonAsync("/hapi/info?id=HMI_MAG&dataset=HMI_MAG");
        Assert.Equal((HttpStatusCode.BadRequest, 1400), (status, json.HapiCode()));
    }

    [Theory]
    [InlineData("/hapi/info", HttpStatusCode.BadRequest, 1400)]
    [InlineData("/hapi/info?dataset=NOPE", HttpStatusCode.NotFound, 1406)]
    [InlineData("/hapi/info?dataset=EIT_171", HttpStatusCode.NotFound, 1406)] // a known source with no files here
    [InlineData("/hapi/info?dataset=AIA_171&parameters=nope", HttpStatusCode.NotFound, 1407)]
    [InlineData("/hapi/info?dataset=AIA_171&parameters=url,name", HttpStatusCode.BadRequest, 1411)]
    [InlineData("/hapi/info?dataset=AIA_171&parameters=name,name", HttpStatusCode.BadRequest, 1411)]
    [InlineData("/hapi/info?dataset=AIA_171&resolve_references=maybe", HttpStatusCode.BadRequest, 1412)]
    [InlineData("/hapi/info?dataset=AIA_171&start=2024", HttpStatusCode.BadRequest, 1401)]
    [InlineData("/hapi/nope", HttpStatusCode.BadRequest, 1400)]
    public async Task Info_and_unknown_endpoints_answer_each_error_with_its_http_status(string url, HttpStatusCode http, int code)
    {
        var (status, json, _) = await Client.GetJsonAsync(url);
        Assert.Equal((http, code), (status, json.HapiCode()));
        Assert.Equal("3.3", json.GetProperty("HAPI").GetString());
    }

    [Theory]
    [InlineData("/hapi/", "/hapi")]
    [InlineData("/hapi/info/?dataset=AIA_171", "/hapi/info?dataset=AIA_171")]
    [InlineData("/hapi/catalog/", "/hapi/catalog")]
    public async Task Trailing_slash_is_redirected_permanently(string url, string location)
    {
        using var response = await Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(location, response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/hapi")]
    [InlineData("/hapi/capabilities")]
    [InlineData("/hapi/about")]
    [InlineData("/hapi/catalog")]
    [InlineData("/hapi/info?dataset=AIA_171")]
    [InlineData("/hapi/data?dataset=AIA_171&start=2024-03-02&stop=2024-05-01")]
    [InlineData("/hapi/data?dataset=NOPE&start=2024-03-02&stop=2024-05-01")]
    [InlineData("/jp2/AIA/2024/03/01/171/2024_03_01__11_00_00_123__SDO_AIA_AIA_171.jp2")]
    public async Task Every_endpoint_allows_any_origin(string url)
    {
        // CORS answers requests that carry an Origin, as every cross-origin request from a page does.
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Origin", "https://viewer.example.org");
        using var response = await Client.SendAsync(request);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Theory]
    [InlineData("/hapi/data?dataset=AIA_171&start=2024-03-02&stop=2024-05-01")]
    [InlineData("/jp2/AIA/2024/03/01/171/2024_03_01__11_00_00_123__SDO_AIA_AIA_171.jp2")]
    public async Task A_preflight_is_answered_with_the_methods_and_headers_allowed(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, url);
        request.Headers.Add("Origin", "https://viewer.example.org");
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "Content-Type");
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("GET", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Contains("Content-Type", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/hapi", "text/html")]
    [InlineData("/hapi/capabilities", "application/json")]
    [InlineData("/hapi/about", "application/json")]
    [InlineData("/hapi/catalog", "application/json")]
    [InlineData("/hapi/info?dataset=AIA_171", "application/json")]
    [InlineData("/hapi/data?dataset=AIA_171&start=2024-03-02&stop=2024-05-01", "text/csv")]
    [InlineData("/hapi/data?dataset=AIA_171&start=2024-03-02&stop=2024-05-01&format=json", "application/json")]
    [InlineData("/jp2/AIA/2024/03/01/171/2024_03_01__11_00_00_123__SDO_AIA_AIA_171.jp2", "image/jp2")]
    public async Task Head_answers_every_endpoint_with_headers_and_no_body(string url, string mediaType)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_on_a_bad_request_gives_the_error_status()
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/hapi/data?dataset=AIA_171&start=2024&stop=2023"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Info_last_modified_allows_a_conditional_request_to_get_304()
    {
        using var first = await Client.GetAsync("/hapi/info?dataset=AIA_171");
        var lastModified = first.Content.Headers.LastModified;
        Assert.NotNull(lastModified);
        var request = new HttpRequestMessage(HttpMethod.Get, "/hapi/info?dataset=AIA_171");
        request.Headers.IfModifiedSince = lastModified;
        using var second = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        var older = new HttpRequestMessage(HttpMethod.Get, "/hapi/info?dataset=AIA_171");
        older.Headers.IfModifiedSince = new DateTimeOffset(2024, 4, 15, 8, 29, 0, TimeSpan.Zero);
        using var third = await Client.SendAsync(older);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task A_fresh_database_is_migrated_at_startup_and_serves_an_empty_catalog()
    {
        var root = Path.Combine(Path.GetTempPath(), "hvmirror-hapi-fresh-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var factory = HapiServerFixture.CreateFactory(Path.Combine(root, "archive"), Path.Combine(root, "db", "catalog.db"));
            using var client = factory.CreateClient();
            var (status, json, _) = await client.GetJsonAsync("/hapi/catalog");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Empty(json.GetProperty("catalog").EnumerateArray());
            Assert.True(File.Exists(Path.Combine(root, "db", "catalog.db")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
