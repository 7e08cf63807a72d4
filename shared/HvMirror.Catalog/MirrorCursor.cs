namespace HvMirror.Catalog;

/// <summary>How far a mirror has read one dataset of one upstream: the next poll asks from here.</summary>
public sealed class MirrorCursor
{
    public required string Upstream { get; set; }

    public required string Dataset { get; set; }

    /// <summary>Upstream ingestion time up to which every record has been announced.</summary>
    public DateTime Position { get; set; }

    public DateTime UpdatedAt { get; set; }
}
