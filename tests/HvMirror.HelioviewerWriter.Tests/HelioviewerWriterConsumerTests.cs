using HvMirror.Archive;
using HvMirror.Contracts;
using HvMirror.Helioviewer;
using HvMirror.Testing;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HvMirror.HelioviewerWriter.Tests;

/// <summary>The writer's consumer on MassTransit's test harness, writing into a real MariaDB with Helioviewer's tables.</summary>
public sealed class HelioviewerWriterConsumerTests(MariaDbServer server) : IClassFixture<MariaDbServer>, IDisposable
{
    private const string Aia2024 = "2024_04_16__11_15_41_129__SDO_AIA_AIA_304.jp2";
    private const string Aia2021 = "2021_01_06__00_01_41_130__SDO_AIA_AIA_304.jp2";

    private readonly WriterWorkspace _workspace = new();

    [Fact]
    public async Task Every_fetched_file_gets_the_row_Helioviewer_writes_its_source_enabled_and_its_coverage_bin_counted()
    {
        var helioviewer = await HelioviewerServer.CreateAsync(await server.CreateDatabaseAsync("writer"), _workspace.Archive.Root);
        await using var provider = Provider(helioviewer.ConnectionString);
        var harness = await StartAsync(provider);

        var writer = provider.GetRequiredService<HelioviewerRowWriter>();
        foreach (var name in RealJp2Files.All)
            await harness.Bus.Publish(Ingested(name, FileNeedReason.New));

        await EventuallyAsync(() => Task.FromResult(writer.FilesHandled == RealJp2Files.All.Count), "every file is handled");
        var rows = await helioviewer.RowsAsync();
        Assert.Equal(RealJp2Files.ExpectedRows.Values.OrderBy(r => r.Filename), rows.Select(r => r.Row).OrderBy(r => r.Filename));
        // The two files Helioviewer's ingestion refuses have no row here either, and are not retried or faulted.
        Assert.DoesNotContain(rows, r => RealJp2Files.Refused.Contains(r.Row.Filename));
        Assert.False(await harness.Published.Any<Fault<Batch<FileIngested>>>());

        Assert.Equal(RealJp2Files.ExpectedRows.Values.Select(r => r.SourceId).Distinct().Order(), await helioviewer.EnabledSourcesAsync());
        var coverage = await helioviewer.CoverageAsync();
        Assert.Equal(
            RealJp2Files.ExpectedRows.Values.GroupBy(r => (HelioviewerDatabase.CoverageBinOf(r.Date), r.SourceId))
                .Select(g => (g.Key.Item1, g.Key.SourceId, (long)g.Count())).Order(),
            coverage.Select(c => (DateTime.SpecifyKind(c.Bin, DateTimeKind.Utc), c.SourceId, c.Count)).Order());
    }

    [Fact]
    public async Task A_replaced_file_updates_its_row_in_place_keeping_its_id_and_its_cached_tiles_go()
    {
        var helioviewer = await HelioviewerServer.CreateAsync(await server.CreateDatabaseAsync("writer"), _workspace.Archive.Root);
        await using var provider = Provider(helioviewer.ConnectionString);
        var harness = await StartAsync(provider);
        await harness.Bus.Publish(Ingested(Aia2024, FileNeedReason.New));
        await harness.Bus.Publish(Ingested(Aia2021, FileNeedReason.New));
        await EventuallyAsync(async () => (await helioviewer.RowsAsync()).Count == 2, "both rows written");
        var before = (await helioviewer.RowsAsync()).Single(r => r.Row.Filename == Aia2024);
        var original = RealJp2Files.ExpectedRows[Aia2024];
        var staleTiles = new[] { _workspace.AddTile(original, "0_0_1"), _workspace.AddTile(original, "1_2_3") };
        var otherTile = _workspace.AddTile(RealJp2Files.ExpectedRows[Aia2021], "0_0_1");

        var path = _workspace.Archive.FullPath(WriterWorkspace.ArchivePathOf(Aia2024));
        await File.WriteAllBytesAsync(path, RealJp2Files.Reprocessed(await File.ReadAllBytesAsync(path)));
        var expected = HelioviewerDataRowReader.Read(path, DataSources.Helioviewer);
        Assert.NotEqual(original, expected);
        await harness.Bus.Publish(Ingested(Aia2024, FileNeedReason.Changed));

        await EventuallyAsync(async () => (await helioviewer.RowsAsync()).Single(r => r.Row.Filename == Aia2024).Row == expected, "the row is updated");
        var after = (await helioviewer.RowsAsync()).Single(r => r.Row.Filename == Aia2024);
        Assert.Equal(before.Id, after.Id);
        Assert.Equal(2, (await helioviewer.RowsAsync()).Count);
        Assert.All(staleTiles, tile => Assert.False(File.Exists(tile), $"{tile} should be gone"));
        Assert.True(File.Exists(otherTile), "another file's tiles stay");
    }

