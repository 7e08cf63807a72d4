namespace HvMirror.Catalog;

/// <summary>One jp2 file this node holds: the row behind every HAPI record it serves.</summary>
public sealed class CatalogFile
{
    public long Id { get; set; }

    /// <summary>The Helioviewer file name: the file's unique key across all nodes.</summary>
    public required string Name { get; set; }

    /// <summary>The HAPI dataset (Helioviewer source name, e.g. <c>AIA_171</c>).</summary>
    public required string Dataset { get; set; }

    /// <summary>Path relative to the archive root, forward slashes, computed by this node (never taken from a peer).</summary>
    public required string ArchivePath { get; set; }

    public long Size { get; set; }

    /// <summary>Self-describing digest, <c>sha256:&lt;64 lowercase hex&gt;</c>.</summary>
    public required string Checksum { get; set; }

    /// <summary>Observation time encoded in the file name (UTC).</summary>
    public DateTime ObservedAt { get; set; }

    /// <summary>When this node last registered these bytes (UTC, microseconds, strictly increasing within a dataset): the HAPI <c>Time</c>.</summary>
    public DateTime IngestedAt { get; set; }

    /// <summary>Null when ingested locally; otherwise the name of the upstream it was mirrored from.</summary>
    public string? Upstream { get; set; }

    /// <summary>The upstream's own ingestion time of these bytes, for measuring mirror lag.</summary>
    public DateTime? UpstreamIngestedAt { get; set; }
}
