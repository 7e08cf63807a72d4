using System.Text;
using System.Text.Encodings.Web;
using HvMirror.Catalog;
using static HvMirror.HapiServer.Status.StatusFormat;

namespace HvMirror.HapiServer.Status;

/// <summary>
/// The <c>/status</c> page: self-contained HTML (inline CSS, no script), rendered here so that it reads without Grafana
/// or JavaScript. The overview shows every source's last 53 weeks (up to its newest files) day by day and its whole range year by year; a source's
/// own page (<c>/status?upstream=U&amp;dataset=D</c>) shows its whole range day by day. Days are one element each (~75 bytes),
/// so the overview shows the last year (half a year past 50 sources; <c>?weeks=N</c>) and stays a few MB at 150 sources,
/// where 20 years of every source day by day would be ~80 MB.
/// </summary>
public static class StatusPage
{
    /// <summary>Weeks of days the overview shows per source by default: a year up to 50 sources, half a year beyond (150 sources stay ~2.5 MB).</summary>
    public static int DefaultWeeks(int sources) => sources <= 50 ? 53 : 26;

    public const int MaxWeeks = 522;

    private const string Style = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px 24px;color:#1f2328;background:#fff}
        h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:0}h3{font-size:13px;margin:10px 0 2px;color:#57606a}
        a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
        .muted{color:#57606a}.err{color:#b31d28;font-weight:600}.ok{color:#1a7f37}
        .note{border:1px solid #d4a72c;background:#fff8c5;padding:10px 14px;border-radius:6px;margin:12px 0;font-size:15px}
        table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}th,td{padding:3px 6px;border-bottom:1px solid #d8dee4;text-align:right;white-space:nowrap}
        th{background:#f6f8fa;font-weight:600;position:sticky;top:0}td.l,th.l{text-align:left}
        section{border:1px solid #d8dee4;border-radius:6px;padding:10px 14px;margin:12px 0}
        .stats{margin:4px 0;display:flex;flex-wrap:wrap;gap:4px 18px}.stats b{font-weight:600}
        .cal{display:grid;grid-template-rows:repeat(7,10px);grid-auto-flow:column;grid-auto-columns:10px;gap:2px;margin:2px 0 6px}
        .cal i,.cal b,.years i,.legend i{display:block;width:10px;height:10px;border-radius:2px}
        .complete{background:#2da44e}.complete.empty{background:#dcefe0}.unknown{background:#d0d7de}.incomplete{background:#cf222e}
        .years{display:flex;gap:2px;align-items:center;margin:2px 0}.years a{display:block}.years i{width:14px}
        .legend{display:inline-flex;gap:4px;align-items:center;margin-left:8px}.legend i{display:inline-block}
        .months{display:grid;grid-auto-flow:column;grid-auto-columns:10px;gap:2px;font-size:10px;color:#57606a;height:13px}
        .months span{white-space:nowrap;overflow:visible}td.why{white-space:normal;overflow-wrap:anywhere;min-width:120px;max-width:200px;text-align:left;font-size:12px;font-weight:400}
        .yr{display:flex;gap:8px;align-items:flex-start}.yr span{width:34px;font-size:12px;color:#57606a}
        """;

    // Ten shades by tenths of the day missing: a class ("m3") is a fifth of an inline colour per square.
    private static readonly string Shades = string.Concat(Enumerable.Range(1, 10).Select(m => $".m{m}{{background:{Red(m / 10.0)}}}"));

    public static string Render(StatusReport report, int? weeks = null)
    {
        var recent = Math.Clamp(weeks ?? DefaultWeeks(report.Sources.Count), 1, MaxWeeks);
        var html = Begin("HvMirror status", report);
        html.Append("<h1>HvMirror status</h1><p class=muted>This node at ").Append(Time(report.Now))
            .Append(" · <a href=\"status.json\">status.json</a> (<code>?days=all</code> for every day)</p>");
        if (!report.AnyAudit)
            html.Append("<p class=note>No audit has run yet: run <code>hvmirror audit --from URL</code> or enable the scheduled audit.</p>");
        WorkListSummary(html, report.WorkList);
        if (report.Sources.Count == 0)
            html.Append("<p>No upstream dataset is mirrored, audited or wanted yet.</p>");
        else
        {
            SummaryTable(html, report);
            html.Append("<p class=muted>Legend<span class=legend><i class=complete></i> complete <i class=\"complete empty\"></i> no files")
                .Append(" <i class=\"incomplete m1\"></i><i class=\"incomplete m5\"></i><i class=\"incomplete m10\"></i> missing or stale (share of the day)")
                .Append(" <i class=unknown></i> not audited</span></p>");
            foreach (var source in report.Sources) Section(html, report.Now, source, recent);
        }
        return End(html);
    }

    /// <summary>One source's page: its whole audited range, one calendar block per year.</summary>
    public static string RenderSource(StatusReport report, SourceStatus source)
    {
        var html = Begin($"{source.Key} · HvMirror status", report);
        html.Append("<p><a href=\"status\">← all sources</a></p>");
        Section(html, report.Now, source, weeks: null);
        return End(html);
    }

    public static string RenderNotFound(string upstream, string dataset)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=en><meta charset=utf-8><title>Not found · HvMirror status</title><style>").Append(Style)
            .Append("</style><p>No upstream dataset <b>").Append(E(upstream)).Append('/').Append(E(dataset))
            .Append("</b> here. <a href=\"status\">All sources</a></p>");
        return End(html);
    }

    private static StringBuilder Begin(string title, StatusReport report) =>
        new StringBuilder(64 * 1024 + report.Sources.Count * 32 * 1024)
            .Append("<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width\"><title>")
            .Append(E(title)).Append("</title><style>").Append(Style).Append(Shades).Append("</style></head><body>");

    private static string End(StringBuilder html) => html.Append("</body></html>\n").ToString();

    private static void WorkListSummary(StringBuilder html, WorkListSummary work)
    {
        html.Append("<p><b>Work list</b>: ");
        if (work.Count == 0)
        {
            html.Append("<span class=ok>empty</span></p>");
            return;
        }
        html.Append(Count(work.Count)).Append(" files wanted, ").Append(Count(work.Failing)).Append(" failing");
        if (work.OldestWantedSince is { } oldest) html.Append(", oldest wanted since ").Append(Time(Utc(oldest)));
        html.Append("</p>");
        if (work.Reasons.Count > 0)
        {
            html.Append("<table><tr><th class=l>last error</th><th>files</th></tr>");
            foreach (var (reason, count) in work.Reasons)
                html.Append("<tr><td class=l>").Append(E(reason)).Append("</td><td>").Append(Count(count)).Append("</td></tr>");
            html.Append("</table>");
        }
    }

    private static void SummaryTable(StringBuilder html, StatusReport report)
    {
        html.Append("<table><tr><th class=l>upstream</th><th class=l>dataset</th><th>complete</th><th>missing</th><th>stale</th><th>extra</th>")
            .Append("<th>days short</th><th>oldest missing</th><th>audited</th><th>cursor lag</th><th>cursor moved</th><th>work list</th><th class=l>audit error</th></tr>");
        // Worst first: what needs looking at is at the top; sources never audited last.
        foreach (var s in report.Sources.OrderBy(s => s.Audit is null).ThenBy(s => s.Audit?.Completeness ?? 0).ThenBy(s => s.Key, StringComparer.Ordinal))
        {
            var a = s.Audit;
            html.Append("<tr><td class=l>").Append(E(s.Upstream)).Append("</td><td class=l><a href=\"#").Append(E(Anchor(s))).Append("\">")
                .Append(E(s.Dataset)).Append("</a></td>");
            if (a is null) html.Append("<td colspan=7 class=muted>not audited</td>");
            else
                html.Append(a.Completeness >= 1 ? "<td class=ok>" : "<td class=err>").Append(Percent(a.Completeness)).Append("</td><td>")
                    .Append(Count(a.Missing)).Append("</td><td>").Append(Count(a.Stale)).Append("</td><td>").Append(Count(a.Extra)).Append("</td><td>")
                    .Append(Count(a.DaysIncomplete)).Append("</td><td>").Append(a.OldestMissingDay is { } om ? Day(om) : "–").Append("</td><td>")
                    .Append(Duration(report.Now - Utc(a.CheckedAt))).Append(" ago</td>");
            CursorCells(html, report.Now, s.Cursor);
            html.Append("<td>").Append(s.WorkList is { } w ? $"{Count(w.Count)} ({Count(w.Failing)} failing)" : "–").Append("</td><td class=\"why err\"");
            if (a?.Error is { } error) html.Append(" title=\"").Append(E(error)).Append("\">").Append(E(Shorten(error, 60)));
            else html.Append('>');
            html.Append("</td></tr>");
        }
        html.Append("</table>");
    }

    private static void CursorCells(StringBuilder html, DateTime now, CursorStatus? cursor)
    {
        if (cursor is null) html.Append("<td class=muted>–</td><td class=muted>–</td>");
        else
            html.Append("<td title=\"cursor at ").Append(Time(cursor.Position)).Append("\">").Append(Duration(cursor.Lag(now)))
                .Append("</td><td title=\"").Append(Time(cursor.UpdatedAt)).Append("\">").Append(Duration(cursor.Age(now))).Append(" ago</td>");
    }

    /// <summary>With <paramref name="weeks"/>, that many weeks up to the range's end and a strip of years; without, every year day by day.</summary>
    private static void Section(StringBuilder html, DateTime now, SourceStatus s, int? weeks)
    {
        var detail = weeks is null;
        html.Append("<section id=\"").Append(E(Anchor(s))).Append("\"><h2>").Append(E(s.Upstream)).Append(" / ");
        if (detail) html.Append(E(s.Dataset));
        else html.Append("<a href=\"").Append(E(SourceUrl(s))).Append("\">").Append(E(s.Dataset)).Append("</a>");
        html.Append("</h2><div class=stats>");
        var a = s.Audit;
        if (a is null) html.Append("<span class=muted>not audited</span>");
        else
        {
            html.Append("<span><b class=").Append(a.Completeness >= 1 ? "ok" : "err").Append('>').Append(Percent(a.Completeness)).Append("</b> complete (")
                .Append(Count(a.InSync)).Append(" of ").Append(Count(a.Expected)).Append(" files)</span><span>missing <b>").Append(Count(a.Missing))
                .Append("</b></span><span>stale <b>").Append(Count(a.Stale)).Append("</b></span><span>extra <b>").Append(Count(a.Extra))
                .Append("</b></span><span>days incomplete <b>").Append(Count(a.DaysIncomplete)).Append("</b> of ").Append(Count(a.DaysComplete + a.DaysIncomplete))
                .Append("</span><span>oldest missing <b>").Append(a.OldestMissingDay is { } om ? Day(om) : "–").Append("</b></span><span>range ")
                .Append(Day(a.FromDay)).Append(" – ").Append(Day(a.UntilDay.AddDays(-1))).Append("</span><span>checked ").Append(Time(Utc(a.CheckedAt)))
                .Append(" (").Append(Duration(now - Utc(a.CheckedAt))).Append(" ago)</span>");
        }
        if (s.Cursor is { } c)
            html.Append("<span>cursor ").Append(Time(c.Position)).Append(", lag <b>").Append(Duration(c.Lag(now))).Append("</b>, moved ")
                .Append(Duration(c.Age(now))).Append(" ago</span>");
        if (s.WorkList is { } w)
        {
            html.Append("<span>work list <b>").Append(Count(w.Count)).Append("</b>, ").Append(Count(w.Failing)).Append(" failing");
            if (w.OldestWantedSince is { } since) html.Append(", oldest since ").Append(Time(since));
            html.Append("</span>");
        }
        html.Append("</div>");
        if (a?.Error is { } error) html.Append("<p class=err>Last audit failed: ").Append(E(error)).Append(" (figures from the last audit that ran)</p>");
        if (a is not null)
        {
            var days = ByDay(s.Days);
            if (detail) Years(html, a, days);
            else
            {
                // The weeks up to the source's newest files, not up to today: a source that stopped years ago (EIT, MDI)
                // still shows its own last year rather than a year of empty days.
                var last = s.Days.Count > 0 ? s.Days.Max(d => d.WholeMonth ? d.Day.AddMonths(1).AddDays(-1) : d.Day).Date : a.UntilDay.AddDays(-1).Date;
                var first = Monday(last.AddDays(-7 * weeks!.Value + 7));
                html.Append("<h3>").Append(Day(first)).Append(" – ").Append(Day(last)).Append("</h3>");
                Calendar(html, a, days, first, last);
                YearStrip(html, s, a);
            }
        }
        html.Append("</section>");
    }

    /// <summary>Each day's entry; the days of a month found complete as a whole all share its entry.</summary>
    private static Dictionary<DateTime, AuditDay> ByDay(IReadOnlyList<AuditDay> entries)
    {
        var days = new Dictionary<DateTime, AuditDay>();
        foreach (var entry in entries)
        {
            if (!entry.WholeMonth) days[entry.Day] = entry;
            else
                for (var day = entry.Day; day < entry.Day.AddMonths(1); day = day.AddDays(1))
                    days.TryAdd(day, entry);
        }
        return days;
    }

    private static void Years(StringBuilder html, AuditResult a, IReadOnlyDictionary<DateTime, AuditDay> days)
    {
        var last = a.UntilDay.AddDays(-1).Date;
        for (var year = a.FromDay.Year; year <= last.Year; year++)
        {
            html.Append("<div class=yr id=y").Append(year).Append("><span>").Append(year).Append("</span>");
            var jan1 = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            Calendar(html, a, days, jan1, jan1.AddYears(1).AddDays(-1));
            html.Append("</div>");
        }
    }

    /// <summary>Days <paramref name="first"/>..<paramref name="last"/>, a column per week from Monday, after blank cells up to <paramref name="first"/>'s weekday.</summary>
    private static void Calendar(StringBuilder html, AuditResult a, IReadOnlyDictionary<DateTime, AuditDay> days, DateTime first, DateTime last)
    {
        Months(html, first, last);
        html.Append("<div class=cal>");
        for (var pad = ((int)first.DayOfWeek + 6) % 7; pad > 0; pad--) html.Append("<b></b>");
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var (state, title) = Describe(day, a, days);
            html.Append(state switch
            {
                DayState.Complete => "<i class=complete data-day=",
                DayState.Empty => "<i class=\"complete empty\" data-day=",
                DayState.Incomplete => $"<i class=\"incomplete m{Shade(Shortfall(days[day]))}\" data-day=",
                _ => "<i class=unknown data-day=",
            }).Append(Day(day));
            html.Append(" title=\"").Append(title).Append("\"></i>");
        }
        html.Append("</div>");
    }

    /// <summary>A label over each week column in which a month starts.</summary>
    private static void Months(StringBuilder html, DateTime first, DateTime last)
    {
        html.Append("<div class=months>");
        for (var week = Monday(first); week <= last; week = week.AddDays(7))
        {
            var sunday = week.AddDays(6);
            var starts = week.Day == 1 || sunday.Month != week.Month;
            html.Append("<span>").Append(starts ? sunday.ToString("MMM", Inv) : "").Append("</span>");
        }
        html.Append("</div>");
    }

    /// <summary>The whole range a cell per year, each linking to that year on the source's page.</summary>
    private static void YearStrip(StringBuilder html, SourceStatus s, AuditResult a)
    {
        var last = a.UntilDay.AddDays(-1);
        var byYear = s.Days.GroupBy(d => d.Day.Year).ToDictionary(g => g.Key, g => g.ToList());
        html.Append("<div class=years><span class=muted>years&nbsp;</span>");
        for (var year = a.FromDay.Year; year <= last.Year; year++)
        {
            var list = byYear.GetValueOrDefault(year) ?? [];
            long expected = list.Sum(d => d.Expected), shortBy = list.Sum(d => d.Missing + d.Stale);
            var incomplete = list.Count(d => !d.Complete);
            var title = incomplete == 0
                ? $"{year}: complete, {Count(expected)} files"
                : $"{year}: {incomplete} days incomplete, {Count(shortBy)} of {Count(expected)} files missing or stale";
            html.Append("<a href=\"").Append(E(SourceUrl(s))).Append("#y").Append(year).Append("\"><i data-year=").Append(year);
            if (incomplete == 0) html.Append(list.Count == 0 ? " class=\"complete empty\"" : " class=complete");
            else html.Append(" class=\"incomplete m").Append(Shade(expected == 0 ? 0 : (double)shortBy / expected)).Append('"');
            html.Append(" title=\"").Append(title).Append("\"></i></a>");
        }
        html.Append("</div>");
    }

    /// <summary>1 to 10: any shortfall at all shows at least the palest red.</summary>
    private static int Shade(double shortfall) => Math.Clamp((int)Math.Ceiling(shortfall * 10), 1, 10);

    private static DateTime Monday(DateTime day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    private static string Anchor(SourceStatus s) => "s-" + s.Upstream + "-" + s.Dataset;

    private static string SourceUrl(SourceStatus s) => $"status?upstream={Uri.EscapeDataString(s.Upstream)}&dataset={Uri.EscapeDataString(s.Dataset)}";

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string E(string text) => HtmlEncoder.Default.Encode(text);
}
