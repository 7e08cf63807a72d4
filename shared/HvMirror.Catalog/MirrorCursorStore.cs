using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HvMirror.Catalog;

/// <summary>
/// The mirror's cursors (how far each upstream dataset has been announced) and the leases that keep two poller
/// replicas from working the same upstream dataset at once.
/// </summary>
public sealed class MirrorCursorStore(CatalogDbContextFactory contexts, TimeProvider time)
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InProcessLeases = new();

    public async Task<DateTime?> GetAsync(string upstream, string dataset, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var cursor = await db.MirrorCursors.AsNoTracking()
            .SingleOrDefaultAsync(c => c.Upstream == upstream && c.Dataset == dataset, cancellationToken);
        return cursor?.Position;
    }

    /// <summary>Moves the cursor forward to <paramref name="position"/> (never backwards).</summary>
    public async Task AdvanceAsync(string upstream, string dataset, DateTime position, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var cursor = await db.MirrorCursors.SingleOrDefaultAsync(c => c.Upstream == upstream && c.Dataset == dataset, cancellationToken);
        if (cursor is null)
        {
            db.MirrorCursors.Add(new MirrorCursor
            {
                Upstream = upstream, Dataset = dataset, Position = position, UpdatedAt = time.GetUtcNow().UtcDateTime,
            });
        }
        else if (position > cursor.Position)
        {
            cursor.Position = position;
            cursor.UpdatedAt = time.GetUtcNow().UtcDateTime;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Moves the cursor back to <paramref name="position"/> if it stands later: for a record found out of order after
    /// records later than it were announced, which the cursor must not stay past.
    /// </summary>
    public async Task HoldAtAsync(string upstream, string dataset, DateTime position, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var cursor = await db.MirrorCursors.SingleOrDefaultAsync(c => c.Upstream == upstream && c.Dataset == dataset, cancellationToken);
        if (cursor is null || cursor.Position <= position) return;
        cursor.Position = position;
        cursor.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<MirrorCursor>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.MirrorCursors.AsNoTracking().OrderBy(c => c.Upstream).ThenBy(c => c.Dataset).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Takes the lease on one upstream dataset, or returns null when another poller holds it. PostgreSQL: a session
    /// advisory lock, released when the lease is disposed or the holder's connection dies. SQLite (one process): a
    /// lock in this process.
    /// </summary>
    public async Task<IAsyncDisposable?> TryLeaseAsync(string upstream, string dataset, CancellationToken cancellationToken)
    {
        var key = $"{upstream}\n{dataset}";
        if (contexts.Connection.Provider == CatalogProvider.PostgreSql)
        {
            var connection = new NpgsqlConnection(contexts.Connection.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", LockKey(key));
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
                return new PostgresLease(connection);
            await connection.DisposeAsync();
            return null;
        }

        var gate = InProcessLeases.GetOrAdd($"{contexts.Connection.ConnectionString}\n{key}", _ => new SemaphoreSlim(1, 1));
        return await gate.WaitAsync(0, cancellationToken) ? new InProcessLease(gate) : null;
    }

    private static long LockKey(string key) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("hvmirror-poll\n" + key)));

    private sealed class PostgresLease(NpgsqlConnection connection) : IAsyncDisposable
    {
        // Closing the session releases its advisory locks; pooling would keep the session (and the lock) alive.
        public async ValueTask DisposeAsync()
        {
            await using (var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection))
                await unlock.ExecuteNonQueryAsync();
            await connection.DisposeAsync();
        }
    }

    private sealed class InProcessLease(SemaphoreSlim gate) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            gate.Release();
            return ValueTask.CompletedTask;
        }
    }
}
