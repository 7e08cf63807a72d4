using System.Globalization;
using System.Text.Json;
using HvMirror.Hapi;
using static HvMirror.HapiClient.UpstreamText;

namespace HvMirror.HapiClient;

/// <summary>
/// Turns what went wrong with one upstream's answer into a <see cref="HapiClientException"/> that says what happened and
/// what to do: whether to wait (transient) or whom to tell.
/// </summary>
internal sealed class UpstreamErrors(string upstream, Uri baseAddress)
{
    public HapiClientException Unreachable(Exception e, TimeSpan timeout, string? dataset, string what)
    {
        var timedOut = e is OperationCanceledException || e.InnerException is OperationCanceledException or TimeoutException;
        var problem = timedOut
            ? $"asking {what} at {baseAddress} got no answer within {timeout.TotalSeconds:0} s"
            : $"could not reach {baseAddress} for {what}: {Innermost(e)}";
        return new HapiClientException(upstream, dataset, problem,
            "Check that the upstream is up and that this node reaches it (the URL in the configuration, DNS, firewall, proxy); " +
            "this is retried on the next poll.", isTransient: true, inner: e);
    }

    public HapiClientException BodyBroke(Exception e, int httpStatus, string? dataset, string what) =>
        new(upstream, dataset, $"reading the answer to {what} failed: {Innermost(e)}",
            "This is retried on the next poll; if it lasts, check the network between this node and the upstream.", true,
            httpStatus: httpStatus, inner: e);

    public HapiClientException NotJson(string body, int httpStatus, string? dataset, string what) =>
        new(upstream, dataset, $"the answer to {what} is not JSON: {Excerpt(body)}",
            "Is the configured URL the upstream's HAPI base ending in /hapi?", false, httpStatus: httpStatus);

    public HapiClientException MistypedMember(JsonException e, int httpStatus, string? dataset, string what) =>
        new(upstream, dataset, $"the upstream's {what} holds a value of the wrong type at {e.Path ?? "$"}",
            "Is the configured URL a HAPI server's base ending in /hapi? If it is, tell the upstream's operators.", isTransient: false,
            httpStatus: httpStatus, inner: e);

    public HapiClientException Invalid(string? dataset, string what, string problem) =>
        new(upstream, dataset, $"the upstream's {what} {problem}",
            "Is the configured URL a HAPI server's base ending in /hapi? If it is, tell the upstream's operators.", isTransient: false);

    /// <summary>An answer with an HTTP error status: a HAPI error when it carries a HAPI code, else what the status says.</summary>
    public HapiClientException Http(HttpResponseMessage response, string body, string? dataset, string what)
    {
        var status = (int)response.StatusCode;
        var said = StatusIn(body);
        if ((said?.Code ?? CodeInReason(response.ReasonPhrase)) is { } code)
            return Hapi(code, said?.Message ?? response.ReasonPhrase, status, dataset, what);
        if (IsHtml(response, body))
            return Html(status, response.ReasonPhrase, dataset, what);
        var transient = HttpStatuses.IsTransient(status);
        return new HapiClientException(upstream, dataset,
            $"the upstream answered {what} with HTTP {status} {response.ReasonPhrase}{(body.Length > 0 ? ": " + Excerpt(body) : "")}",
            transient
                ? "This is retried on the next poll; if it lasts, tell the upstream's operators."
                : "Is the configured URL the upstream's HAPI base ending in /hapi? If it is, tell the upstream's operators.",
            transient, httpStatus: status);
    }

    public HapiClientException Html(int status, string? reason, string? dataset, string what)
    {
        if (status is >= 200 and < 300)
            return new HapiClientException(upstream, dataset,
                $"the upstream answered {what} with an HTML page, not HAPI {(what.StartsWith("/data", StringComparison.Ordinal) ? "csv" : "JSON")}",
                $"Is the URL the HAPI base ending in /hapi? It is now {baseAddress}.", isTransient: false, httpStatus: status);
        var transient = HttpStatuses.IsTransient(status);
        return new HapiClientException(upstream, dataset,
            $"the upstream answered {what} with HTTP {status} {(string.IsNullOrWhiteSpace(reason) ? ReasonOf(status) : Shown(reason))} and an HTML page, not HAPI",
            transient
                ? "A proxy or web server in front of the HAPI server answered instead of it (the HAPI server may be down or restarting); " +
                  "this is retried on the next poll. If it lasts, tell the upstream's operators."
                : $"A web server that is not HAPI answered: is the URL the HAPI base ending in /hapi? It is now {baseAddress}.",
            transient, httpStatus: status);
    }

    public HapiClientException Hapi(int code, string? message, int httpStatus, string? dataset, string what)
    {
        var said = string.IsNullOrWhiteSpace(message) ? HapiStatus.Message(code) : Shown(message);
        var transient = code >= 1500;
        var advice = code switch
        {
            HapiStatus.UnknownDataset => "The upstream does not publish this dataset (see its /catalog; ids are case-sensitive): " +
                                         "fix the dataset in this node's configuration, or wait until the upstream holds files of it.",
            >= 1500 => "The upstream failed internally; this is retried on the next poll. If it lasts, tell the upstream's operators.",
            _ => "The upstream refused a request this client sent: check that it is a HAPI 2 or 3 server, and report the message " +
                 "to HvMirror's developers.",
        };
        return new HapiClientException(upstream, dataset, $"the upstream answered {what} with HAPI {code}: {said}", advice, transient,
            hapiCode: code, httpStatus: httpStatus);
    }

    /// <summary>The HAPI status a body carries, or null when it is not a HAPI JSON answer.</summary>
    public static HapiResponseStatus? StatusIn(string body)
    {
        if (!body.AsSpan().TrimStart().StartsWith("{"))
            return null;
        try
        {
            return JsonSerializer.Deserialize(body, HapiJsonContext.Default.HapiResponse)?.Status;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>HAPI puts the code in the status line too, e.g. <c>Bad Request; HAPI 1408 …</c>.</summary>
    public static int? CodeInReason(string? reason)
    {
        if (reason is null)
            return null;
        var at = reason.IndexOf("HAPI ", StringComparison.Ordinal);
        return at >= 0 && at + 9 <= reason.Length && int.TryParse(reason.AsSpan(at + 5, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? code
            : null;
    }

    public static bool IsHtml(HttpResponseMessage response, string body) =>
        response.Content.Headers.ContentType?.MediaType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true ||
        body.AsSpan().TrimStart().StartsWith("<");
}
