using HvMirror.Hapi;
using System.Net;
using static HvMirror.HapiServer.Tests.TestHelpers;

namespace HvMirror.HapiServer.Tests;

[Collection(HapiServerCollection.Name)]
public sealed class HapiErrorTests(HapiServerFixture fixture)
{
    private const string Ok = "dataset=AIA_171&start=2024-03-02&stop=2024-05-01";
    private HttpClient Client => fixture.Client;

    [Theory]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&averagingInterval=5s", HttpStatusCode.BadRequest, 1401)]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&Format=csv", HttpStatusCode.BadRequest, 1401)]
    [InlineData("start=2024-03-02&stop=2024-05-01", HttpStatusCode.BadRequest, 1400)]
    [InlineData("dataset=AIA_171&dataset=AIA_171&start=2024-03-02&stop=2024-05-01", HttpStatusCode.BadRequest, 1400)]
    [InlineData("dataset=AIA_171&stop=2024-05-01", HttpStatusCode.BadRequest, 1402)]
    [InlineData("dataset=AIA_171&start=2024-03-02", HttpStatusCode.BadRequest, 1403)]
    [InlineData("dataset=AIA_171&start=2024-03-32&stop=2024-05-01", HttpStatusCode.BadRequest, 1402)]
    [InlineData("dataset=AIA_171&start=yesterday&stop=2024-05-01", HttpStatusCode.BadRequest, 1402)]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01T25", HttpStatusCode.BadRequest, 1403)]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-03-02", HttpStatusCode.BadRequest, 1404)]
    [InlineData("dataset=AIA_171&start=2024-03-03&stop=2024-03-02", HttpStatusCode.BadRequest, 1404)]
    [InlineData("dataset=AIA_171&start=2024-02-29T23:59:59.999999Z&stop=2024-05-01", HttpStatusCode.BadRequest, 1405)]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2999", HttpStatusCode.BadRequest, 1405)]
    [InlineData("dataset=NOPE&start=2024-03-02&stop=2024-05-01", HttpStatusCode.NotFound, 1406)]
    [InlineData("dataset=aia_171&start=2024-03-02&stop=2024-05-01", HttpStatusCode.NotFound, 1406)]
    [InlineData("dataset=EIT_171&start=2024-03-02&stop=2024-05-01", HttpStatusCode.NotFound, 1406)]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&parameters=Name", HttpStatusCode.NotFound, 1407)]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&parameters=name,", HttpStatusCode.NotFound, 1407)]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&format=binary", HttpStatusCode.BadRequest, 1409)]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&format=xml", HttpStatusCode.BadRequest, 1409)]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&include=all", HttpStatusCode.BadRequest, 1410)]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&parameters=size,url", HttpStatusCode.BadRequest, 1411)]
    public async Task Each_bad_data_request_gets_its_hapi_code_and_http_status_as_json(string query, HttpStatusCode http, int code)
    {
        using var response = await Client.GetAsync("/hapi/data?" + query);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var (status, json, _) = await Client.GetJsonAsync("/hapi/data?" + query);
        Assert.Equal((http, code), (status, json.HapiCode()));
        Assert.Equal("3.3", json.GetProperty("HAPI").GetString());
        Assert.StartsWith(HapiStatus.Message(code), json.HapiMessage());
    }

    [Fact]
    public async Task A_valid_request_with_the_same_names_succeeds()
    {
        using var response = await Client.GetAsync("/hapi/data?" + Ok);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Out_of_range_message_states_the_allowed_range()
    {
        var (_, json, _) = await Client.GetJsonAsync("/hapi/data?dataset=AIA_171&start=2024-02-29&stop=2024-05-01");
        var stopDate = HapiTime.Format(DateTime.UtcNow.Date.AddDays(2));
        Assert.Equal(1405, json.HapiCode());
        Assert.Contains("2024-03-01T00:00:00.000000Z", json.HapiMessage());
        Assert.Contains(stopDate, json.HapiMessage());
    }

    [Theory]
    [InlineData("dataset={0}&start=2024-03-02&stop=2024-05-01")]
    [InlineData("dataset=AIA_171&start={0}&stop=2024-05-01")]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop={0}")]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&parameters={0}")]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&format={0}")]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&include={0}")]
    [InlineData("dataset=AIA_171&start=2024-03-02&stop=2024-05-01&{0}=1")]
    [InlineData("id={0}&time.min=2024-03-02&time.max=2024-05-01")]
    public async Task Error_bodies_never_echo_the_request_text(string template)
    {
        const string injected = "<script>alert('hapi')</script>";
        foreach (var path in new[] { "/hapi/data?", "/hapi/info?" })
        {
            var query = string.Format(template, Q(injected));
            if (path == "/hapi/info?" && !template.StartsWith("dataset={0}") && !template.StartsWith("id={0}")) continue;
            using var response = await Client.GetAsync(path + (path == "/hapi/info?" ? query.Split('&')[0] : query));
            var body = await response.Content.ReadAsStringAsync();
            Assert.False(response.IsSuccessStatusCode);
            Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("alert", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("script", body, StringComparison.OrdinalIgnoreCase);
        }
    }
}
