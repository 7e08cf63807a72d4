using System.Data.Common;
using System.Text;
using MySqlConnector;

namespace HvMirror.Helioviewer;

/// <summary>
/// Writes what makes a mirrored file visible in a Helioviewer server's own MariaDB database: its <c>data</c> row, its
/// source's <c>enabled</c> flag and the <c>data_coverage_30_min</c> counts of the timeline; and reads <c>data</c> back
/// for a follower and for reconciliation. It never changes the schema and writes no other table or column.
/// </summary>
/// <remarks>
/// Every column is named in every statement: hvpull inserts positionally, so the table's column order is Helioviewer's
/// contract and is left exactly as it is. <c>data</c> is MyISAM, without transactions: each statement stands alone and
/// every write here is idempotent, so a batch that failed half-way is simply written again.
/// Server or network failures throw <see cref="HelioviewerDatabaseUnavailableException"/> (retry later); anything
/// else (wrong credentials, missing table) is a <see cref="MySqlException"/> to fix, not to retry.
/// </remarks>
public sealed class HelioviewerDatabase(string connectionString)
{
    /// <summary>Length of one bin of <c>data_coverage_30_min</c>.</summary>
    public static readonly TimeSpan CoverageBin = TimeSpan.FromMinutes(30);

    private static readonly string ColumnList = string.Join(", ", HelioviewerDataRow.Columns.Select(Quote));

    private static readonly HashSet<string> FloatColumns =
    [
        "scale", "refPixelX", "refPixelY", "DSUN_OBS", "SOLAR_R", "RADIUS", "CDELT1", "CDELT2",
        "CRVAL1", "CRVAL2", "CRPIX1", "CRPIX2", "XCEN", "YCEN", "CROTA1",
    ];

    // The text protocol prints a FLOAT with 6 significant digits; as a DOUBLE it comes back as the exact float32 stored.
    private static readonly string SelectList = string.Join(", ",
        HelioviewerDataRow.Columns.Select(c => FloatColumns.Contains(c) ? $"CAST({Quote(c)} AS DOUBLE)" : Quote(c)));

