using HvMirror.Archive;
using System.CommandLine;
using HvMirror.Catalog;
using HvMirror.Ingestion;

namespace HvMirror.Cli.Commands;

/// <summary>The options every command that touches the archive and catalog shares, with the same defaults everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Archive() => new("--archive")
    {
        Description = "Archive root folder (Helioviewer layout: <nickname>/<yyyy>/<MM>/<dd>/<measurement>/<file>).",
        DefaultValueFactory = _ => "./archive",
    };

    public static Option<string?> Catalog() => new("--catalog")
    {
        Description = "Catalog: a PostgreSQL connection string (\"Host=db;Database=hvmirror;Username=…;Password=…\") " +
                      "or a SQLite file path. Default: <archive>/.hvmirror/catalog.db.",
    };

    public static CatalogConnection ResolveCatalog(string? catalog, ArchiveLocation archive) =>
        string.IsNullOrWhiteSpace(catalog)
            ? CatalogConnection.ForSqliteFile(archive.DefaultSqliteCatalog)
            : CatalogConnection.Parse(catalog);
}
