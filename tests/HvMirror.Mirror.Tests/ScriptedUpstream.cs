using System.Text;
using HvMirror.Archive;
using HvMirror.Hapi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HvMirror.Mirror.Tests;

/// <summary>One record a <see cref="ScriptedUpstream"/> serves; <see cref="Checksum"/> may be anything, to script bad rows.</summary>
public sealed record ScriptedRecord(DateTime Time, string Name, string Checksum, byte[] Content);

/// <summary>
/// A hand-written HAPI 3.3 upstream with one dataset whose <c>/data</c> serves exactly the scripted rows (bad ones
/// included) inside the range asked, and whose <c>/jp2/&lt;name&gt;</c> serves the rows' bytes.
/// </summary>
public sealed class ScriptedUpstream : IAsyncDisposable
{
    private const string Status = """{"code":1200,"message":"OK"}""";
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private List<ScriptedRecord> _records = [];

    private ScriptedUpstream(string dataset, WebApplication app)
    {
        Dataset = dataset;
        _app = app;
        BaseUrl = app.Urls.First().TrimEnd('/');
    }

    public string Dataset { get; }
    public string BaseUrl { get; }
    public string HapiUrl => BaseUrl + "/hapi";

    public IReadOnlyList<ScriptedRecord> Records
    {
        get { lock (_lock) return _records.ToList(); }
        set { lock (_lock) _records = value.OrderBy(r => r.Time).ToList(); }
    }

    public static async Task<ScriptedUpstream> StartAsync(string dataset)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        ScriptedUpstream? self = null;
        app.MapGet("/hapi/capabilities", () => Json($$"""{"HAPI":"3.3","status":{{Status}},"outputFormats":["csv","json"]}"""));
        app.MapGet("/hapi/catalog", () => Json($$"""{"HAPI":"3.3","status":{{Status}},"catalog":[{"id":"{{dataset}}"}]}"""));
        app.MapGet("/hapi/info", () => self!.Info());
        app.MapGet("/hapi/data", (HttpContext context) => self!.Data(context));
        app.MapGet("/jp2/{name}", (string name) => self!.File(name));
        await app.StartAsync();
        self = new ScriptedUpstream(dataset, app);
        return self;
    }

    /// <summary>The url a record of <paramref name="name"/> points at.</summary>
    public string UrlOf(string name) => $"{BaseUrl}/jp2/{name}";

    private IResult Info()
    {
        var records = Records;
        var start = records.Count == 0 ? DateTime.UtcNow.Date : records[0].Time.AddSeconds(-1);
        var stop = DateTime.UtcNow.Date.AddDays(2);
        return Json($$"""
            {"HAPI":"3.3","status":{{Status}},"startDate":"{{HapiTime.Format(start)}}","stopDate":"{{HapiTime.Format(stop)}}",
             "parameters":[{"name":"Time","type":"isotime","units":"UTC","fill":null,"length":27},
                           {"name":"name","type":"string","units":null,"fill":null,"length":128},
                           {"name":"checksum","type":"string","units":null,"fill":null,"length":71},
                           {"name":"url","type":"string","units":null,"fill":null,"length":512,"stringType":"uri"}]}
            """);
    }

    private IResult Data(HttpContext context)
    {
        var query = context.Request.Query;
        if (!HapiTime.TryParse(query["start"], out var start, out _) || !HapiTime.TryParse(query["stop"], out var stop, out _))
            return Results.Text("""{"HAPI":"3.3","status":{"code":1402,"message":"Bad request - error in start time"}}""", "application/json", statusCode: 400);
        var csv = new StringBuilder();
        foreach (var r in Records.Where(r => r.Time >= start && r.Time < stop))
            csv.Append(HapiTime.Format(r.Time)).Append(',').Append(r.Name).Append(',').Append(r.Checksum).Append(',').Append(UrlOf(r.Name)).Append('\n');
        return Results.Text(csv.ToString(), "text/csv; charset=utf-8");
    }

    private IResult File(string name) =>
        Records.FirstOrDefault(r => r.Name == name) is { } record ? Results.Bytes(record.Content, "image/jp2") : Results.NotFound();

    private static IResult Json(string text) => Results.Text(text, "application/json; charset=utf-8");

    public static ScriptedRecord Good(DateTime time, SampleFile file) => new(time, file.Name, Checksum.Sha256Of(file.Content).ToString(), file.Content);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
