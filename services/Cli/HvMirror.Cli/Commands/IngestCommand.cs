using System.CommandLine;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Ingestion;

namespace HvMirror.Cli.Commands;

/// <summary><c>hvmirror ingest PATH...</c>: register jp2 files (or folders of them) in the archive and catalog.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var pathsArgument = new Argument<string[]>("PATH")
        {
            Description = "jp2 files or folders (searched recursively; hidden entries skipped). A drop folder is copied " +
                          "into the archive; files already at their archive path are registered in place.",
            Arity = ArgumentArity.OneOrMore,
        };
        var archiveOption = CommonOptions.Archive();
        var catalogOption = CommonOptions.Catalog();
        var parallelOption = new Option<int>("--parallel")
        {
            Description = "Files processed at once.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var command = new Command("ingest", """
            Register jp2 files in the archive and catalog. New names are ingested; a known name with different bytes
            (reprocessed) replaces the old file and gets a new ingestion time so mirrors fetch it again; the same bytes
            again change nothing. Bad files are named with the reason and skipped.
            Exit code: 0 all taken, 1 some rejected, 2 could not run.
            """)
        {
            pathsArgument, archiveOption, catalogOption, parallelOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(pathsArgument)!, parse.GetValue(archiveOption)!, parse.GetValue(catalogOption),
            parse.GetValue(parallelOption), Console.Out, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(
        IReadOnlyList<string> paths, string archiveRoot, string? catalog, int parallel, TextWriter output, CancellationToken cancellationToken)
    {
        output = TextWriter.Synchronized(output); // files are ingested in parallel, and each may print a line
        if (parallel < 1)
        {
            output.WriteLine("error: --parallel must be at least 1.");
            return ExitCodes.Failed;
        }
        var archive = new ArchiveLocation(archiveRoot);
        if (!CommonOptions.TryResolveCatalog(catalog, archive, output, out var connection)) return ExitCodes.Failed;

        var contexts = await CatalogStartup.OpenAsync(connection, output, cancellationToken);
        if (contexts is null) return ExitCodes.Failed;

        output.WriteLine($"ingest: archive {archive.Root}, catalog {connection.Describe()}");
        var ingester = new ArchiveIngester(archive, new FileRegistry(contexts, IngestionClock.System), DataSources.Helioviewer);
        var progress = new IngestProgress(output, TimeSpan.FromSeconds(2));
        try
        {
            await Parallel.ForEachAsync(
                IngestInputs.Expand(paths),
                new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
                async (input, ct) =>
                {
                    var result = input.Problem is null
                        ? await ingester.IngestFileAsync(input.Path, ct)
                        : IngestResult.Rejected(input.Path, input.Problem);
                    if (result.Outcome == IngestOutcome.Rejected)
                        output.WriteLine($"rejected: {result.Source}: {result.Reason}");
                    progress.Record(result);
                });
        }
        catch (OperationCanceledException)
        {
            output.WriteLine($"ingest: interrupted after {progress.Describe()}. Files already registered stay; run the same command again to finish.");
            return ExitCodes.Failed;
        }

        output.WriteLine($"ingest: done, {progress.Describe()}.");
        return progress.Count(IngestOutcome.Rejected) > 0 ? ExitCodes.SomeRejected : ExitCodes.Success;
    }
}
