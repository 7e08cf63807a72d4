namespace HvMirror.Catalog;

/// <summary>
/// How far the follower has read a Helioviewer server's <c>data</c> table: every row up to <see cref="LastRowId"/> has been
/// registered or put on the skipped list. Keyed by the database it follows (<c>server:port/database</c>), so pointing a
/// node at another Helioviewer database starts a backfill of that one instead of reusing a foreign cursor.
/// </summary>
public sealed class FollowerCursor
{
    public required string Database { get; set; }

    /// <summary>The last <c>data.id</c> done (0: nothing yet, the first run is a backfill).</summary>
    public long LastRowId { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>When the last re-hash of the followed files finished (null: never).</summary>
    public DateTime? LastRehashAt { get; set; }

    /// <summary>When the last full re-hash (every file hashed, not only those whose size or time changed) finished.</summary>
    public DateTime? LastFullRehashAt { get; set; }
}

/// <summary>
/// A row of the followed <c>data</c> table whose file could not be registered (missing, not a JP2, not where the archive
/// layout puts it): reported, passed over so it never blocks the rows after it, and tried again at
/// <see cref="NextAttemptAt"/> (the delay doubles with each attempt, up to a day). Removed once registered, or when its
/// row is deleted from <c>data</c>.
/// </summary>
public sealed class FollowerSkippedRow
{
    public required string Database { get; set; }

    public long RowId { get; set; }

    public required string FileName { get; set; }

    /// <summary>Why it was skipped the last time.</summary>
    public required string Reason { get; set; }

    public int Attempts { get; set; }

    public DateTime FirstSkippedAt { get; set; }

    public DateTime NextAttemptAt { get; set; }
}
