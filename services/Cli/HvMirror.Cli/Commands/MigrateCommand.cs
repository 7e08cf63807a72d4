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
        var command = new Command("migrate", "Create the catalog database if needed and apply pending schema migrations, then exit.")
        {
            archiveOption, catalogOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var archive = new ArchiveLocation(parse.GetValue(archiveOption)!);
            if (!CommonOptions.TryResolveCatalog(parse.GetValue(catalogOption), archive, Console.Error, out var connection))
                return ExitCodes.Failed;

            var factory = await CatalogStartup.OpenAsync(connection, Console.Error, cancellationToken);
            if (factory is null) return ExitCodes.Failed;
            Console.WriteLine($"catalog {connection.Describe()} is up to date.");
            return ExitCodes.Success;
        });
        return command;
    }
}
