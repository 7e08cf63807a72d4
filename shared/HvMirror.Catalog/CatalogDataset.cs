namespace HvMirror.Catalog;

/// <summary>
/// A dataset this node holds files of. Its row is the dataset's ingestion clock: a registration locks it to take the
/// next ingestion time, which makes times strictly increasing and lets readers wait for registrations in flight.
/// </summary>
public sealed class CatalogDataset
{
    public required string Id { get; set; }

    public DateTime LastIngestedAt { get; set; }
}
