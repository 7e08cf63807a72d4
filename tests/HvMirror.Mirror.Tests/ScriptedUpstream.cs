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
/// <remarks>
/// <see cref="Records"/> serves rows in time order, <see cref="RecordsAsServed"/> in the order given (to script rows
/// out of order). <c>/data</c> answers the parameters asked in the dataset's order (<see cref="Parameters"/>), as HAPI
/// requires, and refuses a list in another order with HAPI 1411.
/// </remarks>
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

    /// <summary>Rows served in exactly this order, even when it is not time order.</summary>
    public IReadOnlyList<ScriptedRecord> RecordsAsServed
    {
        set { lock (_lock) _records = value.ToList(); }
    }

    /// <summary>The dataset's parameters as <c>/info</c> lists them; <c>size</c> and <c>comment</c> may be among them.</summary>
    public string[] Parameters { get; set; } = ["Time", "name", "checksum", "url"];

    /// <summary>The stopDate <c>/info</c> gives; null: two days ahead, as a live dataset's.</summary>
    public DateTime? StopDate { get; set; }

    /// <summary>How many times <c>/catalog</c> lists the dataset.</summary>
    public int CatalogListings { get; set; } = 1;

    public static async Task<ScriptedUpstream> StartAsync(string dataset)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        ScriptedUpstream? self = null;
        app.MapGet("/hapi/capabilities", () => Json($$"""{"HAPI":"3.3","status":{{Status}},"outputFormats":["csv","json"]}"""));
        app.MapGet("/hapi/catalog", () => Json($$"""{"HAPI":"3.3","status":{{Status}},"catalog":[{{string.Join(",", Enumerable.Repeat($$"""{"id":"{{dataset}}"}""", self!.CatalogListings))}}]}"""));
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
        var start = records.Count == 0 ? DateTime.UtcNow.Date : records.Min(r => r.Time).AddSeconds(-1);
        var stop = StopDate ?? DateTime.UtcNow.Date.AddDays(2);
        var parameters = string.Join(",", Parameters.Select(p => p switch
        {
            "Time" => """{"name":"Time","type":"isotime","units":"UTC","fill":null,"length":27}""",
            "size" => """{"name":"size","type":"integer","units":"bytes","fill":null}""",
            _ => $$"""{"name":"{{p}}","type":"string","units":null,"fill":null,"length":512}""",
        }));
        return Json($$"""
            {"HAPI":"3.3","status":{{Status}},"startDate":"{{HapiTime.Format(start)}}","stopDate":"{{HapiTime.Format(stop)}}",
             "parameters":[{{parameters}}]}
            """);
    }

    private string Column(ScriptedRecord r, string parameter) => parameter switch
    {
        "Time" => HapiTime.Format(r.Time),
        "name" => r.Name,
        "checksum" => r.Checksum,
        "url" => UrlOf(r.Name),
        "size" => r.Content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "n/a",
    };

    private int _dataRequests;

    /// <summary>How many <c>/data</c> requests were answered.</summary>
    public int DataRequests => Volatile.Read(ref _dataRequests);

    private IResult Data(HttpContext context)
    {
        Interlocked.Increment(ref _dataRequests);
        var query = context.Request.Query;
        if (!HapiTime.TryParse(query["start"], out var start, out _) || !HapiTime.TryParse(query["stop"], out var stop, out _))
            return Results.Text("""{"HAPI":"3.3","status":{"code":1402,"message":"Bad request - error in start time"}}""", "application/json", statusCode: 400);
        var asked = query["parameters"].ToString() is { Length: > 0 } list ? list.Split(',') : Parameters;
        var positions = asked.Select(p => Array.IndexOf(Parameters, p)).ToArray();
        if (positions.Any(i => i < 0))
            return Results.Text("""{"HAPI":"3.3","status":{"code":1407,"message":"Bad request - unknown dataset parameter"}}""", "application/json", statusCode: 400);
        if (!positions.SequenceEqual(positions.Order().Distinct()))
            return Results.Text("""{"HAPI":"3.3","status":{"code":1411,"message":"Bad request - out of order or duplicate parameters"}}""", "application/json", statusCode: 400);
        // The time column always comes first, asked for or not.
        var columns = asked.Contains("Time") ? asked : ["Time", .. asked];
        var csv = new StringBuilder();
        foreach (var r in Records.Where(r => r.Time >= start && r.Time < stop))
            csv.AppendJoin(',', columns.Select(c => Column(r, c))).Append('\n');
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
