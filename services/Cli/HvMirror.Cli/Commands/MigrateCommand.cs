using HvMirror.Archive;
using System.CommandLine;
using HvMirror.Catalog;
using HvMirror.Ingestion;

namespace HvMirror.Cli.Commands;

/// <summary><c>hvmirror migrate</c>: create or upgrade the catalog schema, for deployments that migrate before rolling out.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var archiveOption = CommonOptions.Archive();
        var catalogOption = CommonOptions.Catalog();
        var rebuildOption = new Option<bool>("--rebuild-summaries")
        {
            Description = "Also recompute every per-day summary (what `serve` publishes as X.days and `audit` compares) from the files table: " +
                          "after loading rows with SQL, or to prove they agree. Run it while nothing registers files.",
        };
        var command = new Command("migrate", "Create the catalog database if needed and apply pending schema migrations, then exit.")
        {
            archiveOption, catalogOption, rebuildOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var archive = new ArchiveLocation(parse.GetValue(archiveOption)!);
            if (!CommonOptions.TryResolveCatalog(parse.GetValue(catalogOption), archive, Console.Error, out var connection))
                return ExitCodes.Failed;

            var factory = await CatalogStartup.OpenAsync(connection, Console.Error, cancellationToken);
            if (factory is null) return ExitCodes.Failed;
            Console.WriteLine($"catalog {connection.Describe()} is up to date.");
            if (parse.GetValue(rebuildOption))
            {
                var started = TimeProvider.System.GetTimestamp();
                var days = await DaySummaries.RebuildAsync(factory, null, cancellationToken);
                Console.WriteLine($"day summaries rebuilt: {days:N0} days in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s.");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
