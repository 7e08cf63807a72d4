using HvMirror.Hapi;
namespace HvMirror.HapiServer.Tests;

public sealed class HapiTimeTests
{
    [Theory]
    [InlineData("2024", "2024-01-01T00:00:00.0000000Z")]
    [InlineData("2024Z", "2024-01-01T00:00:00.0000000Z")]
    [InlineData("2024-03", "2024-03-01T00:00:00.0000000Z")]
    [InlineData("2024-03Z", "2024-03-01T00:00:00.0000000Z")]
    [InlineData("2024-03-02", "2024-03-02T00:00:00.0000000Z")]
    [InlineData("2024-03-02Z", "2024-03-02T00:00:00.0000000Z")]
    [InlineData("2024-062", "2024-03-02T00:00:00.0000000Z")]      // 2024 is a leap year: day 62 is March 2
    [InlineData("2023-062Z", "2023-03-03T00:00:00.0000000Z")]     // not a leap year: day 62 is March 3
    [InlineData("2024-366", "2024-12-31T00:00:00.0000000Z")]
    [InlineData("2024-03-02T13", "2024-03-02T13:00:00.0000000Z")]
    [InlineData("2024-03-02T13Z", "2024-03-02T13:00:00.0000000Z")]
    [InlineData("2024-03-02T13:45", "2024-03-02T13:45:00.0000000Z")]
    [InlineData("2024-03-02T13:45:07Z", "2024-03-02T13:45:07.0000000Z")]
    [InlineData("2024-062T13:45:07.5Z", "2024-03-02T13:45:07.5000000Z")]
    [InlineData("2024-03-02T13:45:07.123456", "2024-03-02T13:45:07.1234560Z")]
    [InlineData("2024-03-02T13:45:07.1234567Z", "2024-03-02T13:45:07.1234567Z")]
    [InlineData("2024-03-02T24:00:00Z", "2024-03-03T00:00:00.0000000Z")]
    [InlineData("2024-03-02T24Z", "2024-03-03T00:00:00.0000000Z")]
    [InlineData("2016-12-31T23:59:60Z", "2017-01-01T00:00:00.0000000Z")]
    public void Parses_every_hapi_time_form_as_utc(string text, string expected)
    {
        Assert.True(HapiTime.TryParse(text, out var utc, out var problem), problem);
        Assert.Equal(DateTimeKind.Utc, utc.Kind);
        Assert.Equal(DateTime.Parse(expected, null, System.Globalization.DateTimeStyles.RoundtripKind), utc);
    }

    [Theory]
    [InlineData("2024-03-02T13:45:07.000000100Z", 1)]  // 100 ns exactly: one tick
    [InlineData("2024-03-02T13:45:07.000000101Z", 2)]  // beyond a tick: rounds up
    [InlineData("2024-03-02T13:45:07.00000000Z", 0)]   // eight zero digits
    [InlineData("2024-03-02T13:45:07.000000001Z", 1)]  // 1 ns rounds up to the next tick
    public void Nanosecond_digits_round_up_to_the_next_tick(string text, long ticksAfterSecond)
    {
        Assert.True(HapiTime.TryParse(text, out var utc, out var problem), problem);
        Assert.Equal(new DateTime(2024, 3, 2, 13, 45, 7, DateTimeKind.Utc).AddTicks(ticksAfterSecond), utc);
    }

    [Theory]
    [InlineData("")]
    [InlineData("24")]
    [InlineData("20240")]
    [InlineData("2024-3")]
    [InlineData("2024-13")]
    [InlineData("2024-02-30")]
    [InlineData("2023-366")]
    [InlineData("2024-000")]
    [InlineData("2024-03-02T")]
    [InlineData("2024-03-02T1")]
    [InlineData("2024-03-02T25")]
    [InlineData("2024-03-02T13:60")]
    [InlineData("2024-03-02T13:45:61")]
    [InlineData("2024-03-02T12:00:60Z")]
    [InlineData("2024-03-02T24:00:01Z")]
    [InlineData("2024-03-02T13:45:07.")]
    [InlineData("2024-03-02T13:45:07.1234567890Z")]
    [InlineData("2024-03-02T13:45.5")]
    [InlineData("2024-03T12")]
    [InlineData("2024T12")]
    [InlineData("2024-03-02 13:45")]
    [InlineData("2024-03-02t13:45")]
    [InlineData("2024-03-02T13:45z")]
    [InlineData("2024-03-02T13:45ZZ")]
    [InlineData("2024-03-02T13:45+01:00")]
    [InlineData(" 2024")]
    [InlineData("2024 ")]
    [InlineData("0000")]
    [InlineData("<script>")]
    [InlineData("２０２４")]
    public void Rejects_anything_outside_the_restricted_iso_8601_forms(string text)
    {
        Assert.False(HapiTime.TryParse(text, out _, out var problem));
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Fact]
    public void Formats_microseconds_in_27_characters()
    {
        var value = new DateTime(2024, 12, 31, 0, 4, 47, DateTimeKind.Utc).AddTicks(1234560);
        Assert.Equal("2024-12-31T00:04:47.123456Z", HapiTime.Format(value));
        Assert.Equal(HapiTime.OutputLength, HapiTime.Format(value).Length);
        Assert.True(HapiTime.TryParse(HapiTime.Format(value), out var back, out _));
        Assert.Equal(value, back);
    }
}
