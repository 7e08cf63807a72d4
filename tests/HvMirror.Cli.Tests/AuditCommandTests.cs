using HvMirror.Archive;
using HvMirror.Audit;
using HvMirror.Catalog;
using HvMirror.Cli.Commands;
using HvMirror.Ingestion;
using HvMirror.Node;
using HvMirror.HapiClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HvMirror.Cli.Tests;

/// <summary>`hvmirror audit`: per source and day, against a mirror with deleted, corrupted and stale files, then repaired.</summary>
public sealed class AuditCommandTests : PrimaryAndMirrorTests
{
    private static readonly DateTime Start = new(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_mirror_in_sync_is_proven_with_one_request_per_source_and_every_day_complete()
    {
        // 12 files 6 h apart, the two sources in turn: three days of each.
        await PublishAsync(SampleFiles.Generate(DataSources.Helioviewer, ["AIA_171", "LASCO_C2"], 12, Start, TimeSpan.FromHours(6), 3000));
        Assert.Equal(ExitCodes.Success, await MirrorCommand.RunOnceAsync(Settings(), TextWriter.Null, default));

        var exit = await AuditAsync(new AuditRequest(["*"]));

        var text = Output.ToString();
        Assert.True(exit == ExitCodes.Success, text);
        AssertOutputHas("AIA_171: 3 days complete, 0 incomplete; 100 % (6 of 6 files); 0 missing, 0 stale, 0 extra (1 request)");
        AssertOutputHas("LASCO_C2: 3 days complete, 0 incomplete; 100 % (6 of 6 files); 0 missing, 0 stale, 0 extra (1 request)");
        AssertOutputHas("audit: 2 of 2 sources complete; 12 of 12 upstream files in sync (100 %); 0 missing, 0 stale, 0 extra; 0 of 6 days incomplete; 2 requests for 2 sources (besides the catalog)");
        await using var db = MirrorCatalog().CreateDbContext();
        var results = await db.AuditResults.AsNoTracking().OrderBy(a => a.Dataset).ToListAsync();
        Assert.Equal(["AIA_171", "LASCO_C2"], results.Select(r => r.Dataset));
        Assert.All(results, r => Assert.Equal((6L, 6L, 0L, 3, 0), (r.Expected, r.InSync, r.Missing, r.DaysComplete, r.DaysIncomplete)));
        // The month's summaries agree: one entry stands for its three days, none of which was listed.
        Assert.Equal([new AuditDay(Start, 6, 0, 0, 0, Days: 3, WholeMonth: true)], AuditDays.Decode(results[0].Days));
    }

    [Fact]
    public async Task Missing_stale_and_broken_files_are_named_per_day_then_repaired()
    {
        var files = await PublishAsync(SampleFiles.Generate(DataSources.Helioviewer, ["AIA_171"], 12, Start, TimeSpan.FromHours(6), 3000));
        Assert.Equal(ExitCodes.Success, await MirrorCommand.RunOnceAsync(Settings(), TextWriter.Null, default));
        // Day 1: reprocessed upstream, not fetched again (stale). Day 2: lost from the mirror's catalog and disk (missing).
        // Day 3: deleted from the mirror's disk, and corrupted on it, both still catalogued (found by the deep check only).
        var stale = files[1];
        await PublishAsync([SampleFiles.Create(DataSources.Helioviewer, stale.Source, stale.ObservedAt, 3000, "v2")]);
        var missing = files[5];
        var registry = new FileRegistry(MirrorCatalog(), IngestionClock.System);
        Assert.True(await registry.RemoveAsync(missing.Name, default));
        File.Delete(MirrorPath(missing));
        var deleted = files[9];
        File.Delete(MirrorPath(deleted));
        var corrupted = files[10];
        await File.WriteAllBytesAsync(MirrorPath(corrupted), SampleJp2.Create("bit rot", 3000));

        var summariesOnly = await AuditAsync(new AuditRequest(["AIA_171"]));

        Assert.Equal(ExitCodes.SomeRejected, summariesOnly);
        var text = Output.ToString();
        AssertOutputHas("AIA_171: 1 days complete, 2 incomplete; 83.333 % (10 of 12 files); 1 missing, 1 stale, 0 extra; oldest missing day 2024-05-01");
        AssertOutputHas("AIA_171 2024-05-01: 1 stale");
        AssertOutputHas("AIA_171 2024-05-02: 1 of 4 missing");
        AssertOutputHas($"stale: {stale.Name}: here {Checksum.Sha256Of(stale.Content)}, upstream");
        AssertOutputHas($"missing: {missing.Name} (upstream {Checksum.Sha256Of(missing.Content)})");
        Assert.False(Output.ToString().Contains("on disk"), Output.ToString());

        Output.GetStringBuilder().Clear();
        var repair = await AuditAsync(new AuditRequest(["AIA_171"], Repair: true));

        Assert.Equal(ExitCodes.SomeRejected, repair);
        text = Output.ToString();
        AssertOutputHas($"not on disk: {deleted.Name}");
        AssertOutputHas($"corrupt on disk: {corrupted.Name}");
        AssertOutputHas("AIA_171 2024-05-03: 2 of 4 missing");
        AssertOutputHas("repair: 4 file(s) queued for fetching, due now; 2 broken file(s) taken out of the catalog");
        Assert.False(File.Exists(MirrorPath(corrupted)));

        Output.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Success, await MirrorCommand.RunOnceAsync(Settings(), Output, default));
        AssertOutputHas("asking again for 4 files of the work list");

        Output.GetStringBuilder().Clear();
        var after = await AuditAsync(new AuditRequest(["AIA_171"], Deep: true));

        Assert.Equal(ExitCodes.Success, after);
        AssertOutputHas("AIA_171: 3 days complete, 0 incomplete; 100 % (12 of 12 files)");
        await using var db = MirrorCatalog().CreateDbContext();
        Assert.False(await db.WantedFiles.AnyAsync());
    }

