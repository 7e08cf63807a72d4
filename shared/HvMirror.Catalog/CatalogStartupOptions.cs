using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace HvMirror.Catalog;

/// <summary><c>HvMirror:Catalog:*</c>: how a host meets its catalog when it starts.</summary>
public sealed class CatalogStartupOptions
{
    public const string Section = "HvMirror:Catalog";

    /// <summary>
    /// How long a starting host waits for an unreachable catalog (PostgreSQL restarting, failing over, not up yet in a
    /// fresh deployment) before it gives up with one line saying so. 0: give up at once (the CLI's commands).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan WaitAtStart { get; set; } = TimeSpan.FromMinutes(10);
}

[OptionsValidator]
public sealed partial class CatalogStartupOptionsValidator : IValidateOptions<CatalogStartupOptions>;

/// <summary>The catalog could not be reached when a host started: the message says which one and what to check.</summary>
public sealed class CatalogUnavailableException(string message, Exception inner) : Exception(message, inner);
