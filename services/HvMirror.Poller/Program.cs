using HvMirror.Poller;
using HvMirror.ServiceDefaults;

// The poller: per configured upstream and dataset, reads /hapi/data from its cursor and publishes FileAnnounced.
var builder = WebApplication.CreateBuilder(args);
if (!MessagingExtensions.IsDistributed(builder.Configuration))
{
    // Alone in its process, the in-memory bus would swallow messages no other role can receive.
    Console.Error.WriteLine("The poller host runs in distributed mode: set ConnectionStrings__RabbitMq (amqp://user:pass@host:5672/vhost) and ConnectionStrings__Catalog (Host=…;Database=…). (The embedded default, every role in one process on the in-memory bus, is the all-in-one host.)");
    return 2;
}
builder.Services.AddHvMirrorCatalog(builder.Configuration);
builder.Services.AddHvMirrorCatalogMigration();
builder.Services.AddPoller();
builder.Services.AddHvMirrorBus(builder.Configuration, _ => { }); // publishes only

var app = builder.Build();
app.MapGet("/health/live", () => Results.Text("ok"));
app.Run();
return 0;
