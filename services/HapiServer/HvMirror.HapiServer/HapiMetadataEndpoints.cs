using System.Net;
using System.Text;
using HvMirror.Catalog;
using HvMirror.Hapi;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace HvMirror.HapiServer;

/// <summary>The landing page, <c>/hapi/capabilities</c>, <c>/about</c>, <c>/catalog</c>, <c>/info</c>, and 1400 for unknown endpoints.</summary>
public sealed class HapiMetadataEndpoints(
    HapiDatasets datasets,
    CatalogDbContextFactory contexts,
    IngestionClock clock,
    IOptions<HapiServerOptions> options,
    HapiResponder responder)
{
    internal static readonly string[] Endpoints = ["capabilities", "about", "catalog", "info", "data"];

    private static readonly HashSet<string> InfoAllowed = ["dataset", "parameters", "resolve_references", "id"];
    private static readonly HashSet<string> CatalogAllowed = ["depth", "resolve_references"];
    private static readonly HashSet<string> NoneAllowed = [];

    private static readonly HapiResponseStatus Ok = HapiResponseStatus.Of(HapiStatus.Ok);

    public Task Landing(HttpContext context) => responder.RunAsync(context, async () =>
    {
        new HapiRequest(context.Request, NoneAllowed, "");
        var list = await datasets.ListAsync(context.RequestAborted);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(options.Value.Hapi.Title)).Append("</title></head><body>\n<h1>")
            .Append(WebUtility.HtmlEncode(options.Value.Hapi.Title)).Append("</h1>\n<p>")
            .Append(WebUtility.HtmlEncode(options.Value.Hapi.Description)).Append("</p>\n")
            .Append("<p>A <a href=\"https://hapi-server.org\">HAPI</a> ").Append(HapiResponder.Version)
            .Append(" server. Endpoints: <a href=\"hapi/capabilities\">capabilities</a>, <a href=\"hapi/about\">about</a>, ")
            .Append("<a href=\"hapi/catalog\">catalog</a>, <code>info?dataset=…</code>, <code>data?dataset=…&amp;start=…&amp;stop=…</code>. ")
            .Append("Files are served under <code>/jp2/&lt;archive path&gt;</code>.</p>\n<h2>Datasets</h2>\n<ul>\n");
        foreach (var source in list)
        foreach (var kind in HapiDatasetKind.All)
        {
            var id = kind.IdOf(source);
            html.Append("<li><a href=\"hapi/info?dataset=").Append(Uri.EscapeDataString(id)).Append("\">")
                .Append(WebUtility.HtmlEncode(id)).Append("</a> — ")
                .Append(WebUtility.HtmlEncode(kind.Title(source))).Append("</li>\n");
        }
        html.Append("</ul>\n</body></html>\n");
        context.Response.ContentType = "text/html; charset=utf-8";
        await HapiResponder.WriteBodyAsync(context, Encoding.UTF8.GetBytes(html.ToString()));
    });

    public Task Capabilities(HttpContext context) => responder.RunAsync(context, () =>
    {
        new HapiRequest(context.Request, NoneAllowed, "capabilities");
        return HapiResponder.WriteJsonAsync(context, new HapiCapabilitiesResponse
        {
            Hapi = HapiResponder.Version,
            Status = Ok,
            OutputFormats = HapiDataEndpoint.OutputFormats,
            CatalogDepthOptions = ["dataset", "all"],
        }, HapiJsonContext.Default.HapiCapabilitiesResponse);
    });

    public Task About(HttpContext context) => responder.RunAsync(context, () =>
    {
        new HapiRequest(context.Request, NoneAllowed, "about");
        var about = options.Value.Hapi;
        return HapiResponder.WriteJsonAsync(context, new HapiAboutResponse
        {
            Hapi = HapiResponder.Version,
            Status = Ok,
            Id = about.Id,
            Title = about.Title,
            Contact = about.Contact,
            Description = about.Description,
            Note = "Every dataset is live: its stopDate is the UTC midnight two days after today, and /hapi/data returns only records " +
                   "committed before the request was answered, so a client that asks again from the last Time it saw misses nothing. " +
                   "The companions X.days and X.observed of each file dataset X are keyed by observation time instead, which a new file " +
                   "can lie anywhere in: read them again over the whole range of interest.",
        }, HapiJsonContext.Default.HapiAboutResponse);
    });

    public Task Catalog(HttpContext context) => responder.RunAsync(context, async () =>
    {
        var request = new HapiRequest(context.Request, CatalogAllowed, "catalog");
        request.CheckResolveReferences();
        var depth = request.Get("depth");
        if (!string.IsNullOrEmpty(depth) && depth is not ("dataset" or "all"))
            throw new HapiException(HapiStatus.UnsupportedDepth,
                $"{HapiStatus.Message(HapiStatus.UnsupportedDepth)}: depth is dataset (the default) or all (see /hapi/capabilities).");
        var ct = context.RequestAborted;
        var list = await datasets.ListAsync(ct);
        var entries = new List<HapiCatalogDataset>(list.Count * HapiDatasetKind.All.Count);
        await using var db = contexts.CreateDbContext();
        var baseUrl = responder.BaseUrl(context.Request);
        foreach (var source in list)
        foreach (var kind in HapiDatasetKind.All)
        {
            var entry = new HapiCatalogDataset(kind.IdOf(source), kind.Title(source));
            // depth=all: every info in one answer (HAPI 3.3 §3.5), what an audit of 150 sources needs before one request each.
            if (depth == "all" && await datasets.FindAsync(db, new HapiDatasetRef(entry.Id!, kind, source), ct) is { } state)
                entry = entry with
                {
                    Info = datasets.Info(state, kind.SelectParameters(null), HapiStatus.Ok, baseUrl, format: null) with { Hapi = null, Status = null },
                };
            entries.Add(entry);
        }
        await HapiResponder.WriteJsonAsync(context, new HapiCatalogResponse
        {
            Hapi = HapiResponder.Version,
            Status = Ok,
            Catalog = entries,
        }, HapiJsonContext.Default.HapiCatalogResponse);
    });

    public Task Info(HttpContext context) => responder.RunAsync(context, async () =>
    {
        var request = new HapiRequest(context.Request, InfoAllowed, "info");
        var v2 = request.UsesHapi2Names(["dataset"], ["id"], "info");
        var id = request.RequireDataset(v2 ? "id" : "dataset");
        request.CheckResolveReferences();
        var parameters = id.Kind.SelectParameters(request.Get("parameters"));

        await using var db = contexts.CreateDbContext();
        var ct = context.RequestAborted;
        var horizon = await clock.HorizonAsync(db, id.FileDataset, ct);
        var state = await datasets.FindAsync(db, id, ct) ?? throw HapiRequest.UnknownDataset();
        var today = datasets.Today();
        if (HapiResponder.NotModified(context, state.LastIngestedAt, horizon, today))
            return;
        var info = datasets.Info(state, parameters, HapiStatus.Ok, responder.BaseUrl(context.Request), format: null);
        await HapiResponder.WriteJsonAsync(context, info, HapiJsonContext.Default.HapiInfoResponse);
    });

    /// <summary>Unknown paths under /hapi: a trailing slash on a real endpoint is redirected (301), anything else is 1400.</summary>
    public Task Unknown(HttpContext context) => responder.RunAsync(context, () =>
        throw new HapiException(HapiStatus.BadRequest,
            $"{HapiStatus.Message(HapiStatus.BadRequest)}: no such endpoint; the endpoints are /hapi, " +
            string.Join(", ", Endpoints.Select(e => "/hapi/" + e)) + "."));
}
