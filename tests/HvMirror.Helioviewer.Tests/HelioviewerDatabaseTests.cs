using System.Net;
using System.Net.Sockets;
using HvMirror.Archive;
using HvMirror.Testing;
using MySqlConnector;

namespace HvMirror.Helioviewer.Tests;

/// <summary>Against a real MariaDB holding Helioviewer's own tables: what a mirror writes, and what a follower reads.</summary>
public sealed class HelioviewerDatabaseTests(MariaDbServer server) : IClassFixture<MariaDbServer>
{
    private const string Aia2024 = "2024_04_16__11_15_41_129__SDO_AIA_AIA_304.jp2";
    private const string Aia2021 = "2021_01_06__00_01_41_130__SDO_AIA_AIA_304.jp2";
    private const string Hmi = "2010_12_06__18_56_41_105__SDO_HMI_HMI_continuum.jp2";
    private const int AiaSource = 13;
    private const int HmiSource = 18;

    [Fact]
    public async Task An_upserted_row_is_stored_column_for_column()
    {
        var (database, _) = await NewDatabaseAsync();
        var row = RowOf(Aia2024);

        await database.UpsertAsync([row]);

        var stored = Assert.Single(await database.ListSourceAsync(AiaSource));
        Assert.Equal(row, stored.Row);
        Assert.Equal(RealJp2Files.ExpectedRows[Aia2024], stored.Row);
    }

    [Fact]
    public async Task Replaying_rows_changes_nothing()
    {
        var (database, connectionString) = await NewDatabaseAsync();
        IReadOnlyCollection<HelioviewerDataRow> rows = [RowOf(Aia2024), RowOf(Aia2021), RowOf(Hmi)];
        await database.UpsertAsync(rows);
        var before = await database.ReadAfterAsync(0, 100);
        var checksumBefore = await ScalarAsync(connectionString, "CHECKSUM TABLE `data` EXTENDED", column: 1);

        await database.UpsertAsync(rows);
        await database.UpsertAsync([RowOf(Hmi)]);

        Assert.Equal(before, await database.ReadAfterAsync(0, 100));
        Assert.Equal(checksumBefore, await ScalarAsync(connectionString, "CHECKSUM TABLE `data` EXTENDED", column: 1));
    }

    [Fact]
    public async Task A_reprocessed_file_updates_its_row_in_place_and_keeps_its_id()
    {
        var (database, _) = await NewDatabaseAsync();
        var original = RowOf(Aia2024);
        await database.UpsertAsync([original, RowOf(Aia2021)]);
        var idBefore = (await database.ListSourceAsync(AiaSource)).Single(r => r.Row.Filename == Aia2024).Id;

        var reprocessed = original with { Scale = 0.61f, DsunObs = 1.51e11f, Crota1 = 0.25f, Xcen = -3.5f };
        await database.UpsertAsync([reprocessed]);

        var rows = await database.ListSourceAsync(AiaSource);
        Assert.Equal(2, rows.Count);
        var stored = rows.Single(r => r.Row.Filename == Aia2024);
        Assert.Equal(idBefore, stored.Id);
        Assert.Equal(reprocessed, stored.Row);
        Assert.Equal(RowOf(Aia2021), rows.Single(r => r.Row.Filename == Aia2021).Row);
    }

    [Fact]
    public async Task Enabling_sources_sets_only_their_flag()
    {
        var (database, connectionString) = await NewDatabaseAsync();

        await database.EnableSourcesAsync([AiaSource, HmiSource, AiaSource]);

        Assert.Equal(1L, await ScalarAsync(connectionString, $"SELECT enabled FROM datasources WHERE id = {AiaSource}"));
        Assert.Equal(1L, await ScalarAsync(connectionString, $"SELECT enabled FROM datasources WHERE id = {HmiSource}"));
        Assert.Equal(2L, await ScalarAsync(connectionString, "SELECT COUNT(*) FROM datasources WHERE enabled = 1"));
    }

