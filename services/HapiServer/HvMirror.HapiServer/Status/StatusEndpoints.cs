using System.Text;
using Microsoft.AspNetCore.Http;

namespace HvMirror.HapiServer.Status;

/// <summary>
/// <c>/status</c> (<c>?weeks=N</c> days shown per source; a source's own page with <c>?upstream=U&amp;dataset=D</c>) and
/// <c>/status.json</c> (<c>?days=all</c>), GET and HEAD.
/// </summary>
public sealed class StatusEndpoints(StatusReader reader)
{
    public async Task Page(HttpContext context)
    {
        var report = await reader.ReadAsync(context.RequestAborted);
        var query = context.Request.Query;
        string html;
        var status = StatusCodes.Status200OK;
        if (query.ContainsKey("upstream") || query.ContainsKey("dataset"))
        {
            string upstream = query["upstream"].ToString(), dataset = query["dataset"].ToString();
            var source = report.Sources.FirstOrDefault(s => s.Upstream == upstream && s.Dataset == dataset);
            if (source is null) (status, html) = (StatusCodes.Status404NotFound, StatusPage.RenderNotFound(upstream, dataset));
            else html = StatusPage.RenderSource(report, source);
        }
        else html = StatusPage.Render(report, int.TryParse(query["weeks"], out var weeks) ? weeks : null);
        await WriteAsync(context, status, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(html));
    }

    public async Task Json(HttpContext context)
    {
        var report = await reader.ReadAsync(context.RequestAborted);
        var all = string.Equals(context.Request.Query["days"], "all", StringComparison.OrdinalIgnoreCase);
        await WriteAsync(context, StatusCodes.Status200OK, "application/json; charset=utf-8", StatusJson.Render(report, all));
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-store";
        response.ContentLength = body.Length;
        if (HttpMethods.IsHead(context.Request.Method)) return;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }
}
