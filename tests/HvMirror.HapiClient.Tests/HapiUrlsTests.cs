namespace HvMirror.HapiClient.Tests;

public sealed class HapiUrlsTests
{
    private static readonly DateTime Start = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Stop = new(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("https://example.org/hapi")]
    [InlineData("https://example.org/hapi/")]
    public void The_endpoints_sit_under_the_base_with_or_without_a_trailing_slash(string baseUrl)
    {
        var urls = new HapiUrls(new Uri(baseUrl));
        Assert.Equal("https://example.org/hapi/capabilities", urls.Capabilities.AbsoluteUri);
        Assert.Equal("https://example.org/hapi/catalog", urls.Catalog.AbsoluteUri);
    }

    [Fact]
    public void A_path_prefix_before_hapi_is_kept()
    {
        var urls = new HapiUrls(new Uri("https://example.org/public/data/hapi"));
        Assert.Equal("https://example.org/public/data/hapi/info?dataset=AIA_171", urls.Info("AIA_171", hapi2: false).AbsoluteUri);
    }

    [Fact]
    public void Hapi_3_names_are_dataset_start_and_stop()
    {
        var url = new HapiUrls(new Uri("https://example.org/hapi")).Data("AIA_171", Start, Stop, hapi2: false);
        Assert.Equal(
            "https://example.org/hapi/data?dataset=AIA_171&start=2024-03-01T00%3A00%3A00.000000Z&stop=2024-03-02T00%3A00%3A00.000000Z" +
            "&parameters=Time%2Cname%2Cchecksum%2Curl&format=csv",
            url.AbsoluteUri);
    }

    [Fact]
    public void Hapi_2_names_are_id_time_min_and_time_max()
    {
        var urls = new HapiUrls(new Uri("https://example.org/hapi"));
        Assert.Equal("https://example.org/hapi/info?id=AIA_171", urls.Info("AIA_171", hapi2: true).AbsoluteUri);
        var query = RequestLog.Query(urls.Data("AIA_171", Start, Stop, hapi2: true));
        Assert.Equal(["id", "time.min", "time.max", "parameters", "format"], query.Keys);
        Assert.Equal("2024-03-01T00:00:00.000000Z", query["time.min"]);
    }

    [Fact]
    public void A_dataset_id_is_escaped_so_it_cannot_add_request_parameters()
    {
        var query = RequestLog.Query(new HapiUrls(new Uri("https://example.org/hapi")).Info("a b&format=json#x", hapi2: false));
        Assert.Equal("a b&format=json#x", Assert.Single(query).Value);
    }

    [Fact]
    public void A_bound_with_sub_microsecond_ticks_is_sent_with_seven_digits_never_rounded()
    {
        var query = RequestLog.Query(new HapiUrls(new Uri("https://example.org/hapi")).Data("AIA_171", Start.AddTicks(1), Stop, hapi2: false));
        Assert.Equal("2024-03-01T00:00:00.0000001Z", query["start"]);
    }
}
