namespace HvMirror.HapiServer;

/// <summary>
/// Settings of the HAPI server role, bound from the <c>HvMirror</c> configuration section
/// (<c>HvMirror:Archive</c>, <c>HvMirror:PublicUrl</c>, <c>HvMirror:Hapi:*</c>) plus <c>ConnectionStrings:Catalog</c>.
/// </summary>
public sealed class HapiServerOptions
{
    public const string Section = "HvMirror";

    /// <summary>The archive root directory: <c>/jp2/&lt;archive path&gt;</c> serves files under it. Default <c>./archive</c>.</summary>
    public string Archive { get; set; } = "archive";

    /// <summary>
    /// Base URL that record <c>url</c>s start with (e.g. <c>https://mirror.example.org</c>; a path prefix is kept).
    /// Empty: the scheme and host of each request.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>What <c>/hapi/about</c> says of this server.</summary>
    public HapiAboutOptions Hapi { get; set; } = new();
}

public sealed class HapiAboutOptions
{
    public string Id { get; set; } = "HvMirror";

    public string Title { get; set; } = "Helioviewer JPEG2000 archive (HvMirror node)";

    public string Contact { get; set; } = "The operator of this node (set HvMirror:Hapi:Contact)";

    public string Description { get; set; } =
        "One dataset per Helioviewer data source; one record per JPEG2000 file this node holds: when this node " +
        "ingested it (Time), its name, its checksum and the url it can be downloaded from.";
}
