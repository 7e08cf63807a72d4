using System.CommandLine;
using HvMirror.ServiceDefaults;
using HvMirror.Archive;
using HvMirror.HapiServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using HvMirror.Catalog;
using HvMirror.Node;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HvMirror.Cli.Commands;

/// <summary><c>hvmirror serve</c>: publish this node's catalog over HAPI 3.3 and serve its files, so mirrors can poll it.</summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://localhost:8080";

    public static Command Create()
    {
        var archiveOption = CommonOptions.Archive();
        var catalogOption = CommonOptions.Catalog();
        var urlsOption = new Option<string>("--urls")
        {
            Description = "Where to listen, e.g. http://0.0.0.0:8080 (several separated by ';').",
            DefaultValueFactory = _ => DefaultUrls,
        };
        var publicUrlOption = new Option<Uri?>("--public-url")
        {
            Description = "The base URL mirrors reach this node by (behind a proxy, e.g. https://hv.example.org); " +
                          "record urls are <public-url>/jp2/<archive path>. Default: the host each request came to.",
        };
        var command = new Command("serve", """
            Serve this node's catalog as a HAPI 3.3 server (/hapi/catalog, /hapi/info, /hapi/data …) and its files under
            /jp2/, so that mirrors can poll it for new and reprocessed files. Stop with Ctrl+C.
            """)
        {
            archiveOption, catalogOption, urlsOption, publicUrlOption,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var archive = new ArchiveLocation(parse.GetValue(archiveOption)!);
            if (!CommonOptions.TryResolveCatalog(parse.GetValue(catalogOption), archive, Console.Error, out var catalog)) return ExitCodes.Failed;

            var app = Build(archive, catalog, parse.GetValue(urlsOption)!, parse.GetValue(publicUrlOption));
            try
            {
                await app.StartAsync(cancellationToken);
                Console.WriteLine($"serving {archive.Root} over HAPI at {string.Join(", ", app.Urls.Select(u => u + "/hapi"))} (Ctrl+C stops)");
                await app.WaitForShutdownAsync(cancellationToken);
                return ExitCodes.Success;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"error: cannot listen on {parse.GetValue(urlsOption)}: {e.Message} Choose another --urls.");
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    public static WebApplication Build(
        ArchiveLocation archive, CatalogConnection catalog, string urls, Uri? publicUrl, LogLevel logLevel = LogLevel.Information)
    {
        var builder = WebApplication.CreateSlimBuilder(CommandLineHost.Args);
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddOneLineConsole();
        // One line per request is noise for an archive that serves thousands of files a minute.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.UseUrls(CommonOptions.ListOf(urls, ';'));
        builder.Services.AddSingleton(archive);
        builder.Services.AddSingleton(new CatalogDbContextFactory(catalog));
        if (publicUrl is not null) builder.Services.Configure<HapiServerOptions>(options => options.PublicUrl = publicUrl);
        builder.AddHvMirrorNode(NodeRoles.HapiServer);
        var app = builder.Build();
        app.MapHvMirrorNode();
        return app;
    }
}
