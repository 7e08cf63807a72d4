using HvMirror.Comparer;
using HvMirror.ServiceDefaults;

// The comparer: batches of FileAnnounced (queue file-announced) against this node's catalog; FileNeeded for what is missing.
var builder = WebApplication.CreateBuilder(args);
if (MessagingExtensions.RefuseEmbedded(builder.Configuration, "comparer") is { } problem)
{
    Console.Error.WriteLine(problem);
    return 2;
}
builder.AddServiceDefaults("hvmirror-comparer");
builder.Services.AddHvMirrorCatalog(builder.Configuration);
builder.Services.AddHvMirrorBus(builder.Configuration, bus => bus.AddComparer());

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
return 0;
