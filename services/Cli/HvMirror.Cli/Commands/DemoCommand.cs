using System.CommandLine;
using System.Diagnostics;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Node;
using HvMirror.Ingestion;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace HvMirror.Cli.Commands;

/// <summary>
/// <c>hvmirror demo</c>: a primary and a mirror on this machine, end to end — sample files ingested on the primary,
/// served over HAPI on loopback, mirrored; then files reprocessed and added on the primary and the mirror catching up;
/// then every file verified on the mirror. Needs nothing but the .NET SDK.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var dirOption = new Option<string>("--dir")
        {
            Description = "Working folder for the demo's primary and mirror archives (emptied first).",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "hvmirror-demo"),
        };
        var filesOption = new Option<int>("--files") { Description = "Files on the primary at the start.", DefaultValueFactory = _ => 140 };
        var sizeOption = new Option<int>("--size") { Description = "Bytes per file.", DefaultValueFactory = _ => 200_000 };
        var command = new Command("demo", "Run a primary and a mirror on loopback and show the mirror converge, catch up with reprocessed and new files, and verify.")
        {
            dirOption, filesOption, sizeOption,
        };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(dirOption)!, Math.Max(10, parse.GetValue(filesOption)), Math.Max(2048, parse.GetValue(sizeOption)), Console.Out, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string directory, int files, int size, TextWriter output, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        var primaryArchive = new ArchiveLocation(Path.Combine(directory, "primary"));
        var mirrorArchive = new ArchiveLocation(Path.Combine(directory, "mirror"));
        var primaryCatalog = CatalogConnection.ForSqliteFile(primaryArchive.DefaultSqliteCatalog);
        var mirrorCatalog = CatalogConnection.ForSqliteFile(mirrorArchive.DefaultSqliteCatalog);
        var primaryContexts = await CatalogStartup.OpenAsync(primaryCatalog, TextWriter.Null, cancellationToken);
        if (primaryContexts is null || await CatalogStartup.OpenAsync(mirrorCatalog, TextWriter.Null, cancellationToken) is null) return ExitCodes.Failed;
        var ingester = new ArchiveIngester(primaryArchive, new FileRegistry(primaryContexts, IngestionClock.System), DataSources.Helioviewer);
        var start = new DateTime(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc);

        output.WriteLine($"1. The primary: {files} real JP2 files ({size / 1000:N0} KB each) across {SampleFiles.DefaultDatasets.Count} sources, ingested into {primaryArchive.Root}");
        var sample = SampleFiles.Generate(DataSources.Helioviewer, SampleFiles.DefaultDatasets, files, start, TimeSpan.FromSeconds(12), size).ToList();
        await IngestAsync(ingester, sample, cancellationToken);

        await using var primary = ServeCommand.Build(primaryArchive, primaryCatalog, "http://127.0.0.1:0", publicUrl: null, LogLevel.Warning);
        await primary.StartAsync(cancellationToken);
        var hapi = new Uri(primary.Urls.First() + "/hapi");
        output.WriteLine($"   serving it over HAPI 3.3 at {hapi} (try {hapi}/catalog)");

        var settings = new MirrorSettings("demo-primary", hapi, ["*"], mirrorArchive, mirrorCatalog, TimeSpan.FromSeconds(30));
        output.WriteLine($"2. The mirror ({mirrorArchive.Root}) syncs from it:");
        await using (var mirror = EmbeddedMirror.Create(settings, pollInBackground: false))
        {
            await mirror.StartAsync(cancellationToken);
            var first = await mirror.SyncOnceAsync(output, cancellationToken);
            MirrorCommand.Print(first, output);
            if (!first.Succeeded) return ExitCodes.SomeRejected;

            var reprocessed = sample.Where((_, i) => i % 20 == 3).Take(5)
                .Select(f => SampleFiles.Create(DataSources.Helioviewer, f.Source, f.ObservedAt, size, "v2 (reprocessed)")).ToList();
            var added = SampleFiles.Generate(DataSources.Helioviewer, SampleFiles.DefaultDatasets, 12, start + TimeSpan.FromSeconds(12) * files, TimeSpan.FromSeconds(12), size).ToList();
            output.WriteLine($"3. Meanwhile the primary reprocesses {reprocessed.Count} files (same names, new bytes) and ingests {added.Count} new ones; the mirror polls again:");
            await IngestAsync(ingester, reprocessed.Concat(added), cancellationToken);
            var second = await mirror.SyncOnceAsync(output, cancellationToken);
            MirrorCommand.Print(second, output);
            if (!second.Succeeded || second.Changed != reprocessed.Count || second.New != added.Count)
            {
                output.WriteLine($"error: expected {reprocessed.Count} replaced and {added.Count} new files in the second sync.");
                return ExitCodes.SomeRejected;
            }
        }

        output.WriteLine("4. Verifying the mirror against the primary's HAPI catalog, file by file (SHA-256 recomputed from disk):");
        var verified = await VerifyCommand.RunAsync(hapi, ["*"], mirrorArchive, mirrorCatalog, deep: true, output, cancellationToken);
        output.WriteLine($"demo: {(verified == ExitCodes.Success ? "done" : "FAILED")} in {clock.Elapsed.TotalSeconds:N1} s. The archives stay in {directory}.");
        return verified;
    }

    private static async Task IngestAsync(ArchiveIngester ingester, IEnumerable<SampleFile> files, CancellationToken cancellationToken)
    {
        foreach (var rejected in (await ingester.IngestSamplesAsync(files, cancellationToken)).Where(r => r.Outcome == IngestOutcome.Rejected))
            throw new InvalidOperationException($"demo sample {rejected.Source} was rejected: {rejected.Reason}");
    }
}
