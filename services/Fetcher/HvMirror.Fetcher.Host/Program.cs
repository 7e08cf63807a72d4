using HvMirror.Fetcher;
using HvMirror.ServiceDefaults;

// The fetcher: FileNeeded (queue file-needed) → download, verify, place in the archive, register, FileIngested.
var builder = WebApplication.CreateBuilder(args);
if (MessagingExtensions.RefuseEmbedded(builder.Configuration, "fetcher") is { } problem)
{
    Console.Error.WriteLine(problem);
    return 2;
}
builder.AddServiceDefaults("hvmirror-fetcher");
builder.Services.AddHvMirrorCatalog(builder.Configuration);
builder.Services.AddFetcherServices();
builder.Services.AddHvMirrorBus(builder.Configuration, bus => bus.AddFetcher());

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
return 0;
