using HvMirror.Fetcher;
using HvMirror.ServiceDefaults;

// The fetcher: FileNeeded (queue file-needed) → download, verify, place in the archive, register, FileIngested.
var builder = WebApplication.CreateBuilder(args);
if (!MessagingExtensions.IsDistributed(builder.Configuration))
{
    // Alone in its process, the in-memory bus would swallow messages no other role can receive.
    Console.Error.WriteLine("The fetcher host runs in distributed mode: set ConnectionStrings__RabbitMq (amqp://user:pass@host:5672/vhost) and ConnectionStrings__Catalog (Host=…;Database=…). (The embedded default, every role in one process on the in-memory bus, is the all-in-one host.)");
    return 2;
}
builder.Services.AddHvMirrorCatalog(builder.Configuration);
builder.Services.AddHvMirrorCatalogMigration();
builder.Services.AddFetcherServices();
builder.Services.AddHvMirrorBus(builder.Configuration, bus => bus.AddFetcher());

var app = builder.Build();
app.MapGet("/health/live", () => Results.Text("ok"));
app.Run();
return 0;
