using System.CommandLine;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Audit;
using HvMirror.HapiClient;
using HvMirror.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace HvMirror.Cli.Commands;

/// <summary><c>hvmirror verify --from URL</c>: prove this archive holds every file an upstream serves, byte for byte.</summary>
internal static class VerifyCommand
{
    private const int ProblemsShown = 50;

    public static Command Create()
    {
        var fromOption = CommonOptions.Upstream();
        var datasetsOption = new Option<string>("--datasets") { Description = "Comma-separated dataset patterns.", DefaultValueFactory = _ => "*" };
        var deepOption = new Option<bool>("--deep") { Description = "Also hash every local file and compare it with the catalog (reads the whole archive)." };
        var archiveOption = CommonOptions.Archive();
        var catalogOption = CommonOptions.Catalog();
        var command = new Command("verify", """
            Compare this node's catalog with every record an upstream's HAPI server lists: report files missing here or held
            with another checksum (and, with --deep, files missing or corrupt on disk). Exit code 0 when in sync, 1 when
            anything differs (run `hvmirror mirror --once` to repair), 2 when it could not run.
            """)
        {
            fromOption, datasetsOption, deepOption, archiveOption, catalogOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var archive = new ArchiveLocation(parse.GetValue(archiveOption)!);
            if (!CommonOptions.TryParseUpstream(parse.GetValue(fromOption), Console.Error, out var from)
                || !CommonOptions.TryResolveCatalog(parse.GetValue(catalogOption), archive, Console.Error, out var catalog))
                return ExitCodes.Failed;
            var patterns = CommonOptions.ListOf(parse.GetValue(datasetsOption)!);
            return await RunAsync(from, patterns, archive, catalog, parse.GetValue(deepOption), Console.Out, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(
        Uri from, IReadOnlyList<string> patterns, ArchiveLocation archive, CatalogConnection catalog, bool deep, TextWriter output,
        CancellationToken cancellationToken)
    {
        var contexts = await CatalogStartup.OpenAsync(catalog, output, cancellationToken);
        if (contexts is null) return ExitCodes.Failed;
        using var upstream = UpstreamClient.Create(from.Host, from, new UpstreamClientOptions { ChunkLength = TimeSpan.FromDays(366) });
        output.WriteLine($"verify: {archive.Root} ({catalog.Describe()}) against {from}{(deep ? ", hashing every local file" : "")}");
        IReadOnlyList<DatasetVerification> results;
        try
        {
            // Dataset ids and file names come from the upstream: escaped, they cannot forge lines or drive the terminal.
            results = await new ArchiveVerifier(upstream, contexts, archive, deep)
                .VerifyAsync(patterns, line => output.WriteLine(OperatorText.Escape(line)), cancellationToken);
        }
        catch (HapiClientException e)
        {
            output.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }

        var problems = results.SelectMany(r => r.Problems).ToList();
        foreach (var problem in problems.Take(ProblemsShown)) output.WriteLine(OperatorText.Escape(problem));
        if (problems.Count > ProblemsShown) output.WriteLine($"… and {problems.Count - ProblemsShown:N0} more");
        var stopped = results.Count(r => r.Error is not null);
        output.WriteLine(
            $"verify: {results.Sum(r => r.InSync):N0} of {results.Sum(r => r.Upstream):N0} upstream files in sync across {results.Count} datasets; " +
            $"{problems.Count:N0} problem(s)" + (stopped > 0 ? $"; {stopped} dataset(s) could not be read, see above" : "") +
            (problems.Count > 0 ? ". `hvmirror mirror --once` fetches what is missing or different; `hvmirror audit --repair` also " +
                                  "re-fetches files missing or corrupt on disk." : "."));
        await PrintWorkListAsync(contexts, output, cancellationToken);
        return results.All(r => r.Clean) ? ExitCodes.Success : ExitCodes.SomeRejected;
    }

    /// <summary>What this node still wants: the files it found needed and has not registered yet, and why.</summary>
    private static async Task PrintWorkListAsync(CatalogDbContextFactory contexts, TextWriter output, CancellationToken cancellationToken)
    {
        var summary = await new WorkList(contexts, TimeProvider.System, Options.Create(new WorkListOptions())).SummarizeAsync(cancellationToken);
        if (summary.Count == 0)
        {
            output.WriteLine("work list: empty (nothing this node found needed is still missing)");
            return;
        }
        output.WriteLine($"work list: {summary.Count:N0} file(s) wanted, {summary.Failing:N0} failing, the oldest since {summary.OldestWantedSince:u}; " +
                         "each is asked for again on its own schedule (hvmirror mirror --once asks for all of them at once)");
        foreach (var (reason, count) in summary.Reasons)
            output.WriteLine($"   {count:N0} × {reason}");
    }
}
