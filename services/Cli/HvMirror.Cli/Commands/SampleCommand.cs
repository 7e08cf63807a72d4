using System.CommandLine;
using System.Globalization;
using HvMirror.Archive;

namespace HvMirror.Cli.Commands;

/// <summary><c>hvmirror sample</c>: write a folder of generated jp2 files, to try ingest and mirroring or to benchmark them.</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var outOption = new Option<string>("--out") { Description = "Folder to write the files to (created if missing).", Required = true };
        var countOption = new Option<int>("--count") { Description = "How many files.", DefaultValueFactory = _ => 100 };
        var sizeOption = new Option<int?>("--size") { Description = "Bytes per file (padded real JP2). Default: ~1.3 KB, the smallest." };
        var datasetsOption = new Option<string>("--datasets")
        {
            Description = "Comma-separated Helioviewer sources, round-robin.",
            DefaultValueFactory = _ => string.Join(',', SampleFiles.DefaultDatasets),
        };
        var startOption = new Option<DateTime>("--start")
        {
            Description = "Observation time of the first file (UTC).",
            DefaultValueFactory = _ => new DateTime(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc),
        };
        var variantOption = new Option<string>("--variant")
        {
            Description = "Changes the bytes but not the names: a second run with another variant simulates reprocessing.",
            DefaultValueFactory = _ => "v1",
        };
        var command = new Command("sample", "Write generated jp2 files with Helioviewer names (real, decodable JP2) into a folder.")
        {
            outOption, countOption, sizeOption, datasetsOption, startOption, variantOption,
        };
        command.SetAction(parse =>
        {
            var folder = Directory.CreateDirectory(parse.GetValue(outOption)!).FullName;
            var datasets = CommonOptions.ListOf(parse.GetValue(datasetsOption)!);
            var count = parse.GetValue(countOption);
            try
            {
                var written = 0;
                foreach (var file in SampleFiles.Generate(DataSources.Helioviewer, datasets, count,
                             DateTime.SpecifyKind(parse.GetValue(startOption), DateTimeKind.Utc), TimeSpan.FromSeconds(12),
                             parse.GetValue(sizeOption), parse.GetValue(variantOption)!))
                {
                    File.WriteAllBytes(Path.Combine(folder, file.Name), file.Content);
                    if (++written % 10_000 == 0) Console.WriteLine($"  … {written.ToString("N0", CultureInfo.InvariantCulture)} files");
                }
                Console.WriteLine($"sample: wrote {written:N0} files to {folder}");
                return ExitCodes.Success;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
