using HvMirror.HapiServer;
using HvMirror.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("hvmirror-server");
builder.Services.AddHapiServer(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapHapi();
app.Run();

/// <summary>Visible to WebApplicationFactory in the functional tests.</summary>
public partial class Program;
