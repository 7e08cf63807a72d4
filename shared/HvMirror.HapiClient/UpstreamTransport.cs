using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using HvMirror.Hapi;

namespace HvMirror.HapiClient;

/// <summary>
/// Sends one request to an upstream and reads its answer no further than a bound, so that a hostile or broken upstream
/// can neither exhaust memory nor raise anything but a <see cref="HapiClientException"/>.
/// </summary>
internal sealed class UpstreamTransport(HttpClient http, UpstreamErrors errors)
{
    /// <summary>The most characters a metadata answer may have: catalogs of thousands of datasets fit.</summary>
    public const int MaxJsonChars = 8 << 20;

    /// <summary>The most characters read of an error answer: enough for any HAPI status, not for a page that never ends.</summary>
    public const int MaxErrorChars = 64 << 10;

    /// <summary>Sends a GET and returns once the headers are in; the body is left unread, so <c>/data</c> can stream.</summary>
    public async Task<HttpResponseMessage> SendAsync(Uri url, string? dataset, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw errors.Unreachable(e, http.Timeout, dataset, what);
        }
    }

    /// <summary>A metadata answer, read as <paramref name="type"/>: only a HAPI 1200 answer of that shape comes back.</summary>
    public async Task<T> GetJsonAsync<T>(Uri url, JsonTypeInfo<T> type, string? dataset, string what, CancellationToken cancellationToken)
        where T : HapiResponse
    {
        using var response = await SendAsync(url, dataset, what, cancellationToken).ConfigureAwait(false);
        var httpStatus = (int)response.StatusCode;
        string body;
        try
        {
            body = await ReadLimitedAsync(response, response.IsSuccessStatusCode ? MaxJsonChars : MaxErrorChars, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException or DecoderFallbackException
                                  && !cancellationToken.IsCancellationRequested)
        {
            throw errors.BodyBroke(e, httpStatus, dataset, what);
        }
        if (!response.IsSuccessStatusCode)
            throw errors.Http(response, body, dataset, what);
        if (UpstreamErrors.IsHtml(response, body))
            throw errors.Html(httpStatus, response.ReasonPhrase, dataset, what);

        // Parsed before it is read as T, so that a body that is not JSON at all is told apart from a member of the wrong type.
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw errors.NotJson(body, httpStatus, dataset, what);
        }
        T? answer;
        using (document)
        {
            try
            {
                answer = document.Deserialize(type);
            }
            catch (JsonException e)
            {
                throw errors.MistypedMember(e, httpStatus, dataset, what);
            }
        }
        if (answer?.Status?.Code is not { } code)
            throw errors.Invalid(dataset, what, "has no HAPI status");
        if (code != HapiStatus.Ok)
            throw errors.Hapi(code, answer.Status.Message, httpStatus, dataset, what);
        return answer;
    }

    /// <summary>The start of an error answer; empty when even that cannot be read (the status line still says what happened).</summary>
    public static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadLimitedAsync(response, MaxErrorChars, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException or DecoderFallbackException
                                  && !cancellationToken.IsCancellationRequested)
        {
            return "";
        }
    }

    private static async Task<string> ReadLimitedAsync(HttpResponseMessage response, int maxChars, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, true));
        var buffer = new char[8192];
        var text = new StringBuilder();
        int read;
        while (text.Length < maxChars && (read = await reader.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, maxChars - text.Length)), cancellationToken).ConfigureAwait(false)) > 0)
            text.Append(buffer, 0, read);
        return text.ToString();
    }
}
