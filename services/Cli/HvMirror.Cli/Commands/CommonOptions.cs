using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Ingestion;

namespace HvMirror.Cli.Commands;

/// <summary>The options every command that touches the archive and catalog shares, with the same defaults everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Archive() => new("--archive")
    {
        Description = "Archive root folder (Helioviewer layout: <nickname>/<yyyy>/<MM>/<dd>/<measurement>/<file>).",
        DefaultValueFactory = _ => ArchiveLocation.DefaultRoot,
    };

    public static Option<string?> Catalog() => new("--catalog")
    {
        Description = "Catalog: a PostgreSQL connection string (\"Host=db;Database=hvmirror;Username=…;Password=…\") " +
                      "or a SQLite file path. Default: <archive>/.hvmirror/catalog.db.",
    };

    public static Option<string> Upstream() => new("--from")
    {
        Description = "The upstream's HAPI base URL, ending in /hapi (e.g. https://primary.example.org/hapi).",
        Required = true,
    };

    public static Option<string?> UpstreamName() =>
        new("--name") { Description = "A short name for the upstream in the catalog and logs. Default: its host." };

    /// <summary><see cref="CatalogConnection.ResolveOrDefault"/>, saying on <paramref name="errors"/> what is wrong with the setting.</summary>
    public static bool TryResolveCatalog(
        string? catalog, ArchiveLocation archive, TextWriter errors, [NotNullWhen(true)] out CatalogConnection? connection)
    {
        try
        {
            connection = CatalogConnection.ResolveOrDefault(catalog, archive);
            return true;
        }
        catch (ArgumentException e)
        {
            errors.WriteLine($"error: {e.Message}");
            connection = null;
            return false;
        }
    }

    public static bool TryParseUpstream(string? value, TextWriter errors, [NotNullWhen(true)] out Uri? url)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out url) && url.Scheme is "http" or "https")
            return true;
        errors.WriteLine("error: --from must be an http(s) URL of a HAPI server, ending in /hapi.");
        url = null;
        return false;
    }

    /// <summary>A comma-separated option value (dataset names or patterns; urls take ';') as a list.</summary>
    public static string[] ListOf(string value, char separator = ',') =>
        value.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
