using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace HvMirror.Hapi;

/// <summary>
/// HAPI's restricted ISO 8601 times (HAPI 3.3 §3.7.6): <c>yyyy[-mm[-dd]]</c> or <c>yyyy-ddd</c>, then optionally
/// <c>Thh[:mm[:ss[.f…]]]</c> (1 to 9 fraction digits), then an optional <c>Z</c>; always UTC. Missing fields take their
/// smallest value. Hour 24 (only as <c>24:00:00.0…</c>) means the start of the next day; second 60 (a leap second,
/// only at 23:59) is placed at the start of the next day, which keeps the order of instants.
/// </summary>
public static class HapiTime
{
    /// <summary>The one form this server writes: microseconds, 27 characters, e.g. <c>2024-12-31T00:04:47.123456Z</c>.</summary>
    public const string OutputFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public const int OutputLength = 27;

    public static string Format(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString(OutputFormat, CultureInfo.InvariantCulture);

    public static bool TryFormat(DateTime utc, Span<char> destination, out int written) =>
        utc.TryFormat(destination, out written, OutputFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses <paramref name="text"/> strictly. Digits beyond .NET's 100 ns resolution round <em>up</em>: for an
    /// inclusive start and an exclusive stop alike, a record time <c>t</c> (whole ticks) satisfies <c>t ≥ s</c> or
    /// <c>t &lt; s</c> exactly when it does for the rounded-up value.
    /// </summary>
    public static bool TryParse(string? text, out DateTime utc, [NotNullWhen(false)] out string? problem)
    {
        utc = default;
        problem = null;
        if (string.IsNullOrEmpty(text))
        {
            problem = "the time is empty";
            return false;
        }
        var s = text.AsSpan();
        if (s[^1] == 'Z')
            s = s[..^1];
        var i = 0;

        if (!Digits(s, ref i, 4, out var year) || year < 1)
            return Fail("a time must begin with a four-digit year (0001-9999)", out problem);

        int month = 1, day = 1, dayOfYear = 0;
        var completeDate = false;
        if (i < s.Length && s[i] == '-')
        {
            i++;
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            var count = i - start;
            if (count == 3)
            {
                dayOfYear = int.Parse(s.Slice(start, 3), CultureInfo.InvariantCulture);
                if (dayOfYear < 1 || dayOfYear > (DateTime.IsLeapYear(year) ? 366 : 365))
                    return Fail("the day of year is out of range for that year", out problem);
                completeDate = true;
            }
            else if (count == 2)
            {
                month = int.Parse(s.Slice(start, 2), CultureInfo.InvariantCulture);
                if (month is < 1 or > 12)
                    return Fail("the month must be 01-12", out problem);
                if (i < s.Length && s[i] == '-')
                {
                    i++;
                    if (!Digits(s, ref i, 2, out day) || i < s.Length && char.IsAsciiDigit(s[i]))
                        return Fail("the day of month must have two digits", out problem);
                    if (day < 1 || day > DateTime.DaysInMonth(year, month))
                        return Fail("the day of month is out of range for that month", out problem);
                    completeDate = true;
                }
            }
            else
            {
                return Fail("after the year comes -MM (month, two digits) or -DDD (day of year, three digits)", out problem);
            }
        }
        else if (i < s.Length && s[i] != 'T')
        {
            return Fail("after the year comes -MM, -DDD, or the end of the time", out problem);
        }

        int hour = 0, minute = 0, second = 0;
        long fractionTicks = 0;
        var fractionNonZero = false;
        if (i < s.Length)
        {
            if (s[i] != 'T')
                return Fail("the date must be followed by T and the time of day, Z, or nothing", out problem);
            if (!completeDate)
                return Fail("a time of day needs a complete date first (yyyy-mm-dd or yyyy-ddd)", out problem);
            if (i == s.Length - 1)
                return Fail("a T must be followed by at least the hour", out problem);
            i++;
            if (!Digits(s, ref i, 2, out hour))
                return Fail("the hour must have two digits", out problem);
            if (i < s.Length && s[i] == ':')
            {
                i++;
                if (!Digits(s, ref i, 2, out minute))
                    return Fail("the minutes must have two digits", out problem);
                if (i < s.Length && s[i] == ':')
                {
                    i++;
                    if (!Digits(s, ref i, 2, out second))
                        return Fail("the seconds must have two digits", out problem);
                    if (i < s.Length && s[i] == '.')
                    {
                        i++;
                        var start = i;
                        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
                        var count = i - start;
                        if (count is < 1 or > 9)
                            return Fail("the fraction of a second must have 1 to 9 digits", out problem);
                        // Ticks are 7 digits; digits 8-9 round the value up (see the summary).
                        long ticks = 0;
                        for (var d = 0; d < 7; d++)
                            ticks = ticks * 10 + (d < count ? s[start + d] - '0' : 0);
                        var beyond = count > 7 && (s[start + 7] != '0' || count > 8 && s[start + 8] != '0');
                        if (beyond) ticks++;
                        fractionTicks = ticks;
                        fractionNonZero = ticks != 0;
                    }
                }
            }
            if (i != s.Length)
                return Fail("the time of day must be hh, hh:mm, hh:mm:ss or hh:mm:ss.f (1-9 digits), optionally followed by Z", out problem);
            if (hour > 24 || minute > 59 || second > 60)
                return Fail("the time of day is out of range", out problem);
            if (hour == 24 && (minute != 0 || second != 0 || fractionNonZero))
                return Fail("hour 24 is allowed only as 24:00:00", out problem);
            if (second == 60 && !(hour == 23 && minute == 59))
                return Fail("second 60 (a leap second) is allowed only at 23:59", out problem);
        }

        try
        {
            var date = dayOfYear > 0
                ? new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(dayOfYear - 1)
                : new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);
            if (second == 60)
                utc = date.AddDays(1); // the leap second collapses onto the next day's start
            else
                utc = date.AddHours(hour).AddMinutes(minute).AddSeconds(second).AddTicks(fractionTicks);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return Fail("the time is beyond the year 9999", out problem);
        }
    }

    private static bool Digits(ReadOnlySpan<char> s, ref int i, int count, out int value)
    {
        value = 0;
        if (i + count > s.Length)
            return false;
        for (var k = 0; k < count; k++)
        {
            var c = s[i + k];
            if (!char.IsAsciiDigit(c))
                return false;
            value = value * 10 + (c - '0');
        }
        i += count;
        return true;
    }

    private static bool Fail(string message, out string problem)
    {
        problem = message;
        return false;
    }
}
