using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Contracts;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HvMirror.Comparer.Tests;

/// <summary>The comparer on MassTransit's test harness, over a real (SQLite) catalog.</summary>
public sealed class FileAnnouncedConsumerTests : IAsyncLifetime
{
    private static readonly DateTime UpstreamTime = new(2024, 12, 31, 1, 0, 0, DateTimeKind.Utc);
    private readonly string _root = Directory.CreateTempSubdirectory("hvmirror-comparer-").FullName;
    private ServiceProvider _services = null!;
    private ITestHarness _harness = null!;
    private string _heldChecksum = "";

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [ArchiveLocation.Setting] = _root })
            .Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddCatalog(configuration)
            .AddMassTransitTestHarness(bus => bus.AddComparer())
            // A consumer that waits on the catalog is not idle: give the harness longer than its 1.2 s default to say so.
            .Configure<TestHarnessOptions>(options => options.TestInactivityTimeout = TimeSpan.FromSeconds(10))
            .BuildServiceProvider(validateScopes: true);
        var contexts = _services.GetRequiredService<CatalogDbContextFactory>();
        await CatalogMigrator.MigrateAsync(contexts);
        var registry = _services.GetRequiredService<FileRegistry>();
        _heldChecksum = Checksum.Sha256Of([1, 2, 3]).ToString();
        await registry.RegisterAsync(
            new FileRegistration(Held, "AIA_171", $"AIA/2024/12/31/171/{Held}", 3, _heldChecksum, UpstreamTime),
            _ => Task.CompletedTask, CancellationToken.None);
        _harness = _services.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    private const string Held = "2024_12_31__00_00_10_350__SDO_AIA_AIA_171.jp2";
    private const string Unknown = "2024_12_31__00_00_22_350__SDO_AIA_AIA_171.jp2";

    [Fact]
    public async Task A_name_not_held_is_needed_as_new_a_changed_checksum_as_changed_and_the_same_bytes_not_at_all()
    {
        var other = Checksum.Sha256Of([9]).ToString();
        await _harness.Bus.PublishBatch([Announce(Unknown, other), Announce(Held, other), Announce(Held, _heldChecksum, seconds: -1)]);

        Assert.True(await _harness.Consumed.Any<FileAnnounced>());
        await _harness.InactivityTask;
        var needed = _harness.Published.Select<FileNeeded>().Select(m => m.Context.Message).OrderBy(m => m.Name).ToList();

        Assert.Equal(2, needed.Count);
        Assert.Equal((Held, FileNeedReason.Changed, _heldChecksum), (needed[0].Name, needed[0].Reason, needed[0].HeldChecksum));
        Assert.Equal((Unknown, FileNeedReason.New, (string?)null), (needed[1].Name, needed[1].Reason, needed[1].HeldChecksum));
        Assert.All(needed, n => Assert.Equal(other, n.Checksum));
    }

    [Fact]
    public async Task A_file_held_with_the_announced_checksum_needs_nothing()
    {
        await _harness.Bus.Publish(Announce(Held, _heldChecksum));

        Assert.True(await _harness.Consumed.Any<FileAnnounced>());
        await _harness.InactivityTask;
        Assert.False(await _harness.Published.Any<FileNeeded>());
    }

    private static FileAnnounced Announce(string name, string checksum, int seconds = 0) =>
        new("primary", "AIA_171", name, checksum, new Uri($"http://primary.example.org/jp2/{name}"), UpstreamTime.AddSeconds(seconds));

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