    [Fact]
    public async Task A_replayed_message_changes_nothing()
    {
        var helioviewer = await HelioviewerServer.CreateAsync(await server.CreateDatabaseAsync("writer"), _workspace.Archive.Root);
        await using var provider = Provider(helioviewer.ConnectionString);
        var harness = await StartAsync(provider);
        var writer = provider.GetRequiredService<HelioviewerRowWriter>();
        foreach (var name in RealJp2Files.All) await harness.Bus.Publish(Ingested(name, FileNeedReason.New));
        // Handled, not merely "rows present": a batch's coverage counts are written after its rows.
        await EventuallyAsync(() => Task.FromResult(writer.FilesHandled == RealJp2Files.All.Count), "the first round is handled");
        var rows = await helioviewer.RowsAsync();
        Assert.Equal(RealJp2Files.ExpectedRows.Count, rows.Count);
        var coverage = await helioviewer.CoverageAsync();
        var handled = writer.FilesHandled;

        foreach (var name in RealJp2Files.All) await harness.Bus.Publish(Ingested(name, FileNeedReason.New));
        await EventuallyAsync(() => Task.FromResult(writer.FilesHandled == handled + RealJp2Files.All.Count), "the replay is consumed");

        Assert.Equal(rows, await helioviewer.RowsAsync());
        Assert.Equal(coverage, await helioviewer.CoverageAsync());
    }

    [Theory]
    [InlineData(null, "HvMirror:Helioviewer:Database")]
    [InlineData("", "HvMirror:Helioviewer:Database")]
    [InlineData("Server=db;User ID=hv", "Database=")]
    [InlineData("Server=db;Database=helioviewer;Nonsense=1", "does not parse")]
    public void A_missing_or_malformed_database_setting_is_refused_with_a_message_naming_it(string? database, string expected)
    {
        var result = new HelioviewerOptionsValidator().Validate(null, new HelioviewerOptions { Database = database });
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new HelioviewerOptionsValidator().Validate(null, new HelioviewerOptions { Database = "Server=db;Database=helioviewer;User ID=hv;Password=x" }).Succeeded);
    }

    [Fact]
    public void The_writer_consumes_its_own_queue_helioviewer_writer()
    {
        var definition = (IConsumerDefinition)new HelioviewerWriterConsumerDefinition(Options.Create(new HelioviewerOptions()));
        Assert.Equal("helioviewer-writer", definition.GetEndpointName(KebabCaseEndpointNameFormatter.Instance));
    }

    private FileIngested Ingested(string name, FileNeedReason reason)
    {
        var archivePath = WriterWorkspace.ArchivePathOf(name);
        return new FileIngested("primary", archivePath.Split('/')[0], name, "sha256:" + new string('0', 64), archivePath,
            new FileInfo(_workspace.Archive.FullPath(archivePath)).Length, DateTime.UtcNow, DateTime.UtcNow, reason);
    }

    internal static ServiceProvider Provider(string database, string? cacheDir, ArchiveLocation archive, Action<IBusRegistrationConfigurator>? more = null,
        Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HvMirror:Helioviewer:Database"] = database,
            ["HvMirror:Helioviewer:CacheDir"] = cacheDir,
            ["HvMirror:Helioviewer:RetryDelay"] = "00:00:00.100",
            ["HvMirror:Helioviewer:MaxRetryDelay"] = "00:00:00.500",
        }.Concat(settings ?? []).ToDictionary()).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(archive);
        services.AddSingleton(DataSources.Helioviewer);
        services.AddHelioviewerWriterServices(configuration);
        services.AddMassTransitTestHarness(bus =>
        {
            bus.SetTestTimeouts(testTimeout: TimeSpan.FromMinutes(3), testInactivityTimeout: TimeSpan.FromSeconds(2));
            bus.AddHelioviewerWriter();
            more?.Invoke(bus);
        });
        return services.BuildServiceProvider(validateScopes: true);
    }

    private ServiceProvider Provider(string database) => Provider(database, _workspace.CacheDir, _workspace.Archive);

    internal static async Task<ITestHarness> StartAsync(IServiceProvider provider)
    {
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return harness;
    }

    internal static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > limit) Assert.Fail($"Not reached: {what}");
            await Task.Delay(100);
        }
    }

    public void Dispose() => _workspace.Dispose();
}
