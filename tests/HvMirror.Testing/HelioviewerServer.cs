using System.Globalization;
using HvMirror.Helioviewer;
using MySqlConnector;
using Xunit;

namespace HvMirror.Testing;

/// <summary>
/// The real Helioviewer files (<c>tests/HvMirror.Helioviewer.Tests/RealFiles</c>, copied next to every test assembly that
/// references this project) and the rows Helioviewer's own ingestion wrote for them (<c>expected-data-rows.csv</c>).
/// </summary>
public static class RealJp2Files
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "RealFiles");

    public static string PathOf(string fileName) => Path.Combine(Folder, fileName);

    public static IReadOnlyList<string> All => Directory.GetFiles(Folder, "*.jp2").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    /// <summary>The files Helioviewer's ingestion refuses (no row in the oracle).</summary>
    public static IReadOnlyList<string> Refused => All.Where(n => !ExpectedRows.ContainsKey(n)).ToList();

    /// <summary>What Helioviewer wrote for each file it accepted, keyed by file name.</summary>
    public static IReadOnlyDictionary<string, HelioviewerDataRow> ExpectedRows { get; } = Load();

    /// <summary>
    /// The same file reprocessed: other bytes, and a header whose DSUN_OBS (and so the row's scale) differs — the
    /// length of every box unchanged. Only for files whose header has <c>&lt;DSUN_OBS&gt;1.5…</c> (the AIA ones).
    /// </summary>
    public static byte[] Reprocessed(byte[] original, char digit = '7')
    {
        var marker = "<DSUN_OBS>1."u8.ToArray();
        var at = original.AsSpan().IndexOf(marker);
        if (at < 0) throw new ArgumentException("the file's header has no DSUN_OBS of the form 1.…");
        var copy = (byte[])original.Clone();
        copy[at + marker.Length + 1] = (byte)digit; // 1.5015903e+11 → 1.5715903e+11
        return copy;
    }

    private static Dictionary<string, HelioviewerDataRow> Load()
    {
        var lines = File.ReadAllLines(Path.Combine(Folder, "expected-data-rows.csv"));
        Assert.Equal(HelioviewerDataRow.Columns, lines[0].Split(','));
        var rows = new Dictionary<string, HelioviewerDataRow>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split(',');
            int I(int i) => int.Parse(f[i], CultureInfo.InvariantCulture);
            float F(int i) => float.Parse(f[i], CultureInfo.InvariantCulture);
            var row = new HelioviewerDataRow(
                f[0], f[1], DateTime.SpecifyKind(DateTime.ParseExact(f[2], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), DateTimeKind.Utc),
                f[3] == "NULL" ? null : DateTime.Parse(f[3], CultureInfo.InvariantCulture),
                I(4), F(5), I(6), I(7), F(8), F(9), I(10), F(11), F(12), F(13), F(14), F(15), F(16), F(17), F(18), F(19),
                F(20), F(21), F(22), I(23), I(24), I(25), I(26));
            rows.Add(row.Filename, row);
        }
        return rows;
    }
}

/// <summary>
/// A Helioviewer server as its own ingestion leaves it: an archive folder (<c>jp2_dir</c>) and a MariaDB database with
/// Helioviewer's tables, into which files go the way hvpull puts them (file at <c>jp2_dir + filepath + filename</c>, then
/// a positional <c>INSERT IGNORE INTO data VALUES (…)</c>, the source enabled).
/// </summary>
public sealed class HelioviewerServer(string connectionString, string jp2Dir)
{
    public string ConnectionString => connectionString;

