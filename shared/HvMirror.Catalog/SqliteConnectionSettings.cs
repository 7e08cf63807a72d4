using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HvMirror.Catalog;

/// <summary>
/// Per-connection SQLite settings. In WAL mode, <c>synchronous=NORMAL</c> syncs at checkpoints instead of at every
/// commit: the database cannot be corrupted, and a power cut can lose only the last registrations, which the next
/// ingest or poll registers again. It makes registering several times faster on ordinary disks.
/// <c>busy_timeout</c> lets SQLite itself wait for the writer in flight (retrying within a millisecond or so):
/// without it Microsoft.Data.Sqlite retries a busy statement after a fixed <c>Thread.Sleep(150)</c>, and parallel
/// registrations in one process spent most of their time in those sleeps (about 45 files/s at four at once).
/// </summary>
internal sealed class SqliteConnectionSettings : DbConnectionInterceptor
{
    public static SqliteConnectionSettings Instance { get; } = new();

    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=60000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
