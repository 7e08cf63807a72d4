using HvMirror.HapiServer;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddHapiServer(builder.Configuration);

var app = builder.Build();
app.MapHapi();
app.Run();

/// <summary>Visible to WebApplicationFactory in the functional tests.</summary>
public partial class Program;