    [Fact]
    public async Task Coverage_counts_the_rows_of_each_touched_30_minute_bin_per_source()
    {
        var (database, connectionString) = await NewDatabaseAsync();
        var day = new DateTime(2024, 4, 16, 0, 0, 0, DateTimeKind.Utc);
        var aia = RowOf(Aia2024);
        var hmi = RowOf(Hmi);
        HelioviewerDataRow[] rows =
        [
            aia with { Filename = "a1.jp2", Date = day.AddMinutes(5) },
            aia with { Filename = "a2.jp2", Date = day.AddMinutes(29).AddSeconds(59) },
            aia with { Filename = "a3.jp2", Date = day.AddMinutes(30) },
            aia with { Filename = "a4.jp2", Date = day.AddMinutes(70) },
            hmi with { Filename = "h1.jp2", Date = day.AddMinutes(10) },
        ];
        await database.UpsertAsync(rows);
        // A bin no row of the batch touches keeps what it had: the recount is per touched bin, not a rebuild.
        await ExecuteAsync(connectionString, "INSERT INTO data_coverage_30_min VALUES ('2024-04-15 12:00:00', 13, 7)");

        await database.RecountCoverageAsync(rows);

        Assert.Equal(
        [
            ("2024-04-15 12:00:00", AiaSource, 7L),
            ("2024-04-16 00:00:00", AiaSource, 2L),
            ("2024-04-16 00:00:00", HmiSource, 1L),
            ("2024-04-16 00:30:00", AiaSource, 1L),
            ("2024-04-16 01:00:00", AiaSource, 1L),
        ], await CoverageAsync(connectionString));

        Assert.Equal(2, await database.DeleteAsync(AiaSource, ["a2.jp2", "a4.jp2"]));
        await database.RecountCoverageAsync(rows.Where(r => r.Filename is "a2.jp2" or "a4.jp2"));

        Assert.Equal(
        [
            ("2024-04-15 12:00:00", AiaSource, 7L),
            ("2024-04-16 00:00:00", AiaSource, 1L),
            ("2024-04-16 00:00:00", HmiSource, 1L),
            ("2024-04-16 00:30:00", AiaSource, 1L),
            ("2024-04-16 01:00:00", AiaSource, 0L),
        ], await CoverageAsync(connectionString));
    }

    [Fact]
    public async Task Rows_after_an_id_come_in_insertion_order_a_page_at_a_time()
    {
        var (database, _) = await NewDatabaseAsync();
        var template = RowOf(Aia2024);
        var names = Enumerable.Range(1, 5).Select(i => $"f{i}.jp2").ToList();
        foreach (var name in names)
            await database.UpsertAsync([template with { Filename = name }]);

        var first = await database.ReadAfterAsync(0, 2);
        var rest = await database.ReadAfterAsync(first[^1].Id, 10);
        var none = await database.ReadAfterAsync(rest[^1].Id, 10);

        Assert.Equal(names, first.Concat(rest).Select(r => r.Row.Filename));
        Assert.Equal(2, first.Count);
        var ids = first.Concat(rest).Select(r => r.Id).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Empty(none);
    }

    [Fact]
    public async Task Reconcile_lists_and_deletes_the_rows_of_one_source_only()
    {
        var (database, _) = await NewDatabaseAsync();
        await database.UpsertAsync([RowOf(Aia2024), RowOf(Aia2021), RowOf(Hmi)]);

        Assert.Equal([Aia2024, Aia2021], (await database.ListSourceAsync(AiaSource)).Select(r => r.Row.Filename));
        // A name of another source is not deleted through this source.
        Assert.Equal(1, await database.DeleteAsync(AiaSource, [Aia2021, Hmi]));

        Assert.Equal([Aia2024], (await database.ListSourceAsync(AiaSource)).Select(r => r.Row.Filename));
        Assert.Equal([Hmi], (await database.ListSourceAsync(HmiSource)).Select(r => r.Row.Filename));
    }

    [Fact]
    public async Task A_server_that_is_down_gives_the_retryable_exception_with_what_to_do()
    {
        var database = new HelioviewerDatabase($"Server=127.0.0.1;Port={ClosedPort()};User ID=nobody;Password=x;Database=hv;Connection Timeout=3");

        var error = await Assert.ThrowsAsync<HelioviewerDatabaseUnavailableException>(() => database.UpsertAsync([RowOf(Hmi)]));

        Assert.Contains("127.0.0.1", error.Message);
        Assert.Contains("retry", error.Message);
        Assert.IsType<MySqlException>(error.InnerException);
    }

    private async Task<(HelioviewerDatabase Database, string ConnectionString)> NewDatabaseAsync()
    {
        var connectionString = await server.CreateDatabaseAsync(nameof(HelioviewerDatabaseTests));
        // Helioviewer's installer lists every source disabled; its ingestion enables a source on its first file.
        foreach (var source in DataSources.Helioviewer.All)
            await ExecuteAsync(connectionString,
                $"INSERT INTO datasources (id, name, layeringOrder, enabled) VALUES ({source.SourceId}, '{source.Name}', 1, 0)");
        return (new HelioviewerDatabase(connectionString), connectionString);
    }

    private static HelioviewerDataRow RowOf(string fileName) =>
        HelioviewerDataRowReader.Read(RealJp2Files.PathOf(fileName), DataSources.Helioviewer);

    private static async Task<List<(string Bin, int SourceId, long Count)>> CoverageAsync(string connectionString)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(
            "SELECT DATE_FORMAT(date, '%Y-%m-%d %H:%i:%s'), sourceId, count FROM data_coverage_30_min ORDER BY date, sourceId", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var bins = new List<(string, int, long)>();
        while (await reader.ReadAsync())
            bins.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2)));
        return bins;
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql, int column = 0)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return Convert.ToInt64(reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
