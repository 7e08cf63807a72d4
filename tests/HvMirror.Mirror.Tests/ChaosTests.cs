using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Ingestion;
using HvMirror.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// The distributed mirror as it runs in production — poller, comparer and two fetchers, each a process of its own, on
/// a RabbitMQ and a PostgreSQL of this test's own — through everything at once: every process SIGKILLed at least once
/// mid-sync, RabbitMQ and PostgreSQL shut down and brought back, downloads failing, cut short and stalling, new and
/// reprocessed files arriving on the primary meanwhile. It must end byte-identical to the primary with no partial file
/// left, without anyone moving a message by hand.
/// </summary>
[Collection(MirrorCollection.Name)]
public sealed class ChaosTests(PostgresServer postgres, RabbitMqBroker rabbit, ITestOutputHelper output)
    : MirrorTestBase(postgres, rabbit, output)
{
    [Fact]
    public async Task A_distributed_mirror_killed_restarted_and_cut_off_throughout_a_sync_ends_byte_identical_with_no_partial_files()
    {
        await using var broker = await PrivateInfraServer.StartAsync("rabbitmq.sh", "rabbitmq-server");
        await using var database = await PrivateInfraServer.StartAsync("postgres.sh", "postgresql");
        var catalog = await CreateDatabaseAsync(database.Exports[PostgresServer.Variable], "chaos_mirror");
        await CatalogMigrator.MigrateAsync(new CatalogDbContextFactory(CatalogConnection.Parse(catalog)));
        var archive = new ArchiveLocation(Path.Combine(Root, "mirror"));

        var faults = new UpstreamFaults();
        var primary = await StartPrimaryAsync(faults);
        var first = Samples(90);
        await primary.IngestAsync(first);
        faults.StartChaos(fail: 0.1, truncate: 0.1, stall: 0.1, seed: 20261201);

        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Catalog"] = catalog,
            ["ConnectionStrings__RabbitMq"] = broker.Exports[RabbitMqBroker.Variable],
            ["HvMirror__Archive"] = archive.Root,
            ["HvMirror__Upstreams__0__Name"] = PrimaryName,
            ["HvMirror__Upstreams__0__Url"] = primary.HapiUrl,
            ["HvMirror__Upstreams__0__PollInterval"] = "00:00:01",
            ["HvMirror__Fetcher__Attempts"] = "3",
            ["HvMirror__Fetcher__RetryDelay"] = "00:00:00.200",
            ["HvMirror__Fetcher__StallTimeout"] = "00:00:02",
            ["HvMirror__Fetcher__AbandonedPartialFileAfter"] = "00:00:02",
            ["HvMirror__WorkList__FirstRetry"] = "00:00:01",
            ["HvMirror__WorkList__MaxRetry"] = "00:00:04",
            ["HvMirror__WorkList__InFlightGrace"] = "00:00:20",
            ["HvMirror__WorkList__RedriveInterval"] = "00:00:01",
            ["HvMirror__ConsumerStopTimeout"] = "00:00:02",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft"] = "Warning",
            ["Logging__LogLevel__MassTransit"] = "Warning",
        };
        var hosts = new Dictionary<string, HostProcess>();
        HostProcess Start(string role, string name) => hosts[name] = HostProcess.Start(role, name, environment, Output);
        async Task RestartAsync(string name)
        {
            var role = name.StartsWith("fetcher", StringComparison.Ordinal) ? "Fetcher" : name == "poller" ? "Poller" : "Comparer";
            Output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [chaos] SIGKILL {name}");
            await hosts[name].KillAsync();
            await hosts[name].DisposeAsync();
            Start(role, name);
        }
        async Task<List<CatalogFile>> MirrorFilesAsync()
        {
            await using var db = new CatalogDbContextFactory(CatalogConnection.Parse(catalog)).CreateDbContext();
            return await db.Files.AsNoTracking().ToListAsync();
        }

        try
        {
            Start("Comparer", "comparer");
            Start("Fetcher", "fetcher-1");
            Start("Fetcher", "fetcher-2");
            Start("Poller", "poller");
            await Eventually.HoldsAsync(async () => (await MirrorFilesAsync()).Count >= 10, "the mirror started fetching", TimeSpan.FromMinutes(2));

            await RestartAsync("fetcher-1");
            await primary.IngestAsync(Samples(45));
            await primary.IngestAsync(first.Take(20).Select(f => Reprocessed(f)));
            await RestartAsync("comparer");
            await Task.Delay(TimeSpan.FromSeconds(2));

            Output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [chaos] RabbitMQ down");
            await broker.PauseAsync();
            await Task.Delay(TimeSpan.FromSeconds(3));
            await broker.ResumeAsync();
            Output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [chaos] RabbitMQ back");

            await RestartAsync("fetcher-2");
            await RestartAsync("poller");
            await primary.IngestAsync(Samples(30));

            Output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [chaos] PostgreSQL down");
            NpgsqlConnection.ClearAllPools();
            await database.PauseAsync();
            await Task.Delay(TimeSpan.FromSeconds(10));
            await database.ResumeAsync();
            Output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [chaos] PostgreSQL back");

            await Task.Delay(TimeSpan.FromSeconds(2));
            await RestartAsync("fetcher-1");
            await RestartAsync("fetcher-2");
            Assert.True(faults.ChaosInjected.Values.Sum() > 0, "the primary injected no download faults");
            Output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [chaos] download faults so far: {string.Join(", ", faults.ChaosInjected)}");
            faults.StopChaos();

            string? last = null;
            await Eventually.HoldsAsync(async () => (last = await DifferenceAsync(primary, await MirrorFilesAsync(), archive, PrimaryName)) is null,
                () => Task.FromResult($"the mirror has not converged: {last}"), TimeSpan.FromMinutes(4));
            Assert.Equal(165, (await MirrorFilesAsync()).Count);
            await Eventually.HoldsAsync(() => Task.FromResult(PartialFiles(archive).Length == 0),
                () => Task.FromResult($"partial files left: {string.Join(", ", PartialFiles(archive))}"), TimeSpan.FromSeconds(30));
        }
        finally
        {
            foreach (var host in hosts.Values) await host.DisposeAsync();
        }
    }

    private static string[] PartialFiles(ArchiveLocation archive) =>
        Directory.Exists(archive.StagingFolder) ? Directory.GetFiles(archive.StagingFolder, "*" + FileStager.PartialFileExtension) : [];

    private static async Task<string> CreateDatabaseAsync(string server, string name)
    {
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }
}
