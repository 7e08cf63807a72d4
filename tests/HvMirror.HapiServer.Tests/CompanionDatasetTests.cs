using System.Globalization;
using System.Net;
using HvMirror.Catalog;
using HvMirror.Hapi;
using HvMirror.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using static HvMirror.HapiServer.Tests.TestHelpers;

namespace HvMirror.HapiServer.Tests;

/// <summary>
/// A server of its own for the companion datasets, because <see cref="CompanionDatasetTests"/> replaces a file. AIA_171
/// files over three observation days, ingested out of observation order, two of them observed at the same instant;
/// one HMI_MAG file.
/// </summary>
public sealed class CompanionServerFixture() : SeededHapiServer<Program>("hapi-companions")
{
    public static readonly DateTime FirstDay = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly DateTime IngestedFrom = new(2024, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private int _registrations;

    public HttpClient Client { get; private set; } = null!;

    public IReadOnlyList<SeededFile> Aia => Files.Where(f => f.Dataset == "AIA_171").ToList();

    protected override async Task SeedAsync()
    {
        DateTime[] observed =
        [
            new(2024, 3, 2, 9, 0, 0, DateTimeKind.Utc),
            new(2024, 3, 1, 23, 59, 59, 999, DateTimeKind.Utc),
            new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc),
            new(2024, 3, 1, 12, 0, 0, 500, DateTimeKind.Utc),
            new(2024, 3, 1, 12, 0, 0, 500, DateTimeKind.Utc),
            new(2024, 3, 5, 6, 30, 0, DateTimeKind.Utc),
            new(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc),
        ];
        // Names that sort against observation order where two files share a time, to show the tie is broken by name.
        string[] tags = ["g", "f", "e", "d", "b", "c", "a"];
        for (var i = 0; i < observed.Length; i++)
            await RegisterAiaAsync(AiaName(observed[i], tags[i]), observed[i]);
        await RegisterAsync(NextIngestion(), "HMI_MAG", "2024_05_01__00_00_00_000__SDO_HMI_HMI_magnetogram.jp2",
            "HMI/2024/05/01/magnetogram/2024_05_01__00_00_00_000__SDO_HMI_HMI_magnetogram.jp2", new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    /// <summary>Registers <paramref name="name"/> again with other bytes, as a reprocessed file arrives.</summary>
    public Task ReplaceAsync(SeededFile file, string content) =>
        RegisterAsync(NextIngestion(), file.Dataset, file.Name, file.ArchivePath, file.ObservedAt, content);

    private Task RegisterAiaAsync(string name, DateTime observed) =>
        RegisterAsync(NextIngestion(), "AIA_171", name, $"AIA/{observed:yyyy/MM/dd}/171/{name}", observed);

    private DateTime NextIngestion() => IngestedFrom.AddSeconds(_registrations++).AddTicks(10);

    private static string AiaName(DateTime observed, string tag) =>
        $"{observed:yyyy_MM_dd__HH_mm_ss_fff}__SDO_AIA_AIA_171_{tag}.jp2";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public override async Task DisposeAsync()
    {
        Client.Dispose();
        await base.DisposeAsync();
    }
}

/// <summary>
/// <c>X.days</c> and <c>X.observed</c> (<see cref="CompanionDatasets"/>): listed, described, answered from the catalog
/// as the from-scratch computation over the seeded files says, and refused with the same HAPI codes as file datasets.
/// </summary>
public sealed class CompanionDatasetTests(CompanionServerFixture fixture) : IClassFixture<CompanionServerFixture>
{
    private static readonly string StopDate = HapiTime.Format(DateTime.UtcNow.Date.AddDays(2));

    private HttpClient Client => fixture.Client;

    private static string Time(DateTime t) => HapiTime.Format(t);

    private async Task<string> BodyAsync(string url, string mediaType = "text/csv")
    {
        using var response = await Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        return body;
    }

    /// <summary>What <c>AIA_171.days</c> must say, computed from the seeded files alone.</summary>
    private List<string[]> ExpectedDays() => fixture.Aia
        .GroupBy(f => DaySummaries.DayOf(f.ObservedAt))
        .OrderBy(g => g.Key)
        .Select(g => new[]
        {
            Time(g.Key),
            g.Count().ToString(CultureInfo.InvariantCulture),
            g.Sum(f => (long)f.Bytes.Length).ToString(CultureInfo.InvariantCulture),
            DaySummaries.DigestOf(g.Select(f => (f.Name, f.Checksum))),
        })
        .ToList();

    private async Task<List<string[]>> DaysAsync() =>
        ParseCsv(await BodyAsync($"/hapi/data?dataset=AIA_171.days&start=2024-03-01&stop={StopDate}"));

    [Fact]
    public async Task The_catalog_lists_each_file_dataset_then_its_months_days_and_observed()
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/catalog");
        Assert.Equal(HttpStatusCode.OK, status);
        var entries = json.GetProperty("catalog").EnumerateArray()
            .Select(e => (Id: e.GetProperty("id").GetString()!, Title: e.GetProperty("title").GetString()!)).ToList();
        Assert.Equal(
            ["AIA_171", "AIA_171.months", "AIA_171.days", "AIA_171.observed", "HMI_MAG", "HMI_MAG.months", "HMI_MAG.days", "HMI_MAG.observed"],
            entries.Select(e => e.Id));
        Assert.Contains("per observation month", entries[1].Title);
        Assert.Contains("per observation day", entries[2].Title);
        Assert.Contains("by observation time", entries[3].Title);
        Assert.StartsWith(entries[0].Title, entries[2].Title);
    }

    [Fact]
    public async Task Info_of_days_describes_its_parameters_range_and_digest()
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/info?dataset=AIA_171.days");
        Assert.Equal((HttpStatusCode.OK, 1200), (status, json.HapiCode()));
        Assert.Equal("2024-03-01T00:00:00.000000Z", json.GetProperty("startDate").GetString());
        Assert.Equal(StopDate, json.GetProperty("stopDate").GetString());
        Assert.Contains("XOR over the day's files of SHA-256 of the UTF-8 bytes of name + \"\\n\" + checksum", json.GetProperty("description").GetString());
        Assert.Contains("lowercase hex", json.GetProperty("description").GetString());
        var parameters = json.GetProperty("parameters").EnumerateArray().ToList();
        Assert.Equal(
            [("Time", "isotime"), ("files", "integer"), ("bytes", "double"), ("digest", "string")],
            parameters.Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("type").GetString()!)));
        Assert.Equal("bytes", parameters[2].GetProperty("units").GetString());
        Assert.Equal(64, parameters[3].GetProperty("length").GetInt32());
    }

    [Fact]
    public async Task Info_of_observed_describes_its_parameters_and_starts_on_the_first_observation_day()
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/info?dataset=AIA_171.observed&parameters=url,ingested");
        Assert.Equal((HttpStatusCode.OK, 1200), (status, json.HapiCode()));
        Assert.Equal("2024-03-01T00:00:00.000000Z", json.GetProperty("startDate").GetString());
        Assert.Equal(StopDate, json.GetProperty("stopDate").GetString());
        Assert.Equal(["Time", "url", "ingested"], json.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));

        (_, json, _) = await Client.GetJsonAsync("/hapi/info?dataset=AIA_171.observed");
        Assert.Equal(
            ["Time", "name", "checksum", "url", "size", "ingested"],
            json.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
        Assert.Equal("isotime", json.GetProperty("parameters")[5].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Days_equal_the_summaries_computed_from_scratch_and_follow_a_replaced_file()
    {
        var before = await DaysAsync();
        Assert.Equal(ExpectedDays(), before);
        Assert.Equal(["2024-03-01T00:00:00.000000Z", "2024-03-02T00:00:00.000000Z", "2024-03-05T00:00:00.000000Z"], before.Select(r => r[0]));

        var replaced = fixture.Aia.Single(f => f.ObservedAt == new DateTime(2024, 3, 2, 9, 0, 0, DateTimeKind.Utc));
        await fixture.ReplaceAsync(replaced, "reprocessed, with more bytes than before " + new string('x', 500));

        var after = await DaysAsync();
        Assert.Equal(ExpectedDays(), after);
        Assert.NotEqual(before[1][3], after[1][3]);
        Assert.NotEqual(before[1][2], after[1][2]);
        Assert.Equal(before[1][1], after[1][1]);
        Assert.Equal(before[0], after[0]);
        Assert.Equal(before[2], after[2]);
    }

    [Fact]
    public async Task Months_are_the_xor_and_sums_of_their_days()
    {
        var days = await DaysAsync();
        var months = ParseCsv(await BodyAsync($"/hapi/data?dataset=AIA_171.months&start=2024-03-01&stop={StopDate}"));

        var expected = fixture.Aia.GroupBy(f => DaySummaries.MonthOf(f.ObservedAt)).OrderBy(g => g.Key).Select(g => new[]
        {
            Time(g.Key),
            g.Count().ToString(CultureInfo.InvariantCulture),
            g.Sum(f => (long)f.Bytes.Length).ToString(CultureInfo.InvariantCulture),
            DaySummaries.DigestOf(g.Select(f => (f.Name, f.Checksum))),
        }).ToList();
        Assert.Equal(expected, months);
        Assert.Equal(days.Sum(d => long.Parse(d[1], CultureInfo.InvariantCulture)), months.Sum(m => long.Parse(m[1], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Days_in_json_and_with_a_header_carry_the_same_records()
    {
        var csv = await DaysAsync();
        var (status, json, _) = await Client.GetJsonAsync($"/hapi/data?dataset=AIA_171.days&start=2024-03-01&stop={StopDate}&format=json");
        Assert.Equal((HttpStatusCode.OK, 1200), (status, json.HapiCode()));
        var data = json.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(csv.Count, data.Count);
        for (var i = 0; i < csv.Count; i++)
        {
            Assert.Equal(csv[i][0], data[i][0].GetString());
            Assert.Equal(csv[i][1], data[i][1].GetRawText());
            Assert.Equal(csv[i][2], data[i][2].GetRawText()); // whole digits, no exponent, though a double
            Assert.Equal(csv[i][3], data[i][3].GetString());
        }

        var withHeader = await BodyAsync($"/hapi/data?dataset=AIA_171.days&start=2024-03-01&stop={StopDate}&include=header&parameters=digest");
        var lines = withHeader.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith('#') && l.Contains("\"digest\""));
        Assert.DoesNotContain(lines, l => l.StartsWith('#') && l.Contains("\"files\""));
        Assert.Equal(csv.Select(r => r[0] + "," + r[3]), lines.Where(l => !l.StartsWith('#')));
    }

    [Fact]
    public async Task Observed_lists_one_days_files_by_observation_time_with_their_file_dataset_records()
    {
        var fileRecords = ParseCsv(await BodyAsync($"/hapi/data?dataset=AIA_171&start=2024-06-01&stop={StopDate}"))
            .ToDictionary(r => r[1]);
        var day = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var expected = fixture.Aia.Where(f => DaySummaries.DayOf(f.ObservedAt) == day)
            .OrderBy(f => f.ObservedAt).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(4, expected.Count);

        var rows = ParseCsv(await BodyAsync("/hapi/data?id=AIA_171.observed&time.min=2024-03-01&time.max=2024-03-02"));

        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var file = expected[i];
            var record = fileRecords[file.Name];
            Assert.Equal(
                [Time(file.ObservedAt), file.Name, file.Checksum, record[3], file.Bytes.Length.ToString(CultureInfo.InvariantCulture), Time(file.IngestedAt)],
                rows[i]);
            Assert.Equal(record[0], rows[i][5]);
        }
        Assert.Equal(rows[1][0], rows[2][0]); // two files observed at one instant, ordered by name though ingested the other way
        Assert.True(string.CompareOrdinal(rows[1][1], rows[2][1]) < 0);
        Assert.True(string.CompareOrdinal(rows[1][5], rows[2][5]) > 0);
    }

    [Fact]
    public async Task Observed_in_json_matches_csv_and_head_sends_no_body()
    {
        const string url = "/hapi/data?dataset=AIA_171.observed&start=2024-03-01&stop=2024-03-06&parameters=name,ingested";
        var csv = ParseCsv(await BodyAsync(url));
        var (_, json, _) = await Client.GetJsonAsync(url + "&format=json");
        Assert.Equal(csv, json.GetProperty("data").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetString()!).ToArray()));
        Assert.Equal(fixture.Aia.Count, csv.Count);

        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("text/csv", head.Content.Headers.ContentType!.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_range_without_files_is_1201_no_data()
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/data?dataset=AIA_171.days&start=2024-03-03&stop=2024-03-05&format=json");
        Assert.Equal((HttpStatusCode.OK, 1201), (status, json.HapiCode()));
        Assert.Equal(0, json.GetProperty("data").GetArrayLength());
        Assert.Equal("", await BodyAsync("/hapi/data?dataset=AIA_171.observed&start=2024-03-03&stop=2024-03-05"));
    }

    [Theory]
    [InlineData("dataset=AIA_171.hours&start=2024-03-02&stop=2024-03-03", HttpStatusCode.NotFound, 1406)]
    [InlineData("dataset=AIA_171.days.days&start=2024-03-02&stop=2024-03-03", HttpStatusCode.NotFound, 1406)]
    [InlineData("dataset=NOPE.days&start=2024-03-02&stop=2024-03-03", HttpStatusCode.NotFound, 1406)]
    [InlineData("dataset=EIT_171.observed&start=2024-03-02&stop=2024-03-03", HttpStatusCode.NotFound, 1406)]
    [InlineData("dataset=.days&start=2024-03-02&stop=2024-03-03", HttpStatusCode.NotFound, 1406)]
    [InlineData("dataset=AIA_171.days&start=2024-02-29T23:59:59Z&stop=2024-03-03", HttpStatusCode.BadRequest, 1405)]
    [InlineData("dataset=AIA_171.observed&start=2024-03-02&stop=2999", HttpStatusCode.BadRequest, 1405)]
    [InlineData("dataset=AIA_171.days&stop=2024-03-03", HttpStatusCode.BadRequest, 1402)]
    [InlineData("dataset=AIA_171.days&start=2024-03-32&stop=2024-03-03", HttpStatusCode.BadRequest, 1402)]
    [InlineData("dataset=AIA_171.observed&start=2024-03-02&stop=tomorrow", HttpStatusCode.BadRequest, 1403)]
    [InlineData("dataset=AIA_171.observed&start=2024-03-03&stop=2024-03-02", HttpStatusCode.BadRequest, 1404)]
    [InlineData("dataset=AIA_171.days&start=2024-03-02&stop=2024-03-03&parameters=name", HttpStatusCode.NotFound, 1407)]
    [InlineData("dataset=AIA_171.observed&start=2024-03-02&stop=2024-03-03&parameters=digest", HttpStatusCode.NotFound, 1407)]
    [InlineData("dataset=AIA_171.days&start=2024-03-02&stop=2024-03-03&parameters=digest,files", HttpStatusCode.BadRequest, 1411)]
    [InlineData("dataset=AIA_171.observed&start=2024-03-02&stop=2024-03-03&parameters=ingested,name", HttpStatusCode.BadRequest, 1411)]
    [InlineData("dataset=AIA_171.days&start=2024-03-02&stop=2024-03-03&format=binary", HttpStatusCode.BadRequest, 1409)]
    [InlineData("dataset=AIA_171.days&start=2024-03-02&stop=2024-03-03&include=all", HttpStatusCode.BadRequest, 1410)]
    [InlineData("dataset=AIA_171.days&start=2024-03-02&stop=2024-03-03&cadence=1d", HttpStatusCode.BadRequest, 1401)]
    public async Task Each_bad_companion_request_gets_its_hapi_code(string query, HttpStatusCode http, int code)
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/data?" + query);
        Assert.Equal((http, code), (status, json.HapiCode()));
        Assert.StartsWith(HapiStatus.Message(code), json.HapiMessage());
    }

    [Theory]
    [InlineData("dataset=AIA_171.weeks", HttpStatusCode.NotFound, 1406)]
    [InlineData("dataset=EIT_171.days", HttpStatusCode.NotFound, 1406)]
    [InlineData("dataset=AIA_171.days&parameters=size", HttpStatusCode.NotFound, 1407)]
    [InlineData("dataset=AIA_171.observed&parameters=size,name", HttpStatusCode.BadRequest, 1411)]
    public async Task Each_bad_companion_info_request_gets_its_hapi_code(string query, HttpStatusCode http, int code)
    {
        var (status, json, _) = await Client.GetJsonAsync("/hapi/info?" + query);
        Assert.Equal((http, code), (status, json.HapiCode()));
    }

    [Fact]
    public async Task The_out_of_range_message_states_the_companions_own_range()
    {
        var (_, json, _) = await Client.GetJsonAsync("/hapi/data?dataset=AIA_171.observed&start=2024-02-01&stop=2024-03-02");
        Assert.Equal(1405, json.HapiCode());
        Assert.Contains("[2024-03-01T00:00:00.000000Z, " + StopDate + ")", json.HapiMessage());
    }
}
