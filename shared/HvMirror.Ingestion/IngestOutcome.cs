using HvMirror.Catalog;

namespace HvMirror.Ingestion;

public enum IngestOutcome
{
    /// <summary>A new file, now in the archive and the catalog.</summary>
    Ingested,

    /// <summary>A held file with new bytes (reprocessed): replaced atomically, new checksum and ingestion time.</summary>
    Updated,

    /// <summary>The bytes the catalog already holds: nothing changed.</summary>
    Unchanged,

    /// <summary>Not taken; <see cref="IngestResult.Reason"/> says why and what to do.</summary>
    Rejected,
}

public sealed record IngestResult(string Source, IngestOutcome Outcome, string? Reason = null, CatalogFile? File = null)
{
    public static IngestResult Rejected(string source, string reason) => new(source, IngestOutcome.Rejected, reason);

    public static IngestResult From(string source, RegistrationResult registration) => new(source, registration.Outcome switch
    {
        RegistrationOutcome.Added => IngestOutcome.Ingested,
        RegistrationOutcome.Replaced => IngestOutcome.Updated,
        _ => IngestOutcome.Unchanged,
    }, File: registration.File);
}
