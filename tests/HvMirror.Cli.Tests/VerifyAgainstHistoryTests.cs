using System.Text;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Cli.Commands;
using HvMirror.Hapi;
using HvMirror.Ingestion;
using HvMirror.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HvMirror.Cli.Tests;

/// <summary>
/// `hvmirror verify` against an upstream that keeps history, as server-nodejs does: a reprocessed file's superseded
/// record is still listed, earlier, beside the new one.
/// </summary>
public sealed class VerifyAgainstHistoryTests : IAsyncLifetime
{
    private static readonly DateTime Observed = new(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Listed = new(2025, 1, 2, 10, 0, 0, DateTimeKind.Utc);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hvmirror-tests", Guid.NewGuid().ToString("N"));
    private readonly StringWriter _output = new();
    private readonly SampleFile _original, _reprocessed, _other, _late;
    private ArchiveLocation _archive = null!;
    private WebApplication _upstream = null!;
    private Uri _hapi = null!;
    private List<(DateTime Time, SampleFile File)> _records = [];

    public VerifyAgainstHistoryTests()
    {
        Assert.True(DataSources.Helioviewer.TryGet("AIA_171", out var aia));
        _original = SampleFiles.Create(DataSources.Helioviewer, aia, Observed, 3000, "v1");
        _reprocessed = SampleFiles.Create(DataSources.Helioviewer, aia, Observed, 3000, "v2");
        _other = SampleFiles.Create(DataSources.Helioviewer, aia, Observed.AddSeconds(12), 3000);
        _late = SampleFiles.Create(DataSources.Helioviewer, aia, Observed.AddSeconds(24), 3000);
    }

    public async Task InitializeAsync()
    {
        _archive = new ArchiveLocation(Path.Combine(_root, "mirror"));
        // The superseded record first, the new one of the same name later, as a history-keeping upstream lists them.
        _records = [(Listed, _original), (Listed.AddMinutes(1), _other), (Listed.AddMinutes(2), _reprocessed), (Listed.AddMinutes(3), _late)];
        _upstream = await StartUpstreamAsync();
        _hapi = new Uri(_upstream.Urls.First() + "/hapi");
    }

    [Fact]
    public async Task A_mirror_holding_the_newest_record_of_each_name_is_in_sync_though_the_upstream_also_lists_the_superseded_one()
    {
        await HoldAsync(_reprocessed, _other, _late);

        var exit = await VerifyAsync();

        Assert.True(ExitCodes.Success == exit, _output.ToString());
        Assert.Contains("3 of 3 upstream files in sync across 1 datasets; 0 problem(s)", _output.ToString());
        Assert.DoesNotContain("different:", _output.ToString());
    }

    [Fact]
    public async Task A_mirror_holding_only_the_superseded_bytes_is_reported_different_once_against_the_newest_record()
    {
        await HoldAsync(_original, _other, _late);

        var exit = await VerifyAsync();

        Assert.Equal(ExitCodes.SomeRejected, exit);
        var output = _output.ToString();
        Assert.Contains($"different: {_original.Name}: here {Checksum.Sha256Of(_original.Content)}, upstream {Checksum.Sha256Of(_reprocessed.Content)}", output);
        Assert.Single(output.Split('\n'), line => line.StartsWith("different:", StringComparison.Ordinal));
        Assert.Contains("2 of 3 upstream files in sync across 1 datasets; 1 problem(s)", output);
    }

    [Fact]
    public async Task A_file_missing_here_is_reported_once_though_the_upstream_lists_two_records_of_it()
    {
        await HoldAsync(_other, _late);

        var exit = await VerifyAsync();

        Assert.Equal(ExitCodes.SomeRejected, exit);
        var output = _output.ToString();
        Assert.Single(output.Split('\n'), line => line.StartsWith("missing:", StringComparison.Ordinal));
        Assert.Contains($"missing: {_original.Name} (upstream {Checksum.Sha256Of(_reprocessed.Content)})", output);
        Assert.Contains("2 of 3 upstream files in sync across 1 datasets; 1 problem(s)", output);
    }

    [Fact]
    public async Task A_name_from_the_upstream_with_control_characters_is_printed_escaped()
    {
        await HoldAsync(_reprocessed, _other, _late);
        var forged = _late with { Name = "x\u001b[2J\u0007\u009b31m.jp2" };
        _records = [.. _records, (Listed.AddMinutes(4), forged)];

        var exit = await VerifyAsync();

        Assert.Equal(ExitCodes.SomeRejected, exit);
        var output = _output.ToString();
        Assert.Contains(@"missing: x\e[2J\u0007\u009b31m.jp2 (upstream ", output);
        Assert.DoesNotContain(output, c => char.IsControl(c) && c is not '\n');
    }

    [Fact]
    public async Task Mirror_sets_aside_a_name_with_control_characters_fails_the_sync_and_prints_nothing_raw()
    {
        _records = [(Listed, _late with { Name = "x\u001b[2J\u009b31m.jp2" })];

        var exit = await MirrorCommand.RunOnceAsync(new MirrorSettings(
            "primary", _hapi, ["*"], _archive, CatalogConnection.ForSqliteFile(_archive.DefaultSqliteCatalog), TimeSpan.FromSeconds(30)), _output, default);

        // Not a Helioviewer file name: quarantined, never fetched, and the sync is not a success.
        Assert.Equal(ExitCodes.SomeRejected, exit);
        var output = _output.ToString();
        Assert.Contains("1 unusable records quarantined", output);
        Assert.DoesNotContain(output, c => char.IsControl(c) && c is not '\n');
    }

    private Task<int> VerifyAsync() =>
        VerifyCommand.RunAsync(_hapi, ["*"], _archive, CatalogConnection.ForSqliteFile(_archive.DefaultSqliteCatalog), deep: true, _output, default);

    private async Task HoldAsync(params SampleFile[] files)
    {
        var contexts = new CatalogDbContextFactory(CatalogConnection.ForSqliteFile(_archive.DefaultSqliteCatalog));
        await CatalogMigrator.MigrateAsync(contexts);
        var ingester = new ArchiveIngester(_archive, new FileRegistry(contexts, IngestionClock.System), DataSources.Helioviewer);
        foreach (var result in await ingester.IngestSamplesAsync(files))
            Assert.NotEqual(IngestOutcome.Rejected, result.Outcome);
    }

    /// <summary>A HAPI 3.3 server of one dataset whose /data lists every record of <see cref="_records"/> in the range asked.</summary>
    private async Task<WebApplication> StartUpstreamAsync()
    {
        const string status = """{"code":1200,"message":"OK"}""";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/hapi/capabilities", () => Json($$"""{"HAPI":"3.3","status":{{status}},"outputFormats":["csv"]}"""));
        app.MapGet("/hapi/catalog", () => Json($$"""{"HAPI":"3.3","status":{{status}},"catalog":[{"id":"AIA_171"}]}"""));
        app.MapGet("/hapi/info", () => Json($$"""
            {"HAPI":"3.3","status":{{status}},"startDate":"{{HapiTime.Format(Listed.Date)}}","stopDate":"{{HapiTime.Format(DateTime.UtcNow.Date.AddDays(2))}}",
             "parameters":[{"name":"Time","type":"isotime","units":"UTC","fill":null,"length":27},
                           {"name":"name","type":"string","units":null,"fill":null,"length":128},
                           {"name":"checksum","type":"string","units":null,"fill":null,"length":71},
                           {"name":"url","type":"string","units":null,"fill":null,"length":512,"stringType":"uri"}]}
            """));
        app.MapGet("/hapi/data", (HttpContext context) =>
        {
            HapiTime.TryParse(context.Request.Query["start"], out var start, out _);
            HapiTime.TryParse(context.Request.Query["stop"], out var stop, out _);
            var csv = new StringBuilder();
            foreach (var (time, file) in _records.Where(r => r.Time >= start && r.Time < stop))
                csv.Append($"{HapiTime.Format(time)},{file.Name},{Checksum.Sha256Of(file.Content)},{context.Request.Scheme}://{context.Request.Host}/jp2/{file.Name}\n");
            return Results.Text(csv.ToString(), "text/csv; charset=utf-8");
        });
        await app.StartAsync();
        return app;
    }

    private static IResult Json(string text) => Results.Text(text, "application/json; charset=utf-8");

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
