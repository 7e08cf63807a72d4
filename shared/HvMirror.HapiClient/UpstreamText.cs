using System.Globalization;
using System.Net;
using System.Text;
using HvMirror.Hapi;

namespace HvMirror.HapiClient;

/// <summary>Puts what an upstream sent, and the times and spans of a read, into messages an operator reads.</summary>
public static class UpstreamText
{
    /// <summary>Text from the upstream, safe to put in a message: control characters escaped, long text cut.</summary>
    public static string Shown(string text) => Shown(text, 120);

    /// <summary>The start of a body that is not what was asked for, safe to put in a message.</summary>
    public static string Excerpt(string text) => Shown(text.Trim(), 200);

    /// <summary>Microseconds when that is exact (the usual case), else all seven tick digits: never rounds a bound.</summary>
    public static string FormatTime(DateTime t) =>
        t.Ticks % 10 == 0
            ? HapiTime.Format(t)
            : DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static string Describe(TimeSpan span) =>
        span >= TimeSpan.FromDays(1) ? $"{span.TotalDays:0.###} days"
        : span >= TimeSpan.FromHours(1) ? $"{span.TotalHours:0.###} hours"
        : span >= TimeSpan.FromMinutes(1) ? $"{span.TotalMinutes:0.###} minutes"
        : $"{span.TotalSeconds:0.###} seconds";

    public static string ReasonOf(int status) => Enum.IsDefined(typeof(HttpStatusCode), status) ? ((HttpStatusCode)status).ToString() : "HTTP error";

    /// <summary>What went wrong in the fewest words: the innermost cause, then its wrapper if that one says more.</summary>
    public static string Innermost(Exception e)
    {
        // e.g. "Connection refused (host:port)" rather than "An error occurred while sending the request."
        var chain = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
            if (!string.IsNullOrWhiteSpace(x.Message))
                chain.Add(x.Message.Trim());
        chain.Reverse();
        var kept = new List<string>();
        foreach (var message in chain)
        {
            if (kept.Count == 2 || kept.Any(k => k.Contains(message, StringComparison.Ordinal)))
                continue;
            kept.RemoveAll(k => message.Contains(k, StringComparison.Ordinal));
            kept.Add(message);
        }
        return kept.Count == 0 ? e.GetType().Name : string.Join(" ← ", kept);
    }

    private static string Shown(string text, int max)
    {
        var sb = new StringBuilder(Math.Min(text.Length, max + 1));
        foreach (var c in text)
        {
            if (sb.Length >= max)
            {
                sb.Append('…');
                break;
            }
            if (char.IsControl(c))
                sb.Append(c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => $"\\u{(int)c:X4}" });
            else
                sb.Append(c);
        }
        return sb.ToString();
    }
}
