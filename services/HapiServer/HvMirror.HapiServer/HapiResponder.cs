using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using HvMirror.Hapi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace HvMirror.HapiServer;

/// <summary>
/// What every <c>/hapi</c> answer shares: the trailing-slash redirect, a refused request answered with the HAPI status
/// object, the HAPI code in the status line, JSON written whole with its length, and Last-Modified.
/// </summary>
public sealed class HapiResponder(IOptions<HapiServerOptions> options, ILogger<HapiResponder> logger)
{
    /// <summary>The HAPI version this server speaks, declared in every JSON answer.</summary>
    public const string Version = "3.3";

    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// <summary>Runs one endpoint: a <see cref="HapiException"/> it throws becomes the HAPI error answer, anything else a 1500.</summary>
    public async Task RunAsync(HttpContext context, Func<Task> handler)
    {
        var response = context.Response;
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

    /// <summary>The base that record urls start with: the configured public URL, else this request's scheme and host.</summary>
    public string BaseUrl(HttpRequest request)
    {
        if (options.Value.PublicUrl is { } configured)
            return configured.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return $"{request.Scheme}://{request.Host}{request.PathBase}";
    }

    /// <summary>HAPI asks for the HAPI code in the HTTP status line, e.g. <c>404 Not Found; HAPI 1406 …</c>.</summary>
    public static void SetReason(HttpContext context, int httpStatus, int code)
    {
        var feature = context.Features.Get<IHttpResponseFeature>();
        if (feature is null) return;
        var standard = ReasonPhrases.GetReasonPhrase(httpStatus);
        feature.ReasonPhrase = $"{standard}; HAPI {code} {HapiStatus.Message(code)}";
    }

    public static Task WriteJsonAsync<T>(HttpContext context, T answer, JsonTypeInfo<T> type)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return WriteBodyAsync(context, Serialize(answer, type));
    }

    /// <summary>Indented, as a person reading the metadata in a browser wants it.</summary>
    public static ReadOnlyMemory<byte> Serialize<T>(T answer, JsonTypeInfo<T> type)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Indented))
            JsonSerializer.Serialize(json, answer, type);
        return buffer.WrittenMemory;
    }

    public static async Task WriteBodyAsync(HttpContext context, ReadOnlyMemory<byte> body)
    {
        context.Response.ContentLength = body.Length;
        if (HttpMethods.IsHead(context.Request.Method)) return;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>
    /// Sets <c>Last-Modified</c> and answers 304 when the client's copy is current. HTTP dates have whole seconds, so the
    /// date sent is the second after the last ingestion only when no registration can still take a time before it (that
    /// second is before the horizon); otherwise the second it falls in, which can never validate a later copy. A copy is
    /// current when the dataset's last ingestion is before If-Modified-Since (and <paramref name="otherChange"/>, when given,
    /// is not after it).
    /// </summary>
    public static bool NotModified(HttpContext context, DateTime lastIngested, DateTime horizon, DateTime? otherChange)
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

    private static Task WriteErrorAsync(HttpContext context, int code, string message)
    {
        var response = context.Response;
        response.Headers.Remove(HeaderNames.LastModified);
        response.StatusCode = HapiStatus.HttpStatus(code);
        SetReason(context, response.StatusCode, code);
        response.Headers.CacheControl = "no-store";
        var answer = new HapiResponse { Hapi = Version, Status = new HapiResponseStatus(code, message) };
        return WriteJsonAsync(context, answer, HapiJsonContext.Default.HapiResponse);
    }
}