    [Fact]
    public async Task A_file_held_only_here_is_extra_and_the_range_limits_what_is_audited()
    {
        await PublishAsync(SampleFiles.Generate(DataSources.Helioviewer, ["AIA_171"], 12, Start, TimeSpan.FromHours(6), 3000));
        Assert.Equal(ExitCodes.Success, await MirrorCommand.RunOnceAsync(Settings(), TextWriter.Null, default));
        var localOnly = SampleFiles.Create(DataSources.Helioviewer, DataSources.Helioviewer.All.Single(s => s.Name == "AIA_171"), Start.AddDays(2).AddHours(3), 3000, "local");
        var mirror = new ArchiveIngester(MirrorArchive, new FileRegistry(MirrorCatalog(), IngestionClock.System), DataSources.Helioviewer);
        await mirror.IngestSamplesAsync([localOnly]);

        var exit = await AuditAsync(new AuditRequest(["AIA_171"]));

        Assert.Equal(ExitCodes.SomeRejected, exit);
        AssertOutputHas($"extra: {localOnly.Name}");
        AssertOutputHas("AIA_171 2024-05-03: 1 extra");

        Output.GetStringBuilder().Clear();
        var firstTwoDays = await AuditAsync(new AuditRequest(["AIA_171"], Since: Start, Until: Start.AddDays(2)));

        Assert.Equal(ExitCodes.Success, firstTwoDays);
        AssertOutputHas("AIA_171: 2 days complete, 0 incomplete; 100 % (8 of 8 files)");
    }

    [Fact]
    public async Task An_audit_keeps_the_first_thousand_differing_files_and_counts_every_one()
    {
        // None of them here (the mirror never ran): every upstream file is missing, over a day.
        var count = SyncAuditor.DifferencesKept + 20;
        await PublishAsync(SampleFiles.Generate(DataSources.Helioviewer, ["AIA_171"], count, Start, TimeSpan.FromMinutes(1), 3000));

        var exit = await AuditAsync(new AuditRequest(["AIA_171"]));

        Assert.Equal(ExitCodes.SomeRejected, exit);
        AssertOutputHas($"{count:N0} missing, 0 stale, 0 extra");
        AssertOutputHas($"… and {count - 50:N0} more files");
        var contexts = MirrorCatalog();
        using var upstream = UpstreamClient.Create("primary", Hapi, SyncAuditor.ClientOptions);
        var auditor = new SyncAuditor(upstream, contexts, MirrorArchive, new FileRegistry(contexts, IngestionClock.System),
            new WorkList(contexts, TimeProvider.System, Options.Create(new WorkListOptions())), TimeProvider.System);
        var audit = (await auditor.AuditAsync(new AuditRequest(["AIA_171"]), null, default)).Single();
        Assert.Equal((count, (long)count), (audit.Missing, audit.DifferenceCount));
        Assert.Equal(SyncAuditor.DifferencesKept, audit.Differences.Count);
        Assert.All(audit.Differences, d => Assert.Equal(DifferenceKind.Missing, d.Kind));
        Assert.False(audit.InSyncWholly);
    }

    [Fact]
    public async Task An_unreachable_upstream_is_named_and_the_audit_exits_2()
    {
        var exit = await AuditCommand.RunAsync(new Uri("http://127.0.0.1:1/hapi"), "nowhere", new AuditRequest(["*"]), MirrorArchive,
            MirrorCatalogConnection, Output, default);

        Assert.Equal(ExitCodes.Failed, exit);
        AssertOutputHas("could not reach http://127.0.0.1:1/hapi");
    }

    private void AssertOutputHas(string expected) =>
        Assert.True(Output.ToString().Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in the output:\n{Output}");

    private Task<int> AuditAsync(AuditRequest request) =>
        AuditCommand.RunAsync(Hapi, "primary", request, MirrorArchive, MirrorCatalogConnection, Output, default);

    private string MirrorPath(SampleFile file) => PathIn(MirrorArchive, file);
}
