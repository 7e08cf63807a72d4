using HvMirror.Hapi;
using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using HvMirror.Archive;
using HvMirror.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace HvMirror.HapiServer;

/// <summary>The HAPI 3.3 endpoints: every request parameter is checked before any catalog work.</summary>
public sealed class HapiEndpoints(
    HapiDatasets datasets,
    CatalogDbContextFactory contexts,
    IngestionClock clock,
    IOptions<HapiServerOptions> options,
    ILogger<HapiEndpoints> logger)
{
    public const string Version = "3.3";

    public static readonly string[] OutputFormats = ["csv", "json"];

    private static readonly string[] DataNames3 = ["dataset", "start", "stop"];
    private static readonly string[] DataNames2 = ["id", "time.min", "time.max"];
    private static readonly HashSet<string> DataAllowed = ["dataset", "start", "stop", "parameters", "include", "format", "id", "time.min", "time.max"];
    private static readonly HashSet<string> InfoAllowed = ["dataset", "parameters", "resolve_references", "id"];
    private static readonly HashSet<string> CatalogAllowed = ["depth", "resolve_references"];
    private static readonly HashSet<string> NoneAllowed = [];

    internal static readonly string[] Endpoints = ["capabilities", "about", "catalog", "info", "data"];

    private const int FlushThreshold = 64 * 1024;

    /// <summary>CSV rows are ~200 bytes: flushing every 256 rows sends ~50 KB at a time and keeps memory flat.</summary>
    private const int RowsPerFlush = 256;

    private static readonly JsonWriterOptions Compact = new() { Indented = false };
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    // ---------------------------------------------------------------- endpoints

    public Task Landing(HttpContext context) => Run(context, async () =>
    {
        new HapiRequest(context.Request, NoneAllowed, "");
        var list = await datasets.ListAsync(context.RequestAborted);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(options.Value.Hapi.Title)).Append("</title></head><body>\n<h1>")
            .Append(WebUtility.HtmlEncode(options.Value.Hapi.Title)).Append("</h1>\n<p>")
            .Append(WebUtility.HtmlEncode(options.Value.Hapi.Description)).Append("</p>\n")
            .Append("<p>A <a href=\"https://hapi-server.org\">HAPI</a> ").Append(Version)
            .Append(" server. Endpoints: <a href=\"hapi/capabilities\">capabilities</a>, <a href=\"hapi/about\">about</a>, ")
            .Append("<a href=\"hapi/catalog\">catalog</a>, <code>info?dataset=…</code>, <code>data?dataset=…&amp;start=…&amp;stop=…</code>. ")
            .Append("Files are served under <code>/jp2/&lt;archive path&gt;</code>.</p>\n<h2>Datasets</h2>\n<ul>\n");
        foreach (var source in list)
        {
            var id = Uri.EscapeDataString(source.Name);
            html.Append("<li><a href=\"hapi/info?dataset=").Append(id).Append("\">")
                .Append(WebUtility.HtmlEncode(source.Name)).Append("</a> — ")
                .Append(WebUtility.HtmlEncode(HapiDatasets.Title(source))).Append("</li>\n");
        }
        html.Append("</ul>\n</body></html>\n");
        context.Response.ContentType = "text/html; charset=utf-8";
        await WriteBodyAsync(context, Encoding.UTF8.GetBytes(html.ToString()));
    });

    public Task Capabilities(HttpContext context) => Run(context, () =>
    {
        new HapiRequest(context.Request, NoneAllowed, "capabilities");
        return WriteJsonAsync(context, json =>
        {
            WriteStatus(json, HapiStatus.Ok);
            json.WriteStartArray("outputFormats");
            foreach (var format in OutputFormats) json.WriteStringValue(format);
            json.WriteEndArray();
            json.WriteStartArray("catalogDepthOptions");
            json.WriteStringValue("dataset");
            json.WriteEndArray();
        });
    });

    public Task About(HttpContext context) => Run(context, () =>
    {
        new HapiRequest(context.Request, NoneAllowed, "about");
        var about = options.Value.Hapi;
        return WriteJsonAsync(context, json =>
        {
            WriteStatus(json, HapiStatus.Ok);
            json.WriteString("id", about.Id);
            json.WriteString("title", about.Title);
            json.WriteString("contact", about.Contact);
            json.WriteString("description", about.Description);
            json.WriteString("note",
                "Every dataset is live: its stopDate is the UTC midnight two days after today, and /hapi/data returns only records " +
                "committed before the request was answered, so a client that asks again from the last Time it saw misses nothing.");
        });
    });

    public Task Catalog(HttpContext context) => Run(context, async () =>
    {
        var request = new HapiRequest(context.Request, CatalogAllowed, "catalog");
        CheckResolveReferences(request);
        var depth = request.Get("depth");
        if (!string.IsNullOrEmpty(depth) && depth != "dataset")
            throw new HapiException(HapiStatus.UnsupportedDepth,
                $"{HapiStatus.Message(HapiStatus.UnsupportedDepth)}: this server supports only depth=dataset (see /hapi/capabilities).");
        var list = await datasets.ListAsync(context.RequestAborted);
        await WriteJsonAsync(context, json =>
        {
            WriteStatus(json, HapiStatus.Ok);
            json.WriteStartArray("catalog");
            foreach (var source in list)
            {
                json.WriteStartObject();
                json.WriteString("id", source.Name);
                json.WriteString("title", HapiDatasets.Title(source));
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    });

    public Task Info(HttpContext context) => Run(context, async () =>
    {
        var request = new HapiRequest(context.Request, InfoAllowed, "info");
        var v2 = request.UsesHapi2Names(["dataset"], ["id"], "info");
        var id = RequireDataset(request, v2 ? "id" : "dataset");
        CheckResolveReferences(request);
        var parameters = HapiDatasets.SelectParameters(request.Get("parameters"));

        await using var db = contexts.CreateDbContext();
        var ct = context.RequestAborted;
        var horizon = await clock.HorizonAsync(db, id, ct);
        var state = await datasets.FindAsync(db, id, ct) ?? throw UnknownDataset();
        var today = datasets.Today();
        if (NotModified(context, state.LastIngestedAt, horizon, today))
            return;
        var baseUrl = BaseUrl(context.Request);
        await WriteJsonAsync(context, json => datasets.WriteInfoMembers(json, state, parameters, HapiStatus.Ok, baseUrl, null));
    });

    public Task Data(HttpContext context) => Run(context, async () =>
    {
        var request = new HapiRequest(context.Request, DataAllowed, "data");
        var v2 = request.UsesHapi2Names(DataNames3, DataNames2, "data");
        var id = RequireDataset(request, v2 ? "id" : "dataset");
        var startName = v2 ? "time.min" : "start";
        var stopName = v2 ? "time.max" : "stop";
        var startText = request.Get(startName);
        var stopText = request.Get(stopName);
        if (string.IsNullOrEmpty(startText))
            throw new HapiException(HapiStatus.BadStart, $"{HapiStatus.Message(HapiStatus.BadStart)}: {startName} is required.");
        if (string.IsNullOrEmpty(stopText))
            throw new HapiException(HapiStatus.BadStop, $"{HapiStatus.Message(HapiStatus.BadStop)}: {stopName} is required.");

        var format = request.Get("format");
        if (string.IsNullOrEmpty(format)) format = "csv";
        if (!OutputFormats.Contains(format))
            throw new HapiException(HapiStatus.UnsupportedFormat,
                $"{HapiStatus.Message(HapiStatus.UnsupportedFormat)}: the formats this server writes are {string.Join(", ", OutputFormats)} (see /hapi/capabilities).");
        var include = request.Get("include");
        if (!string.IsNullOrEmpty(include) && include != "header")
            throw new HapiException(HapiStatus.UnsupportedInclude,
                $"{HapiStatus.Message(HapiStatus.UnsupportedInclude)}: the only value of include is 'header'.");
        var withHeader = include == "header";
        var parameters = HapiDatasets.SelectParameters(request.Get("parameters"));

        if (!HapiTime.TryParse(startText, out var start, out var startProblem))
            throw new HapiException(HapiStatus.BadStart, $"{HapiStatus.Message(HapiStatus.BadStart)}: {startProblem}. {TimeForms}");
        if (!HapiTime.TryParse(stopText, out var stop, out var stopProblem))
            throw new HapiException(HapiStatus.BadStop, $"{HapiStatus.Message(HapiStatus.BadStop)}: {stopProblem}. {TimeForms}");
        if (start >= stop)
            throw new HapiException(HapiStatus.StartNotBeforeStop,
                $"{HapiStatus.Message(HapiStatus.StartNotBeforeStop)}: {startName} is inclusive and {stopName} exclusive, so {startName} must come first.");

        // Catalog times have whole microseconds (and both providers store no finer), so rounding both bounds up to a
        // microsecond keeps "t >= start" and "t < stop" exact for every record.
        start = CeilingToMicrosecond(start);
        stop = CeilingToMicrosecond(stop);

        var ct = context.RequestAborted;
        await using var db = contexts.CreateDbContext();
        // Every record before the horizon is committed; later registrations get times at or after it.
        var horizon = await clock.HorizonAsync(db, id, ct);
        var state = await datasets.FindAsync(db, id, ct) ?? throw UnknownDataset();
        var stopDate = datasets.StopDate();
        if (start < state.FirstIngestedAt || stop > stopDate)
            throw new HapiException(HapiStatus.OutsideDatasetRange,
                $"{HapiStatus.Message(HapiStatus.OutsideDatasetRange)}: this dataset's records lie in " +
                $"[{HapiTime.Format(state.FirstIngestedAt)}, {HapiTime.Format(stopDate)}); ask with {startName} at or after " +
                $"{HapiTime.Format(state.FirstIngestedAt)} and {stopName} at or before {HapiTime.Format(stopDate)} (see /hapi/info).");

        var until = stop < horizon ? stop : horizon;
        if (NotModified(context, state.LastIngestedAt, horizon, null))
            return;

        var response = context.Response;
        response.ContentType = format == "json" ? "application/json; charset=utf-8" : "text/csv; charset=utf-8";
        if (HttpMethods.IsHead(context.Request.Method))
            return;

        var rows = db.Files.AsNoTracking()
            .Where(f => f.Dataset == id && f.IngestedAt >= start && f.IngestedAt < until)
            .OrderBy(f => f.IngestedAt)
            .Select(f => new Row(f.IngestedAt, f.Name, f.Checksum, f.ArchivePath, f.Size))
            .AsAsyncEnumerable();
        await using var enumerator = rows.GetAsyncEnumerator(ct);
        var any = start < until && await enumerator.MoveNextAsync();
        var status = any ? HapiStatus.Ok : HapiStatus.NoData;
        SetReason(context, 200, status);

        var baseUrl = BaseUrl(context.Request);
        var urlPrefix = Encoding.UTF8.GetBytes(baseUrl + HapiDatasets.Jp2Prefix);
        var pipe = response.BodyWriter;
        if (format == "json")
        {
            await using var json = new Utf8JsonWriter(pipe, Compact);
            json.WriteStartObject();
            datasets.WriteInfoMembers(json, state, parameters, status, baseUrl, "json");
            json.WriteStartArray("data");
            var chars = new char[32];
            while (any)
            {
                var row = enumerator.Current;
                json.WriteStartArray();
                foreach (var p in parameters)
                {
                    switch (p)
                    {
                        case 0:
                            HapiTime.TryFormat(row.IngestedAt, chars, out var n);
                            json.WriteStringValue(chars.AsSpan(0, n));
                            break;
                        case 1: json.WriteStringValue(row.Name); break;
                        case 2: json.WriteStringValue(row.Checksum); break;
                        case 3: json.WriteStringValue(Url(baseUrl, row.ArchivePath)); break;
                        case 4: json.WriteNumberValue(row.Size); break;
                    }
                }
                json.WriteEndArray();
                if (json.BytesPending > FlushThreshold)
                {
                    json.Flush();
                    if ((await pipe.FlushAsync(ct)).IsCompleted) return;
                }
                any = await enumerator.MoveNextAsync();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
            await pipe.FlushAsync(ct);
            return;
        }

        if (withHeader)
        {
            var header = new ArrayBufferWriter<byte>();
            await using (var json = new Utf8JsonWriter(header, Indented))
            {
                json.WriteStartObject();
                datasets.WriteInfoMembers(json, state, parameters, status, baseUrl, "csv");
                json.WriteEndObject();
            }
            var text = Encoding.UTF8.GetString(header.WrittenSpan).ReplaceLineEndings("\n");
            var prefixed = "#" + text.Replace("\n", "\n#", StringComparison.Ordinal) + "\n";
            pipe.Write(Encoding.UTF8.GetBytes(prefixed));
        }
        var pending = 0;
        while (any)
        {
            var row = enumerator.Current;
            for (var k = 0; k < parameters.Count; k++)
            {
                if (k > 0) WriteByte(pipe, (byte)',');
                switch (parameters[k])
                {
                    case 0:
                        var span = pipe.GetSpan(32);
                        row.IngestedAt.TryFormat(span, out var written, HapiTime.OutputFormat, CultureInfo.InvariantCulture);
                        pipe.Advance(written);
                        break;
                    case 1: WriteCsvString(pipe, row.Name); break;
                    case 2: WriteCsvString(pipe, row.Checksum); break;
                    case 3: WriteUrl(pipe, urlPrefix, baseUrl, row.ArchivePath); break;
                    case 4:
                        var digits = pipe.GetSpan(20);
                        Utf8Formatter.TryFormat(row.Size, digits, out var length);
                        pipe.Advance(length);
                        break;
                }
            }
            WriteByte(pipe, (byte)'\n');
            if (++pending == RowsPerFlush)
            {
                pending = 0;
                if ((await pipe.FlushAsync(ct)).IsCompleted) return;
            }
            any = await enumerator.MoveNextAsync();
        }
        await pipe.FlushAsync(ct);
    });

    /// <summary>Unknown paths under /hapi: a trailing slash on a real endpoint is redirected (301), anything else is 1400.</summary>
    public Task Unknown(HttpContext context) => Run(context, () =>
        throw new HapiException(HapiStatus.BadRequest,
            $"{HapiStatus.Message(HapiStatus.BadRequest)}: no such endpoint; the endpoints are /hapi, " +
            string.Join(", ", Endpoints.Select(e => "/hapi/" + e)) + "."));

    // ---------------------------------------------------------------- plumbing

    private static DateTime CeilingToMicrosecond(DateTime value) =>
        value.Ticks % 10 == 0 || value.Ticks > DateTime.MaxValue.Ticks - 10
            ? value
            : new DateTime(value.Ticks - value.Ticks % 10 + 10, DateTimeKind.Utc);

    private sealed record Row(DateTime IngestedAt, string Name, string Checksum, string ArchivePath, long Size);

    private const string TimeForms =
        "Times are UTC in HAPI's restricted ISO 8601: yyyy, yyyy-mm, yyyy-mm-dd or yyyy-ddd, optionally followed by " +
        "Thh, Thh:mm, Thh:mm:ss or Thh:mm:ss.f (1 to 9 fraction digits), optionally ending in Z";

    private async Task Run(HttpContext context, Func<Task> handler)
    {
        var response = context.Response;
        AddCors(response);
        var path = context.Request.Path.Value ?? "";
        if (path.Length > 1 && path.EndsWith('/'))
        {
            response.StatusCode = StatusCodes.Status301MovedPermanently;
            response.Headers.Location = context.Request.PathBase + path.TrimEnd('/') + context.Request.QueryString;
            return;
        }
        try
        {
            await handler();
        }
        catch (HapiException e)
        {
            if (response.HasStarted) { context.Abort(); return; }
            await WriteErrorAsync(context, e.Code, e.Detail);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "HAPI request {Path} failed", path);
            // Past the first byte the only way to say "failed" is to cut the stream short (HAPI 3.3 §3.7.5).
            if (response.HasStarted) { context.Abort(); return; }
            await WriteErrorAsync(context, HapiStatus.InternalError,
                $"{HapiStatus.Message(HapiStatus.InternalError)}: the server could not read its catalog. Try again in a minute; " +
                "if it keeps failing, tell the contact given by /hapi/about (the server's log has the cause).");
        }
    }

    internal static void AddCors(HttpResponse response)
    {
        response.Headers.AccessControlAllowOrigin = "*";
        response.Headers.AccessControlAllowMethods = "GET, HEAD";
        response.Headers.AccessControlAllowHeaders = "Content-Type";
    }

    private static async Task WriteErrorAsync(HttpContext context, int code, string message)
    {
        var response = context.Response;
        response.Headers.Remove(HeaderNames.LastModified);
        response.StatusCode = HapiStatus.HttpStatus(code);
        SetReason(context, response.StatusCode, code);
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        var buffer = new ArrayBufferWriter<byte>();
        await using (var json = new Utf8JsonWriter(buffer, Indented))
        {
            json.WriteStartObject();
            json.WriteString("HAPI", Version);
            json.WriteStartObject("status");
            json.WriteNumber("code", code);
            json.WriteString("message", message);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await WriteBodyAsync(context, buffer.WrittenMemory);
    }

    /// <summary>HAPI asks for the HAPI code in the HTTP status line, e.g. <c>404 Not Found; HAPI 1406 …</c>.</summary>
    private static void SetReason(HttpContext context, int httpStatus, int code)
    {
        var feature = context.Features.Get<IHttpResponseFeature>();
        if (feature is null) return;
        var standard = ReasonPhrases.GetReasonPhrase(httpStatus);
        feature.ReasonPhrase = $"{standard}; HAPI {code} {HapiStatus.Message(code)}";
    }

    private static async Task WriteBodyAsync(HttpContext context, ReadOnlyMemory<byte> body)
    {
        context.Response.ContentLength = body.Length;
        if (HttpMethods.IsHead(context.Request.Method)) return;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Indented))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }
        context.Response.ContentType = "application/json; charset=utf-8";
        return WriteBodyAsync(context, buffer.WrittenMemory);
    }

    private static void WriteStatus(Utf8JsonWriter json, int code)
    {
        json.WriteString("HAPI", Version);
        json.WriteStartObject("status");
        json.WriteNumber("code", code);
        json.WriteString("message", HapiStatus.Message(code));
        json.WriteEndObject();
    }

    private static string RequireDataset(HapiRequest request, string name)
    {
        var id = request.Get(name);
        if (string.IsNullOrEmpty(id))
            throw new HapiException(HapiStatus.BadRequest, $"{HapiStatus.Message(HapiStatus.BadRequest)}: {name} is required (see /hapi/catalog for the datasets).");
        if (!DataSources.Helioviewer.TryGet(id, out _))
            throw UnknownDataset();
        return id;
    }

    private static HapiException UnknownDataset() => new(HapiStatus.UnknownDataset,
        $"{HapiStatus.Message(HapiStatus.UnknownDataset)}: /hapi/catalog lists the datasets this server holds (ids are case-sensitive).");

    private static void CheckResolveReferences(HapiRequest request)
    {
        var value = request.Get("resolve_references");
        if (!string.IsNullOrEmpty(value) && value is not ("true" or "false"))
            throw new HapiException(HapiStatus.UnsupportedResolveReferences,
                $"{HapiStatus.Message(HapiStatus.UnsupportedResolveReferences)}: resolve_references is true or false.");
    }

    /// <summary>
    /// Sets <c>Last-Modified</c> and answers 304 when the client's copy is current. HTTP dates have whole seconds, so the
    /// date sent is the second after the last ingestion only when no registration can still take a time before it (that
    /// second is before the horizon); otherwise the second it falls in, which can never validate a later copy. A copy is
    /// current when the dataset's last ingestion is before If-Modified-Since (and <paramref name="otherChange"/>, when given,
    /// is not after it).
    /// </summary>
    private static bool NotModified(HttpContext context, DateTime lastIngested, DateTime horizon, DateTime? otherChange)
    {
        var floor = new DateTime(lastIngested.Ticks - lastIngested.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        var ceiling = floor.AddSeconds(1);
        var lastModified = ceiling <= horizon ? ceiling : floor;
        if (otherChange is { } other && other > lastModified)
            lastModified = other;
        var response = context.Response;
        response.GetTypedHeaders().LastModified = new DateTimeOffset(lastModified);
        response.Headers.CacheControl = "no-cache";

        var request = context.Request.GetTypedHeaders();
        if (context.Request.Headers.ContainsKey(HeaderNames.IfNoneMatch) || request.IfModifiedSince is not { } since)
            return false;
        var sinceUtc = since.UtcDateTime;
        if (lastIngested < sinceUtc && (otherChange is null || otherChange <= sinceUtc))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }
        return false;
    }

    private string BaseUrl(HttpRequest request)
    {
        if (options.Value.PublicUrl is { } configured)
            return configured.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return $"{request.Scheme}://{request.Host}{request.PathBase}";
    }

    /// <summary>The record's url: the base, <c>/jp2/</c>, then the archive path with each segment escaped.</summary>
    public static string Url(string baseUrl, string archivePath) => baseUrl + HapiDatasets.Jp2Prefix + EscapePath(archivePath);

    private static string EscapePath(string archivePath) =>
        ArchivePath.IsSafeRelative(archivePath)
            ? archivePath // only unreserved characters and slashes: nothing to escape
            : string.Join('/', archivePath.Split('/').Select(Uri.EscapeDataString));

    private static void WriteUrl(PipeWriter pipe, byte[] prefix, string baseUrl, string archivePath)
    {
        if (ArchivePath.IsSafeRelative(archivePath))
        {
            pipe.Write(prefix);
            var span = pipe.GetSpan(archivePath.Length);
            var n = Encoding.ASCII.GetBytes(archivePath, span);
            pipe.Advance(n);
        }
        else
        {
            WriteCsvString(pipe, Url(baseUrl, archivePath));
        }
    }

    private static void WriteByte(PipeWriter pipe, byte value)
    {
        pipe.GetSpan(1)[0] = value;
        pipe.Advance(1);
    }

    /// <summary>RFC 4180: a value holding a comma, quote or line break is quoted, its quotes doubled.</summary>
    private static void WriteCsvString(PipeWriter pipe, string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            var span = pipe.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
            pipe.Advance(Encoding.UTF8.GetBytes(value, span));
            return;
        }
        var quoted = "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var target = pipe.GetSpan(Encoding.UTF8.GetMaxByteCount(quoted.Length));
        pipe.Advance(Encoding.UTF8.GetBytes(quoted, target));
    }
}
