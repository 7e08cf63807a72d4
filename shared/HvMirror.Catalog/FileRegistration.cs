namespace HvMirror.Catalog;

/// <summary>A verified file about to be registered (its bytes are ready to be placed at <see cref="ArchivePath"/>).</summary>
public sealed record FileRegistration(
    string Name,
    string Dataset,
    string ArchivePath,
    long Size,
    string Checksum,
    DateTime ObservedAt,
    string? Upstream = null,
    DateTime? UpstreamIngestedAt = null);

public enum RegistrationOutcome
{
    /// <summary>A name this node did not hold.</summary>
    Added,

    /// <summary>A held name with new bytes (reprocessed upstream): new checksum, new ingestion time.</summary>
    Replaced,

    /// <summary>The same bytes again: nothing changed, the file was not touched.</summary>
    Unchanged,
}

public sealed record RegistrationResult(RegistrationOutcome Outcome, CatalogFile File, string? PreviousChecksum);
