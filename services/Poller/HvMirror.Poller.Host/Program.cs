using HvMirror.Poller;
using HvMirror.ServiceDefaults;

// The poller: per configured upstream and dataset, reads /hapi/data from its cursor and publishes FileAnnounced.
var builder = WebApplication.CreateBuilder(args);
if (MessagingExtensions.RefuseEmbedded(builder.Configuration, "poller") is { } problem)
{
    Console.Error.WriteLine(problem);
    return 2;
}
builder.AddServiceDefaults("hvmirror-poller");
builder.Services.AddHvMirrorCatalog(builder.Configuration);
builder.Services.AddHvMirrorBus(builder.Configuration, _ => { }); // publishes only
builder.Services.AddPoller(); // after the bus: hosted services start in order

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
return 0;
