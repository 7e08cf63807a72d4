using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.HapiClient;
using HvMirror.ServiceDefaults;
using HvMirror.Upstreams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.Audit;

/// <summary>The scheduled audit (<c>HvMirror:Audit</c>).</summary>
public sealed class AuditOptions
{
    public const string Section = "HvMirror:Audit";

    /// <summary>Time between two audits of every upstream; zero turns the scheduled audit off. Default 1 hour.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Time from start to the first audit (the first polls go first). Default 2 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan FirstAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Also re-hash every file of the archive on disk each time (reads it all). Default false.</summary>
    public bool Deep { get; set; }
}

public static class AuditRole
{
    /// <summary>The scheduled audit of every configured upstream, and its metrics (the catalog must be registered: <c>AddCatalog</c>).</summary>
    public static IServiceCollection AddScheduledAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddUpstreams(configuration);
        services.AddHostedService<ScheduledAuditService>();
        return services;
    }
}

/// <summary>
/// Audits every configured upstream on <see cref="AuditOptions.Interval"/> (<see cref="SyncAuditor"/>, summaries only
/// unless <see cref="AuditOptions.Deep"/>; never repairs: the work list and the poller do that) and publishes the last
/// results of every upstream dataset as metrics.
/// </summary>
internal sealed class ScheduledAuditService(
    CatalogDbContextFactory contexts, ArchiveLocation archive, FileRegistry registry, WorkList workList, TimeProvider time,
    IOptions<AuditOptions> options, IOptions<UpstreamsOptions> upstreams, ILogger<ScheduledAuditService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Interval <= TimeSpan.Zero)
        {
            logger.LogInformation("The scheduled audit is off (HvMirror:Audit:Interval is {Interval})", settings.Interval);
            return;
        }
        try
        {
            await RefreshMetricsAsync(stoppingToken);
            await Task.Delay(settings.FirstAfter, time, stoppingToken);
            using var timer = new PeriodicTimer(settings.Interval, time);
            do
            {
                foreach (var upstream in upstreams.Value.Upstreams)
                    await AuditAsync(upstream, settings, stoppingToken);
                await RefreshMetricsAsync(stoppingToken);
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RefreshMetricsAsync(CancellationToken stoppingToken)
    {
        try
        {
            await AuditMetrics.RefreshAsync(contexts, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("The audit metrics could not be read from the catalog: {Type}: {Error}", e.GetType().Name, e.Message);
        }
    }

    private async Task AuditAsync(UpstreamOptions upstream, AuditOptions settings, CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        try
        {
            using var client = UpstreamClient.Create(upstream.Name, upstream.BaseUrl, SyncAuditor.ClientOptions);
            var auditor = new SyncAuditor(client, contexts, archive, registry, workList, time);
            var patterns = upstream.Datasets.Count == 0 ? ["*"] : upstream.Datasets;
            var results = await auditor.AuditAsync(new AuditRequest(patterns, Deep: settings.Deep), audit =>
            {
                if (audit.Error is { } error)
                    logger.LogWarning("Audit of {Upstream} {Dataset} could not run: {Error}", audit.Upstream, OperatorText.Escape(audit.Dataset), error);
                else if (!audit.InSyncWholly)
                    logger.LogWarning("Audit of {Upstream} {Dataset}: {DaysIncomplete} of {Days} days incomplete, {Missing} missing, {Stale} stale, " +
                                      "{Extra} extra, oldest missing day {Oldest:yyyy-MM-dd}",
                        audit.Upstream, OperatorText.Escape(audit.Dataset), audit.DaysIncomplete, audit.Days.Count, audit.Missing, audit.Stale,
                        audit.Extra, audit.OldestMissingDay);
            }, stoppingToken);
            logger.LogInformation("Audited {Upstream}: {Complete} of {Count} datasets complete, {InSync} of {Expected} files in sync, in {Elapsed:0.0} s",
                upstream.Name, results.Count(r => r.InSyncWholly), results.Count, results.Sum(r => r.InSync), results.Sum(r => r.Expected),
                time.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The audit only observes: whatever stops it (an upstream, the catalog down) must not stop the poller beside it.
            logger.LogWarning("Audit of {Upstream} could not run: {Error}; tried again in {Interval}", upstream.Name,
                e is HapiClientException ? e.Message : $"{e.GetType().Name}: {e.Message}", settings.Interval);
        }
    }
}

/// <summary>
/// The last audit of every upstream dataset, from <c>audit_results</c>: <c>hvmirror_audit_completeness_ratio</c>,
/// <c>hvmirror_audit_missing</c>, <c>hvmirror_audit_stale</c>, <c>hvmirror_audit_extra</c>,
/// <c>hvmirror_audit_oldest_missing_day_seconds</c> (Unix time of the oldest day with a missing or stale file) and
/// <c>hvmirror_audit_age_seconds</c> (since that audit), labelled upstream and dataset.
/// </summary>
public static class AuditMetrics
{
    private static volatile IReadOnlyList<AuditResult> _results = [];

    static AuditMetrics()
    {
        Gauge("hvmirror.audit.completeness_ratio", "1", "Fraction of the upstream's files held here with the same bytes, as of the last audit.", r => r.Completeness);
        Gauge("hvmirror.audit.missing", "{file}", "Upstream files not held here, as of the last audit.", r => r.Missing);
        Gauge("hvmirror.audit.stale", "{file}", "Upstream files held here with other bytes, as of the last audit.", r => r.Stale);
        Gauge("hvmirror.audit.extra", "{file}", "Files held here that the upstream does not list, as of the last audit.", r => r.Extra);
        HvMirrorTelemetry.Meter.CreateObservableGauge("hvmirror.audit.oldest_missing_day", () =>
            _results.Where(r => r.OldestMissingDay is not null).Select(r =>
                Measure(new DateTimeOffset(DateTime.SpecifyKind(r.OldestMissingDay!.Value, DateTimeKind.Utc)).ToUnixTimeSeconds(), r)), "s",
            "Unix time of the oldest observation day with a missing or stale file, as of the last audit (absent when none).");
        HvMirrorTelemetry.Meter.CreateObservableGauge("hvmirror.audit.age", () =>
            _results.Select(r => Measure((DateTime.UtcNow - DateTime.SpecifyKind(r.CheckedAt, DateTimeKind.Utc)).TotalSeconds, r)), "s",
            "Time since the last audit of the upstream dataset.");
    }

    public static async Task RefreshAsync(CatalogDbContextFactory contexts, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        // The per-day map is for the status page; the metrics need only the totals.
        _results = await db.AuditResults.AsNoTracking().Select(a => new AuditResult
        {
            Upstream = a.Upstream, Dataset = a.Dataset, CheckedAt = a.CheckedAt, Expected = a.Expected, InSync = a.InSync, Missing = a.Missing,
            Stale = a.Stale, Extra = a.Extra, OldestMissingDay = a.OldestMissingDay, Days = "",
        }).ToListAsync(cancellationToken);
    }

    private static void Gauge(string name, string unit, string description, Func<AuditResult, double> value) =>
        HvMirrorTelemetry.Meter.CreateObservableGauge(name, () => _results.Select(r => Measure(value(r), r)), unit, description);

    private static Measurement<double> Measure(double value, AuditResult r) =>
        new(value, new KeyValuePair<string, object?>("upstream", r.Upstream), new KeyValuePair<string, object?>("dataset", r.Dataset));
}
