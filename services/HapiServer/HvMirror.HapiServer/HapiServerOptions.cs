using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace HvMirror.HapiServer;

/// <summary>
/// Settings of the HAPI server role: <c>HvMirror:PublicUrl</c> and <c>HvMirror:Hapi:*</c>, checked when the host starts.
/// The archive and the catalog it serves are the node's own (<c>HvMirror:Archive</c>, <c>ConnectionStrings:Catalog</c>).
/// </summary>
public sealed class HapiServerOptions : IValidatableObject
{
    public const string Section = "HvMirror";

    /// <summary>
    /// Base URL that record <c>url</c>s start with (e.g. <c>https://mirror.example.org</c>; a path prefix is kept).
    /// Unset: the scheme and host of each request.
    /// </summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>What <c>/hapi/about</c> says of this server.</summary>
    [ValidateObjectMembers]
    public HapiAboutOptions Hapi { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PublicUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https") || url.Query.Length > 0))
            yield return new ValidationResult(
                $"HvMirror:PublicUrl '{url}' must be an absolute http(s) URL without a query, e.g. https://mirror.example.org", [nameof(PublicUrl)]);
    }
}

public sealed class HapiAboutOptions
{
    [Required(AllowEmptyStrings = false)]
    public string Id { get; set; } = "HvMirror";

    [Required(AllowEmptyStrings = false)]
    public string Title { get; set; } = "Helioviewer JPEG2000 archive (HvMirror node)";

    [Required(AllowEmptyStrings = false)]
    public string Contact { get; set; } = "The operator of this node (set HvMirror:Hapi:Contact)";

    [Required(AllowEmptyStrings = false)]
    public string Description { get; set; } =
        "One dataset per Helioviewer data source; one record per JPEG2000 file this node holds: when this node " +
        "ingested it (Time), its name, its checksum and the url it can be downloaded from.";
}

[OptionsValidator]
public sealed partial class HapiServerOptionsValidator : IValidateOptions<HapiServerOptions>;