    /// <summary>
    /// Inserts each row, or updates the row of the same <c>filename</c> (the UNIQUE key) in place, keeping its
    /// <c>id</c>: a reprocessed file's new header values replace the old ones, a replayed row changes nothing.
    /// </summary>
    /// <remarks>Helioviewer's own ingestion uses INSERT IGNORE and so keeps a reprocessed file's old row; a mirror must not.</remarks>
    public async Task UpsertAsync(IReadOnlyCollection<HelioviewerDataRow> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            return;
        await RunAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            var sql = new StringBuilder($"INSERT INTO `data` ({ColumnList}) VALUES ");
            var index = 0;
            foreach (var row in rows)
            {
                var values = row.Values();
                sql.Append(index == 0 ? "(" : ", (");
                for (var c = 0; c < values.Length; c++)
                {
                    var name = $"@v{index}_{c}";
                    sql.Append(c == 0 ? name : $", {name}");
                    command.Parameters.AddWithValue(name, values[c]);
                }
                sql.Append(')');
                index++;
            }
            sql.Append(" ON DUPLICATE KEY UPDATE ");
            sql.AppendJoin(", ", HelioviewerDataRow.Columns.Where(c => c != "filename").Select(c => $"{Quote(c)} = VALUES({Quote(c)})"));
            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken);
        }, "write rows of the data table", cancellationToken);
    }

    /// <summary>Marks sources as having data (<c>datasources.enabled = 1</c>): Helioviewer lists only enabled sources.</summary>
    public async Task EnableSourcesAsync(IEnumerable<int> sourceIds, CancellationToken cancellationToken = default)
    {
        var ids = sourceIds.Distinct().Order().ToList();
        if (ids.Count == 0)
            return;
        await RunAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE `datasources` SET `enabled` = 1 WHERE `id` IN ({string.Join(", ", ids.Select((_, i) => $"@id{i}"))})";
            for (var i = 0; i < ids.Count; i++)
                command.Parameters.AddWithValue($"@id{i}", ids[i]);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }, "enable sources in the datasources table", cancellationToken);
    }

    /// <summary>
    /// Recounts, from <c>data</c>, the 30-minute bins (starting on :00 and :30) that <paramref name="rows"/> fall in,
    /// one statement per (bin, source). A bin left empty (after <see cref="DeleteAsync"/>) is written with count 0
    /// rather than keeping a stale count.
    /// </summary>
    public async Task RecountCoverageAsync(IEnumerable<HelioviewerDataRow> rows, CancellationToken cancellationToken = default)
    {
        var bins = rows.Select(r => (Bin: CoverageBinOf(r.Date), r.SourceId)).Distinct().Order().ToList();
        if (bins.Count == 0)
            return;
        await RunAsync(async connection =>
        {
            foreach (var (bin, sourceId) in bins)
            {
                await using var command = connection.CreateCommand();
                command.CommandText =
                    "REPLACE INTO `data_coverage_30_min` (`date`, `sourceId`, `count`) " +
                    "SELECT @bin, @sourceId, COUNT(*) FROM `data` WHERE `sourceId` = @sourceId AND `date` >= @bin AND `date` < @binEnd";
                command.Parameters.AddWithValue("@bin", bin);
                command.Parameters.AddWithValue("@binEnd", bin + CoverageBin);
                command.Parameters.AddWithValue("@sourceId", sourceId);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }, "recount the data_coverage_30_min table", cancellationToken);
    }

    /// <summary>The start of the 30-minute coverage bin holding <paramref name="time"/>.</summary>
    public static DateTime CoverageBinOf(DateTime time) =>
        new(time.Ticks - time.Ticks % CoverageBin.Ticks, time.Kind);

    /// <summary>
    /// Up to <paramref name="limit"/> rows with an <c>id</c> above <paramref name="afterId"/>, in <c>id</c> order: the
    /// insertion order, so a follower tailing Helioviewer's table keeps the last id it saw as its cursor.
    /// </summary>
    public Task<IReadOnlyList<StoredDataRow>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return QueryAsync("WHERE `id` > @after ORDER BY `id` LIMIT @limit",
            [("@after", afterId), ("@limit", limit)], "read rows of the data table", cancellationToken);
    }

    /// <summary>Every row of one source, in <c>id</c> order, for reconciling the table with an archive.</summary>
    public Task<IReadOnlyList<StoredDataRow>> ListSourceAsync(int sourceId, CancellationToken cancellationToken = default) =>
        QueryAsync("WHERE `sourceId` = @sourceId ORDER BY `id`", [("@sourceId", sourceId)], "list rows of the data table", cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> rows of one source with an <c>id</c> above <paramref name="afterId"/>, in <c>id</c>
    /// order: a source read page by page, so reconciling a source of millions of rows needs the memory of one page.
    /// </summary>
    public Task<IReadOnlyList<StoredDataRow>> ReadSourceAfterAsync(int sourceId, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return QueryAsync("WHERE `sourceId` = @sourceId AND `id` > @after ORDER BY `id` LIMIT @limit",
            [("@sourceId", sourceId), ("@after", afterId), ("@limit", limit)], "read rows of the data table", cancellationToken);
    }

    /// <summary>The rows of these file names (the UNIQUE key), in <c>id</c> order; names without a row are absent.</summary>
    public Task<IReadOnlyList<StoredDataRow>> ReadFileNamesAsync(IEnumerable<string> fileNames, CancellationToken cancellationToken = default)
    {
        var names = fileNames.Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
            return Task.FromResult<IReadOnlyList<StoredDataRow>>([]);
        return QueryAsync($"WHERE `filename` IN ({string.Join(", ", names.Select((_, i) => $"@name{i}"))}) ORDER BY `id`",
            [.. names.Select((n, i) => ($"@name{i}", (object)n))], "read rows of the data table", cancellationToken);
    }

    /// <summary>The rows of these ids, in <c>id</c> order; ids without a row (deleted since) are absent.</summary>
    public Task<IReadOnlyList<StoredDataRow>> ReadIdsAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default)
    {
        var list = ids.Distinct().Order().ToList();
        if (list.Count == 0)
            return Task.FromResult<IReadOnlyList<StoredDataRow>>([]);
        return QueryAsync($"WHERE `id` IN ({string.Join(", ", list.Select((_, i) => $"@id{i}"))}) ORDER BY `id`",
            [.. list.Select((id, i) => ($"@id{i}", (object)id))], "read rows of the data table", cancellationToken);
    }

    /// <summary>The highest <c>id</c> of <c>data</c> (0 when empty): how far a follower has to go.</summary>
    public Task<long> MaxIdAsync(CancellationToken cancellationToken = default) =>
        RunAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(MAX(`id`), 0) FROM `data`";
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }, "read the highest id of the data table", cancellationToken);

    /// <summary>Deletes the rows of these file names of one source; returns how many there were.</summary>
    public async Task<int> DeleteAsync(int sourceId, IEnumerable<string> fileNames, CancellationToken cancellationToken = default)
    {
        var names = fileNames.Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
            return 0;
        return await RunAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM `data` WHERE `sourceId` = @sourceId AND `filename` IN " +
                                  $"({string.Join(", ", names.Select((_, i) => $"@name{i}"))})";
            command.Parameters.AddWithValue("@sourceId", sourceId);
            for (var i = 0; i < names.Count; i++)
                command.Parameters.AddWithValue($"@name{i}", names[i]);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, "delete rows of the data table", cancellationToken);
    }

    private Task<IReadOnlyList<StoredDataRow>> QueryAsync(string where, (string Name, object Value)[] parameters, string action, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<StoredDataRow>>(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT `id`, {SelectList} FROM `data` {where}";
            foreach (var (name, value) in parameters)
                command.Parameters.AddWithValue(name, value);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<StoredDataRow>();
            while (await reader.ReadAsync(cancellationToken))
                rows.Add(new StoredDataRow(reader.GetInt64(0), ReadRow(reader)));
            return rows;
        }, action, cancellationToken);

    private static HelioviewerDataRow ReadRow(DbDataReader r)
    {
        // Columns from 1: id is 0. The nullable columns Helioviewer's ingestion always fills read as 0 when NULL.
        float F(int i) => r.IsDBNull(i) ? 0f : (float)r.GetDouble(i);
        int I(int i) => r.IsDBNull(i) ? 0 : Convert.ToInt32(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        DateTime? D(int i) => r.IsDBNull(i) ? null : DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);
        return new HelioviewerDataRow(
            r.GetString(1), r.GetString(2), D(3) ?? default, D(4), I(5), F(6), I(7), I(8), F(9), F(10), I(11),
            F(12), F(13), F(14), F(15), F(16), F(17), F(18), F(19), F(20), F(21), F(22), F(23), I(24), I(25), I(26), I(27));
    }

    private async Task RunAsync(Func<MySqlConnection, Task> work, string action, CancellationToken cancellationToken) =>
        await RunAsync<object?>(async connection =>
        {
            await work(connection);
            return null;
        }, action, cancellationToken);

    private async Task<T> RunAsync<T>(Func<MySqlConnection, Task<T>> work, string action, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            return await work(connection);
        }
        catch (MySqlException e) when (IsUnavailable(e))
        {
            throw new HelioviewerDatabaseUnavailableException(
                $"Could not {action} of Helioviewer's database at {Describe()}: {e.Message} " +
                "The server is down, unreachable or overloaded; nothing is lost: retry later, once it answers again.", e);
        }
    }

    private static bool IsUnavailable(MySqlException e) =>
        e.IsTransient || e.ErrorCode is MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.ConnectionCountError
            or MySqlErrorCode.ServerShutdown or MySqlErrorCode.CommandTimeoutExpired;

    /// <summary>Where the database is, for logs, errors and a follower's cursor: <c>server:port/database</c>, no credentials.</summary>
    public string Location => Describe();

    private string Describe()
    {
        var builder = new MySqlConnectionStringBuilder(connectionString);
        return $"{builder.Server}:{builder.Port}/{builder.Database}";
    }

    private static string Quote(string column) => $"`{column}`";
}

/// <summary>A row of <c>data</c> as stored, with the <c>id</c> Helioviewer's auto-increment gave it.</summary>
public sealed record StoredDataRow(long Id, HelioviewerDataRow Row);

/// <summary>Helioviewer's database could not be reached or could not serve now; the same call may succeed later.</summary>
public sealed class HelioviewerDatabaseUnavailableException(string message, Exception inner) : Exception(message, inner);
