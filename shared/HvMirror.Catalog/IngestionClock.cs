using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace HvMirror.Catalog;

/// <summary>
/// Hands out ingestion times and read horizons so that HAPI readers never miss a record:
/// <list type="bullet">
/// <item>A registration locks its dataset's row for the rest of its transaction and takes
/// <c>max(now, last + 1 µs)</c>: times are strictly increasing and registrations of one dataset commit in time order.</item>
/// <item>A reader first waits for the registration in flight (if any) to commit, then reads the clock: every record
/// before that horizon is committed, and every later registration gets a time at or after it. A reader who has seen
/// all records up to the horizon will never find a new record before it.</item>
/// </list>
/// PostgreSQL uses its own clock, shared by every fetcher on every host; SQLite (one process) uses the process clock.
/// </summary>
public sealed class IngestionClock(TimeProvider time)
{
    public static IngestionClock System { get; } = new(TimeProvider.System);

    private static readonly DateTime NeverIngested = DateTime.UnixEpoch;

    /// <summary>Makes sure the dataset's clock row exists and is committed, so readers can wait on it.</summary>
    public async Task EnsureDatasetAsync(CatalogDbContext db, string dataset, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO datasets (id, last_ingested_at) VALUES ({dataset}, {NeverIngested}) ON CONFLICT (id) DO NOTHING",
                cancellationToken);
        }
        else
        {
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO datasets (id, last_ingested_at) VALUES ({dataset}, 0) ON CONFLICT (id) DO NOTHING",
                cancellationToken);
        }
    }

    /// <summary>
    /// Takes the next ingestion time of <paramref name="dataset"/> inside <paramref name="transaction"/>; the dataset
    /// stays locked until that transaction ends. Call <see cref="EnsureDatasetAsync"/> first, outside the transaction.
    /// </summary>
    public Task<DateTime> NextAsync(CatalogDbContext db, IDbContextTransaction transaction, string dataset, CancellationToken cancellationToken) =>
        ReserveAsync(db, transaction, dataset, 1, cancellationToken);

    /// <summary>
    /// Takes <paramref name="count"/> consecutive ingestion times of <paramref name="dataset"/> (the first is returned,
    /// the others follow it a microsecond apart) in one statement, as <see cref="NextAsync"/> takes one: a group of
    /// registrations pays one clock round trip, not one a file. Times a caller leaves unused are gaps, which a clock
    /// that only has to be strictly increasing allows.
    /// </summary>
    public async Task<DateTime> ReserveAsync(CatalogDbContext db, IDbContextTransaction transaction, string dataset, int count,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        long more = count - 1;
        if (db.Database.IsNpgsql())
        {
            // Lock first, then read the clock in a second statement: an UPDATE computes its new values before it waits
            // for a reader's share lock, so a one-statement version could take a time from before that reader's horizon.
            // Every reserved time is at or after the clock read under the lock, for the same reason.
            await using (var lockRow = Command(db, transaction, "SELECT 1 FROM datasets WHERE id = @dataset FOR NO KEY UPDATE", ("dataset", dataset)))
                await lockRow.ExecuteScalarAsync(cancellationToken);
            await using var command = Command(db, transaction,
                "UPDATE datasets SET last_ingested_at = GREATEST(clock_timestamp(), last_ingested_at + interval '1 microsecond') " +
                "+ @more * interval '1 microsecond' WHERE id = @dataset RETURNING last_ingested_at", ("dataset", dataset), ("more", more));
            var value = await command.ExecuteScalarAsync(cancellationToken)
                        ?? throw new InvalidOperationException($"Dataset {dataset} has no clock row; EnsureDatasetAsync must run first.");
            return DateTime.SpecifyKind((DateTime)value, DateTimeKind.Utc).AddTicks(-10 * more);
        }

        // SQLite: the transaction is IMMEDIATE, so this process already holds the database's only write lock.
        // Times are stored as microseconds since the Unix epoch there.
        var now = TruncateToMicroseconds(time.GetUtcNow().UtcDateTime);
        await using var update = Command(db, transaction,
            "UPDATE datasets SET last_ingested_at = max(@now, last_ingested_at + 1) + @more WHERE id = @dataset RETURNING last_ingested_at",
            ("dataset", dataset), ("now", (now.Ticks - DateTime.UnixEpoch.Ticks) / 10), ("more", more));
        var micros = await update.ExecuteScalarAsync(cancellationToken)
                     ?? throw new InvalidOperationException($"Dataset {dataset} has no clock row; EnsureDatasetAsync must run first.");
        return new DateTime(DateTime.UnixEpoch.Ticks + ((long)micros - more) * 10, DateTimeKind.Utc);
    }

    /// <summary>The time before which every record of <paramref name="dataset"/> is committed and visible.</summary>
    public async Task<DateTime> HorizonAsync(CatalogDbContext db, string dataset, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        DateTime horizon;
        if (db.Database.IsNpgsql())
        {
            await using (var wait = Command(db, transaction, "SELECT 1 FROM datasets WHERE id = @dataset FOR SHARE", ("dataset", dataset)))
                await wait.ExecuteScalarAsync(cancellationToken);
            await using var clock = Command(db, transaction, "SELECT clock_timestamp()");
            horizon = DateTime.SpecifyKind((DateTime)(await clock.ExecuteScalarAsync(cancellationToken))!, DateTimeKind.Utc);
        }
        else
        {
            // Beginning the (IMMEDIATE) transaction waited for the writer in flight; nothing else to wait for.
            horizon = TruncateToMicroseconds(time.GetUtcNow().UtcDateTime);
        }
        await transaction.RollbackAsync(cancellationToken);
        return horizon;
    }

    public static DateTime TruncateToMicroseconds(DateTime value) =>
        new(value.Ticks - value.Ticks % 10, DateTimeKind.Utc);

    private static DbCommand Command(CatalogDbContext db, IDbContextTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            parameter.DbType = value is long ? DbType.Int64 : DbType.String;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
