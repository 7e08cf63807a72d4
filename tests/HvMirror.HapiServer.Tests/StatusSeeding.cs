using HvMirror.Catalog;
using HvMirror.HapiServer.Status;

namespace HvMirror.HapiServer.Tests;

/// <summary>Audit results, cursors and work-list entries written straight into a catalog, as the audit and the mirror would leave them.</summary>
internal static class StatusSeeding
{
    public static readonly DateTime Gap = Day(2024, 5, 3);
    public static readonly DateTime From = Day(2024, 4, 1);
    public static readonly DateTime Until = Day(2024, 6, 1);
    /// <summary>Inside the audited range, no file on either side.</summary>
    public static readonly DateTime NoFiles = Day(2024, 5, 20);
    /// <summary>Shown in the calendar (the 53 weeks before the range's end), before the range: never audited.</summary>
    public static readonly DateTime Unaudited = Day(2024, 3, 15);

    public const string HostileUpstream = "<b>evil</b>&co";
    public const string HostileError = "upstream said <script>alert(1)</script>";

    public static DateTime Day(int y, int m, int d) => new(y, m, d, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>primary/AIA_171 from 2024-04-01 to 2024-05-31, 40 files a day, all held but 12 missing and 1 stale on 2024-05-03.</summary>
    public static async Task KnownGapAsync(CatalogDbContextFactory contexts, DateTime now)
    {
        var days = new List<AuditDay>();
        for (var d = From; d < Until; d = d.AddDays(1))
            if (d != NoFiles) days.Add(d == Gap ? new AuditDay(d, 40, 12, 1, 0) : new AuditDay(d, 40, 0, 0, 0));
        await using var db = contexts.CreateDbContext();
        db.AuditResults.Add(Audit("primary", "AIA_171", From, Until, days, now.AddHours(-1)));
        db.AuditResults.Add(Audit(HostileUpstream, "HMI_MAG", From, Until, [new AuditDay(Day(2024, 4, 2), 5, 0, 0, 0)], now.AddDays(-2), HostileError));
        db.MirrorCursors.Add(new MirrorCursor { Upstream = "primary", Dataset = "AIA_171", Position = now.AddHours(-2), UpdatedAt = now.AddMinutes(-5) });
        db.WantedFiles.Add(new WantedFile
        {
            Name = "2024_05_03__10_00_00_000__SDO_AIA_AIA_171.jp2", Upstream = "primary", Dataset = "AIA_171", Checksum = "sha256:" + new string('a', 64),
            Url = "http://primary.example/jp2/x.jp2", Reason = "New", Attempts = 2, LastError = "HTTP 503 from primary",
            WantedSince = now.AddHours(-3), NextAttemptAt = now.AddMinutes(10), UpstreamIngestedAt = Gap.AddHours(10),
        });
        await db.SaveChangesAsync();
    }

    /// <summary>What a mirror of a few sources looks like after a year and a half: mostly complete, an outage, a backlog, an audit that failed.</summary>
    public static async Task RealisticAsync(CatalogDbContextFactory contexts, DateTime now)
    {
        var from = Day(2023, 1, 1);
        var until = Day(2024, 7, 1);
        var random = new Random(20240503);
        List<AuditDay> Series(long perDay, Func<DateTime, AuditDay?> special)
        {
            var list = new List<AuditDay>();
            for (var d = from; d < until; d = d.AddDays(1))
                if (special(d) is { } s) { if (s.Expected > 0 || s.Extra > 0) list.Add(s); }
                else list.Add(new AuditDay(d, perDay - random.Next(0, (int)(perDay / 50) + 1), 0, 0, 0));
            return list;
        }
        AuditDay Partial(DateTime d, long perDay, double missing) => new(d, perDay, (long)(perDay * missing), 0, 0);

        var sources = new (string Upstream, string Dataset, List<AuditDay> Days, string? Error)[]
        {
            ("helioviewer.org", "AIA_171", Series(2400, _ => null), null),
            // A network outage in February: a week fetched not at all, its edges in part.
            ("helioviewer.org", "AIA_304", Series(2400, d =>
                d >= Day(2024, 2, 12) && d < Day(2024, 2, 19) ? Partial(d, 2400, 1)
                : d == Day(2024, 2, 11) || d == Day(2024, 2, 19) ? Partial(d, 2400, 0.4)
                : random.NextDouble() < 0.01 ? Partial(d, 2400, 0.02) : null), null),
            // The newest days are still being fetched.
            ("helioviewer.org", "HMI_MAG", Series(960, d =>
                d >= Day(2024, 6, 24) ? Partial(d, 960, (d - Day(2024, 6, 23)).TotalDays / 8) : null), null),
            // Days without any observation upstream, and a reprocessing not fetched yet.
            ("helioviewer.org", "LASCO_C2", Series(72, d =>
                random.NextDouble() < 0.04 ? new AuditDay(d, 0, 0, 0, 0)
                : d >= Day(2023, 9, 4) && d < Day(2023, 9, 9) ? new AuditDay(d, 72, 0, 72, 0) : null), null),
            ("ias.fr", "SWAP_174", Series(1440, d => d.Month == 11 && d.Year == 2023 && d.Day % 7 == 0 ? Partial(d, 1440, 0.15) : null),
                "upstream https://ias.fr/hapi/days: HTTP 502 (figures from 2024-06-29)"),
        };
        await using var db = contexts.CreateDbContext();
        foreach (var (upstream, dataset, days, error) in sources)
        {
            db.AuditResults.Add(Audit(upstream, dataset, from, until, days, now.AddMinutes(-random.Next(20, 600)), error));
            db.MirrorCursors.Add(new MirrorCursor
            {
                Upstream = upstream, Dataset = dataset, Position = now.AddSeconds(-random.Next(30, 900)), UpdatedAt = now.AddSeconds(-random.Next(5, 120)),
            });
        }
        for (var i = 0; i < 25; i++)
            db.WantedFiles.Add(new WantedFile
            {
                Name = $"2024_06_30__00_{i:00}_00_000__SDO_HMI_HMI_magnetogram.jp2", Upstream = "helioviewer.org", Dataset = "HMI_MAG",
                Checksum = "sha256:" + new string('b', 64), Url = "https://helioviewer.org/jp2/x.jp2", Reason = "New",
                Attempts = i < 3 ? 1 : 0, LastError = i < 3 ? "connection reset by peer" : null,
                WantedSince = now.AddMinutes(-40 + i), NextAttemptAt = now.AddMinutes(5), UpstreamIngestedAt = now.AddHours(-1),
            });
        await db.SaveChangesAsync();
    }

    /// <summary>An in-memory report of <paramref name="sources"/> sources over <paramref name="years"/> years, a share of days incomplete.</summary>
    public static StatusReport Large(int sources, int years, double incompleteShare, DateTime now)
    {
        var random = new Random(42);
        var until = Day(2025, 1, 1);
        var from = until.AddYears(-years);
        var list = new List<SourceStatus>();
        for (var s = 0; s < sources; s++)
        {
            var days = new List<AuditDay>();
            for (var d = from; d < until; d = d.AddDays(1))
                days.Add(random.NextDouble() < incompleteShare ? new AuditDay(d, 2400, random.Next(1, 2400), random.Next(0, 3), 0) : new AuditDay(d, 2400, 0, 0, 0));
            var audit = Audit("helioviewer.org", $"SOURCE_{s:000}", from, until, days, now.AddHours(-1));
            list.Add(new SourceStatus(audit.Upstream, audit.Dataset, audit, days,
                new CursorStatus(now.AddMinutes(-3), now.AddMinutes(-1)), new SourceWorkList(3, 1, now.AddHours(-2))));
        }
        return new StatusReport(now, list, new WorkListSummary(450, 150, now.AddHours(-2), [("HTTP 503", 150)]));
    }

    public static AuditResult Audit(string upstream, string dataset, DateTime from, DateTime until, IReadOnlyList<AuditDay> days, DateTime checkedAt, string? error = null)
    {
        var expected = days.Sum(d => d.Expected);
        var missing = days.Sum(d => d.Missing);
        var stale = days.Sum(d => d.Stale);
        return new AuditResult
        {
            Upstream = upstream, Dataset = dataset, CheckedAt = checkedAt, FromDay = from, UntilDay = until,
            Expected = expected, InSync = expected - missing - stale, Missing = missing, Stale = stale, Extra = days.Sum(d => d.Extra),
            DaysComplete = days.Count(d => d.Complete), DaysIncomplete = days.Count(d => !d.Complete),
            OldestMissingDay = days.Where(d => d.Missing > 0 || d.Stale > 0).Select(d => (DateTime?)d.Day).Min(),
            Days = AuditDays.Encode(days), Error = error,
        };
    }
}
