using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HvMirror.Helioviewer;

/// <summary>
/// <c>HvMirror:Helioviewer:*</c>: the Helioviewer server this node plugs into, checked when the host starts. Read by the
/// Helioviewer writer (a mirror writes the rows of what it fetched) and the follower (a primary tails the rows hvpull
/// wrote). Unset <see cref="Database"/>: neither role can run, and nothing else changes.
/// </summary>
public sealed class HelioviewerOptions
{
    public const string Section = "HvMirror:Helioviewer";

    /// <summary>
    /// Helioviewer's own MariaDB/MySQL database (the one <c>settings/Private.php</c> names), as a MySqlConnector connection
    /// string: <c>Server=db;Port=3306;Database=helioviewer;User ID=…;Password=…</c>.
    /// </summary>
    [Required(ErrorMessage = "HvMirror:Helioviewer:Database (HvMirror__Helioviewer__Database) must name Helioviewer's MariaDB database: Server=…;Database=helioviewer;User ID=…;Password=….")]
    [MySqlConnectionString]
    public string? Database { get; set; }

    /// <summary>Helioviewer's <c>cache_dir</c> (<c>settings/Config.ini</c>): a replaced file's cached tiles are removed from it. Unset: tiles are left alone.</summary>
    public string? CacheDir { get; set; }

    /// <summary>First delay before writing again while the database is down or overloaded; later ones double up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between two attempts while the database is down.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Attempts of one batch while the database stays unavailable before it goes to the error queue (the default,
    /// 10,000 at up to a minute apart, waits about a week; <c>hvmirror helioviewer reconcile --repair</c> catches up after that).
    /// </summary>
    [Range(1, 1_000_000)]
    public int RetryLimit { get; set; } = 10_000;

    /// <summary>The database, opened with these options (the connection string must have been validated).</summary>
    public HelioviewerDatabase OpenDatabase() =>
        new(Database ?? throw new InvalidOperationException("HvMirror:Helioviewer:Database is not set."));

    /// <summary>The tile cache under <see cref="CacheDir"/>, or null when none is configured.</summary>
    public TileCache? OpenTileCache() => string.IsNullOrWhiteSpace(CacheDir) ? null : new TileCache(CacheDir);
}

/// <summary>The value, when given, parses as a MySqlConnector connection string naming a server and a database.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MySqlConnectionStringAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text || string.IsNullOrWhiteSpace(text))
            return ValidationResult.Success;
        try
        {
            var builder = new MySqlConnectionStringBuilder(text);
            if (string.IsNullOrWhiteSpace(builder.Server) || string.IsNullOrWhiteSpace(builder.Database))
                return new ValidationResult($"{validationContext.DisplayName}: a Helioviewer database needs Server=… and Database=… (got '{Redacted(builder)}').");
            return ValidationResult.Success;
        }
        catch (ArgumentException e)
        {
            return new ValidationResult($"{validationContext.DisplayName} does not parse as a MySQL connection string (Server=…;Database=…;User ID=…;Password=…): {e.Message}");
        }
    }

    private static string Redacted(MySqlConnectionStringBuilder builder)
    {
        var copy = new MySqlConnectionStringBuilder(builder.ConnectionString);
        if (copy.Password.Length > 0) copy.Password = "…";
        return copy.ConnectionString;
    }
}

[OptionsValidator]
public sealed partial class HelioviewerOptionsValidator : IValidateOptions<HelioviewerOptions>;
