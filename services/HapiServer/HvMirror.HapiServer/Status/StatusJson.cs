using System.Text.Encodings.Web;
using System.Text.Json;
using HvMirror.Catalog;
using static HvMirror.HapiServer.Status.StatusFormat;

namespace HvMirror.HapiServer.Status;

/// <summary>
/// <c>/status.json</c>: what the page shows, for scripts. A source's <c>days</c> lists its incomplete days (every listed
/// day with <c>?days=all</c>): every day of 150 sources over 20 years would be tens of MB.
/// </summary>
public static class StatusJson
{
    public static byte[] Render(StatusReport report, bool allDays)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.Default }))
        {
            json.WriteStartObject();
            json.WriteString("now", Iso(report.Now));
            json.WriteBoolean("audited", report.AnyAudit);
            if (!report.AnyAudit) json.WriteString("message", NoAuditMessage);
            json.WriteString("days", allDays ? "all" : "incomplete");

            json.WriteStartObject("workList");
            json.WriteNumber("count", report.WorkList.Count);
            json.WriteNumber("failing", report.WorkList.Failing);
            WriteTime(json, "oldestWantedSince", report.WorkList.OldestWantedSince);
            json.WriteStartArray("reasons");
            foreach (var (reason, count) in report.WorkList.Reasons)
            {
                json.WriteStartObject();
                json.WriteString("reason", reason);
                json.WriteNumber("count", count);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartArray("sources");
            foreach (var s in report.Sources) Source(json, report.Now, s, allDays);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void Source(Utf8JsonWriter json, DateTime now, SourceStatus s, bool allDays)
    {
        json.WriteStartObject();
        json.WriteString("upstream", s.Upstream);
        json.WriteString("dataset", s.Dataset);
        if (s.Audit is not { } a) json.WriteNull("audit");
        else
        {
            json.WriteStartObject("audit");
            WriteTime(json, "checkedAt", a.CheckedAt);
            json.WriteNumber("ageSeconds", Math.Round((now - Utc(a.CheckedAt)).TotalSeconds));
            json.WriteString("fromDay", Day(a.FromDay));
            json.WriteString("untilDay", Day(a.UntilDay));
            json.WriteNumber("expected", a.Expected);
            json.WriteNumber("inSync", a.InSync);
            json.WriteNumber("missing", a.Missing);
            json.WriteNumber("stale", a.Stale);
            json.WriteNumber("extra", a.Extra);
            json.WriteNumber("completeness", a.Completeness);
            json.WriteNumber("daysComplete", a.DaysComplete);
            json.WriteNumber("daysIncomplete", a.DaysIncomplete);
            if (a.OldestMissingDay is { } om) json.WriteString("oldestMissingDay", Day(om));
            else json.WriteNull("oldestMissingDay");
            if (a.Error is { } error) json.WriteString("error", error);
            else json.WriteNull("error");
            json.WriteStartArray("days");
            foreach (var d in s.Days)
            {
                if (!allDays && d.Complete) continue;
                json.WriteStartObject();
                if (d.WholeMonth) json.WriteString("month", d.Day.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
                else json.WriteString("day", Day(d.Day));
                json.WriteString("state", d.Complete ? "complete" : "incomplete");
                json.WriteNumber("expected", d.Expected);
                json.WriteNumber("missing", d.Missing);
                json.WriteNumber("stale", d.Stale);
                json.WriteNumber("extra", d.Extra);
                json.WriteNumber("completeness", Math.Round(d.Completeness, 6));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        if (s.Cursor is not { } c) json.WriteNull("cursor");
        else
        {
            json.WriteStartObject("cursor");
            WriteTime(json, "position", c.Position);
            WriteTime(json, "updatedAt", c.UpdatedAt);
            json.WriteNumber("lagSeconds", Math.Round(c.Lag(now).TotalSeconds, 3));
            json.WriteNumber("ageSeconds", Math.Round(c.Age(now).TotalSeconds, 3));
            json.WriteEndObject();
        }
        if (s.WorkList is not { } w) json.WriteNull("workList");
        else
        {
            json.WriteStartObject("workList");
            json.WriteNumber("count", w.Count);
            json.WriteNumber("failing", w.Failing);
            WriteTime(json, "oldestWantedSince", w.OldestWantedSince);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTime? t)
    {
        if (t is { } value) json.WriteString(name, Iso(value));
        else json.WriteNull(name);
    }
}
