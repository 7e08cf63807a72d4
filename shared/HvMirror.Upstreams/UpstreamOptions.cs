using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace HvMirror.Upstreams;

/// <summary>
/// The upstreams this node mirrors from: <c>HvMirror:Upstreams:N:*</c> (environment: <c>HvMirror__Upstreams__0__Url</c>).
/// Checked once when the host starts (<see cref="UpstreamServiceCollectionExtensions.AddUpstreams"/>), never per message.
/// </summary>
public sealed class UpstreamsOptions : IValidatableObject
{
    public const string Section = "HvMirror";

    [ValidateEnumeratedItems]
    public List<UpstreamOptions> Upstreams { get; set; } = [];

    public UpstreamOptions? Find(string name) =>
        Upstreams.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Upstreams.GroupBy(u => u.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => new ValidationResult($"{g.Count()} upstreams are named '{g.Key}': give each its own Name", [nameof(Upstreams)]));
}

public sealed class UpstreamOptions : IValidatableObject
{
    /// <summary>A short name for logs, metrics and the catalog (e.g. <c>gsfc</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", ErrorMessage = "an upstream's Name is 1–100 letters, digits, '.', '_' or '-'")]
    public string Name { get; set; } = "";

    /// <summary>The HAPI base URL, ending in <c>/hapi</c>.</summary>
    [Required]
    public Uri? Url { get; set; }

    /// <summary>Dataset patterns: exact ids (<c>AIA_171</c>) or with <c>*</c> (<c>AIA_*</c>, <c>*</c>). Default: all.</summary>
    public List<string> Datasets { get; set; } = [];

    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Other hosts the upstream's file urls and their redirects may point at (a CDN), as <c>host</c> or <c>host:port</c>
    /// (see <see cref="FileHost"/>); its own host and port are always allowed.
    /// </summary>
    public List<string> FileHosts { get; set; } = [];

    /// <summary>The HAPI base URL, known to be set once the options validated.</summary>
    public Uri BaseUrl => Url ?? throw new InvalidOperationException($"Upstream {Name} has no Url.");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Url is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
            yield return new ValidationResult($"upstream {Name}: Url {url} is not an absolute http(s) URL of a HAPI server (…/hapi)", [nameof(Url)]);
        foreach (var host in FileHosts.Where(h => !FileHost.TryParse(h, out _)))
            yield return new ValidationResult($"upstream {Name}: FileHosts entry '{host}' is not a host name or host:port", [nameof(FileHosts)]);
    }
}
