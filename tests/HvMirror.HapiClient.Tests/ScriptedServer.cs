using System.Collections.Concurrent;
using System.Net;
using System.Text;
using HvMirror.Hapi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HvMirror.HapiClient.Tests;

/// <summary>A /data request as the scripted server understood it.</summary>
public sealed record DataRequest(string Dataset, DateTime Start, DateTime Stop, IQueryCollection Query);

/// <summary>
/// A tiny HAPI peer on 127.0.0.1 (Kestrel, a real socket) that answers from a script: /capabilities with a chosen
/// version, /info for <see cref="Dataset"/> over [<see cref="StartDate"/>, <see cref="StopDate"/>), and /data from
/// <see cref="Data"/>. A HAPI 2 script accepts only id/time.min/time.max, a HAPI 3 script only dataset/start/stop.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    public const string Dataset = "AIA_171";
    public const string Upstream = "scripted-upstream";

    public static readonly DateTime StartDate = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime StopDate = new(2024, 1, 11, 0, 0, 0, DateTimeKind.Utc);

    private readonly WebApplication _app;

    private ScriptedServer(WebApplication app) => _app = app;

    public string Version { get; init; } = "3.3";

    /// <summary>The parameters /info lists, in order.</summary>
    public string[] Parameters { get; set; } = ["Time", "name", "checksum", "url", "size"];

    /// <summary>Answers /data once the request has been checked; null answers 1201.</summary>
    public Func<HttpContext, DataRequest, Task>? Data { get; set; }

    /// <summary>Answers every request instead of the script (e.g. a web server that is not HAPI).</summary>
    public Func<HttpContext, Task>? Override { get; set; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public IEnumerable<DataRequest> DataRequests => _data;

    private readonly ConcurrentQueue<DataRequest> _data = new();

    public Uri HapiBase { get; private set; } = null!;

    public static async Task<ScriptedServer> StartAsync(string version = "3.3")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ScriptedServer(app) { Version = version };
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.HapiBase = new Uri(address.TrimEnd('/') + "/hapi");
        return server;
    }

    public UpstreamClient Client(UpstreamClientOptions? options = null) => UpstreamClient.Create(Upstream, HapiBase, options);

    private async Task HandleAsync(HttpContext context)
    {
        Requests.Enqueue(context.Request.Path + context.Request.QueryString);
        if (Override is not null)
        {
            await Override(context);
            return;
        }
        var query = context.Request.Query;
        var v2 = Version.StartsWith('2');
        string[] names = v2 ? ["id", "time.min", "time.max"] : ["dataset", "start", "stop"];
        string[] allowed = [.. names, "parameters", "format", "include"];
        foreach (var key in query.Keys)
            if (!allowed.Contains(key))
            {
                await ErrorAsync(context, 1401, $"Bad request - unknown API parameter name '{key}'");
                return;
            }

        switch (context.Request.Path.Value)
        {
            case "/hapi/capabilities":
                await JsonAsync(context, $$"""{"HAPI":"{{Version}}","status":{"code":1200,"message":"OK"},"outputFormats":["csv"]}""");
                return;
            case "/hapi/catalog":
                await JsonAsync(context, $$"""{"HAPI":"{{Version}}","status":{"code":1200,"message":"OK"},"catalog":[{"id":"{{Dataset}}","title":"AIA 171"}]}""");
                return;
            case "/hapi/info":
                if (query[names[0]] != Dataset)
                {
                    await ErrorAsync(context, 1406, "Bad request - unknown dataset id");
                    return;
                }
                var parameters = string.Join(",", Parameters.Select((p, i) =>
                    $$"""{"name":"{{p}}","type":"{{(i == 0 ? "isotime" : p == "size" ? "integer" : "string")}}","units":null,"length":{{(i == 0 ? 27 : 200)}}}"""));
                await JsonAsync(context, $$"""
                    {"HAPI":"{{Version}}","status":{"code":1200,"message":"OK"},"startDate":"{{HapiTime.Format(StartDate)}}",
                     "stopDate":"{{HapiTime.Format(StopDate)}}","parameters":[{{parameters}}]}
                    """);
                return;
            case "/hapi/data":
                if (query[names[0]] != Dataset)
                {
                    await ErrorAsync(context, 1406, "Bad request - unknown dataset id");
                    return;
                }
                if (!HapiTime.TryParse(query[names[1]], out var start, out _) || !HapiTime.TryParse(query[names[2]], out var stop, out _))
                {
                    await ErrorAsync(context, 1402, "Bad request - syntax error in start time");
                    return;
                }
                if (start < StartDate || stop > StopDate)
                {
                    await ErrorAsync(context, 1405, "Bad request - start < startDate and/or stop > stopDate");
                    return;
                }
                var request = new DataRequest(Dataset, start, stop, query);
                _data.Enqueue(request);
                if (Data is null)
                {
                    SetReason(context, "OK; HAPI 1201 OK - no data for time range");
                    return;
                }
                context.Response.ContentType = "text/csv; charset=utf-8";
                await Data(context, request);
                return;
            default:
                await ErrorAsync(context, 1400, "Bad request - user input error");
                return;
        }
    }

    public static void SetReason(HttpContext context, string reason)
    {
        var feature = context.Features.Get<IHttpResponseFeature>();
        if (feature is not null) feature.ReasonPhrase = reason;
    }

    public static Task JsonAsync(HttpContext context, string json, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(json);
    }

    public static Task ErrorAsync(HttpContext context, int code, string message) =>
        JsonAsync(context, "{\"HAPI\":\"3.3\",\"status\":{\"code\":" + code + ",\"message\":\"" + message + "\"}}", HapiStatus.HttpStatus(code));

    /// <summary>A well-formed CSV row for <paramref name="time"/>.</summary>
    public static string Row(DateTime time, string? checksum = null) =>
        $"{HapiTime.Format(time)},{Name(time)},{checksum ?? Sha(time)},http://127.0.0.1/jp2/AIA/{Name(time)}\n";

    public static string Name(DateTime time) => $"{time:yyyy_MM_dd__HH_mm_ss_fff}__SDO_AIA_AIA_171.jp2";

    public static string Sha(DateTime time) =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Name(time))));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