    /// <summary>The server just installed: Helioviewer's installer lists every source in <c>datasources</c>, disabled.</summary>
    public static async Task<HelioviewerServer> CreateAsync(string connectionString, string jp2Dir)
    {
        Directory.CreateDirectory(jp2Dir);
        var server = new HelioviewerServer(connectionString, jp2Dir);
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var source in HvMirror.Archive.DataSources.Helioviewer.All)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO datasources (id, name, layeringOrder, enabled) VALUES (@id, @name, 1, 0)";
            insert.Parameters.AddWithValue("@id", source.SourceId);
            insert.Parameters.AddWithValue("@name", source.Name);
            await insert.ExecuteNonQueryAsync();
        }
        return server;
    }

    /// <summary>The archive root (Helioviewer's <c>jp2_dir</c>).</summary>
    public string Jp2Dir => jp2Dir;

    public HelioviewerDatabase Database { get; } = new(connectionString);

    public string PathOf(HelioviewerDataRow row) => Path.Combine(jp2Dir, row.Filepath.TrimStart('/'), row.Filename);

    /// <summary>Places <paramref name="content"/> (default: the real file) where hvpull puts it and inserts its row as hvpull does; returns the new id.</summary>
    public async Task<long> IngestLikeHvpullAsync(HelioviewerDataRow row, byte[]? content = null)
    {
        var path = PathOf(row);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, content ?? await File.ReadAllBytesAsync(RealJp2Files.PathOf(row.Filename)));
        return await InsertRowAsync(row);
    }

    /// <summary>Inserts a row as hvpull does (positionally, INSERT IGNORE) and enables its source, without touching the archive.</summary>
    public async Task<long> InsertRowAsync(HelioviewerDataRow row)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var insert = connection.CreateCommand();
        var values = row.Values();
        insert.CommandText = $"INSERT IGNORE INTO data VALUES (NULL, {string.Join(", ", values.Select((_, i) => $"@v{i}"))})";
        for (var i = 0; i < values.Length; i++) insert.Parameters.AddWithValue($"@v{i}", values[i]);
        await insert.ExecuteNonQueryAsync();
        var id = Convert.ToInt64(insert.LastInsertedId);
        await using var enable = connection.CreateCommand();
        enable.CommandText = "UPDATE datasources SET enabled = 1 WHERE id = @id";
        enable.Parameters.AddWithValue("@id", row.SourceId);
        await enable.ExecuteNonQueryAsync();
        return id;
    }

    /// <summary>Helioviewer's way of refilling: delete the row (the file stays until it is overwritten).</summary>
    public Task<int> DeleteRowAsync(HelioviewerDataRow row) => Database.DeleteAsync(row.SourceId, [row.Filename]);

    /// <summary>Every row, in id order.</summary>
    public Task<IReadOnlyList<StoredDataRow>> RowsAsync() => Database.ReadAfterAsync(0, 100_000);

    public async Task<IReadOnlyList<int>> EnabledSourcesAsync()
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SELECT id FROM datasources WHERE enabled = 1 ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<int>();
        while (await reader.ReadAsync()) ids.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
        return ids;
    }

    /// <summary>The coverage table: (bin start, source id, count), ordered.</summary>
    public async Task<IReadOnlyList<(DateTime Bin, int SourceId, long Count)>> CoverageAsync()
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SELECT date, sourceId, count FROM data_coverage_30_min ORDER BY date, sourceId", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(DateTime, int, long)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetDateTime(0), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture)));
        return rows;
    }

    /// <summary>
    /// The coverage Helioviewer's own management script would compute from <c>data</c> now (its REPLACE … GROUP BY), in
    /// the order of <see cref="CoverageAsync"/>: what a writer's per-bin recounts must add up to.
    /// </summary>
    public async Task<IReadOnlyList<(DateTime Bin, int SourceId, long Count)>> CoverageOfRowsAsync() =>
        (await RowsAsync()).GroupBy(r => (HelioviewerDatabase.CoverageBinOf(r.Row.Date), r.Row.SourceId))
            .Select(g => (DateTime.SpecifyKind(g.Key.Item1, DateTimeKind.Unspecified), g.Key.SourceId, (long)g.Count()))
            .OrderBy(c => c.Item1).ThenBy(c => c.SourceId).ToList();

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
