using System.CommandLine;
using HvMirror.Cli.Commands;

var root = new RootCommand("""
    hvmirror: keeps Helioviewer jp2 archives in sync between servers.

    A primary registers its files (ingest) and publishes them over HAPI 3.3 (serve); a mirror polls it and fetches
    what is new or reprocessed (mirror), and proves it holds every file (verify). Try it: hvmirror demo.
    The catalog is a SQLite file inside the archive by default, or PostgreSQL with --catalog "Host=…".
    """);
root.Subcommands.Add(IngestCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(MirrorCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(HelioviewerCommand.Create());
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(SampleCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
return await root.Parse(args).InvokeAsync();
