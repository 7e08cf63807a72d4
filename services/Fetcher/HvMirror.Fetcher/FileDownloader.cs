using System.IO.Compression;
using System.Net;
using HvMirror.Archive;
using HvMirror.Hapi;
using HvMirror.Ingestion;
using HvMirror.Upstreams;
using Microsoft.Extensions.Options;

namespace HvMirror.Fetcher;

/// <summary>
/// Streams a file from an upstream into the staging folder, hashing it on the way; sorts failures into transient and
/// permanent. Redirects are followed here, not by the handler, so that every hop is checked against the upstream's
/// allowed hosts before it is requested.
/// </summary>
public sealed class FileDownloader(IHttpClientFactory httpClients, FileStager stager, UpstreamDirectory upstreams, IOptions<FetcherOptions> options)
{
    public const string HttpClientName = "hvmirror-files";

    /// <summary>Redirects followed for one file: a CDN needs one or two; more is a loop or a misconfigured upstream.</summary>
    public const int MaxRedirects = 5;

    /// <summary>Downloads a file of <paramref name="upstreamName"/> (a configured upstream) to a staging file.</summary>
    public async Task<StagedFile> DownloadAsync(string upstreamName, Uri url, CancellationToken cancellationToken)
    {
        var upstream = upstreams.Find(upstreamName)
            ?? throw new PermanentFetchException($"upstream '{upstreamName}' is not configured on this node (HvMirror:Upstreams): {url} is not fetched");
        var fetcher = options.Value;
        var maxBytes = fetcher.MaxFileBytes > 0 ? fetcher.MaxFileBytes : long.MaxValue;
        using var response = await GetFollowingAllowedRedirectsAsync(upstream, url, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            throw HttpStatuses.IsTransient((int)response.StatusCode)
                ? new TransientFetchException($"the upstream answered {status}")
                : new PermanentFetchException($"the upstream answered {status} for {url}: the file is not (or no longer) there");
        }
        var declared = response.Content.Headers.ContentLength;
        if (declared > maxBytes)
            throw new PermanentFetchException($"the file is {declared:N0} bytes, more than HvMirror:Fetcher:MaxFileBytes ({maxBytes:N0})");
        var encodings = ContentEncodings(response, url);

        StagedFile staged;
        try
        {
            // The guards watch the bytes on the wire; the checksum is over the file's own bytes, decoded.
            Stream body = new MinimumRateStream(
                new IdleTimeoutStream(await response.Content.ReadAsStreamAsync(cancellationToken), fetcher.StallTimeout),
                fetcher.MinimumRate, fetcher.MinimumRateWindow);
            foreach (var encoding in encodings.AsEnumerable().Reverse())
                body = Decoder(encoding, body);
            await using (body)
                staged = await stager.StageAsync(body, maxBytes, cancellationToken);
        }
        catch (FileTooLargeException e)
        {
            throw new PermanentFetchException(e.Message + " (HvMirror:Fetcher:MaxFileBytes)", e);
        }
        catch (TimeoutException e)
        {
            throw new TransientFetchException(
                $"the download stalled: no data for {fetcher.StallTimeout.TotalSeconds:0.#} s (HvMirror:Fetcher:StallTimeout); it is retried", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new TransientFetchException($"the download broke off: {e.Message}; it is retried", e);
        }
        catch (InvalidDataException e)
        {
            throw new TransientFetchException(
                $"the upstream sent {url} with Content-Encoding '{string.Join(", ", encodings)}' and the body does not decode: {e.Message}; it is retried", e);
        }

        // An encoded body's declared length is the encoded one: HttpClient itself fails a body cut short of it.
        if (declared is { } length && encodings.Count == 0 && staged.Size != length)
        {
            staged.Dispose();
            throw new TransientFetchException($"the body was truncated: {staged.Size:N0} of {length:N0} bytes arrived; it is retried");
        }
        return staged;
    }

    /// <summary>
    /// The encodings applied to the body, in the order applied. This node never asks for one (it sends no
    /// Accept-Encoding), but a server may compress anyway; one this node cannot undo would only end in a checksum
    /// mismatch, so it is refused by name.
    /// </summary>
    private static List<string> ContentEncodings(HttpResponseMessage response, Uri url)
    {
        var encodings = response.Content.Headers.ContentEncoding
            .Where(e => !string.Equals(e, "identity", StringComparison.OrdinalIgnoreCase))
            .Select(e => e.ToLowerInvariant()).ToList();
        if (encodings.FirstOrDefault(e => e is not ("gzip" or "x-gzip" or "deflate" or "br")) is { } unknown)
            throw new PermanentFetchException(
                $"the upstream sent {url} with Content-Encoding '{unknown}', which this node cannot decode (it decodes gzip, deflate and br): " +
                "the file is not fetched; the upstream's web server should send .jp2 files as they are");
        return encodings;
    }

    private static Stream Decoder(string encoding, Stream encoded) => encoding switch
    {
        "br" => new BrotliStream(encoded, CompressionMode.Decompress),
        "deflate" => new ZLibStream(encoded, CompressionMode.Decompress),
        _ => new GZipStream(encoded, CompressionMode.Decompress),
    };

    private async Task<HttpResponseMessage> GetFollowingAllowedRedirectsAsync(UpstreamOptions upstream, Uri url, CancellationToken cancellationToken)
    {
        var http = httpClients.CreateClient(HttpClientName);
        var current = url;
        for (var redirects = 0; ; redirects++)
        {
            if (upstreams.RefuseUrl(upstream, current) is { } problem)
                throw new PermanentFetchException(current == url
                    ? $"{problem}; the file is not fetched"
                    : $"{url} redirected to {current}, which is refused: {problem}; the file is not fetched");

            var response = await GetHeadersAsync(http, current, cancellationToken);
            if (response.StatusCode is not (HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
                or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect))
                return response;
            using (response)
            {
                if (redirects == MaxRedirects)
                    throw new PermanentFetchException(
                        $"{url} redirected more than {MaxRedirects} times (last to {current}): the upstream's redirects loop or run too long; the file is not fetched");
                var location = response.Headers.Location
                    ?? throw new PermanentFetchException($"{current} answered {(int)response.StatusCode} {response.ReasonPhrase} without a Location to go to; the file is not fetched");
                current = location.IsAbsoluteUri ? location : new Uri(current, location);
            }
        }
    }

    /// <summary>Sends the request and waits for the answer's headers, at most the stall timeout: an upstream that accepts and never answers is a stall too.</summary>
    private async Task<HttpResponseMessage> GetHeadersAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        var stallTimeout = options.Value.StallTimeout;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(stallTimeout);
        try
        {
            return await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, stall.Token);
        }
        catch (HttpRequestException e)
        {
            throw new TransientFetchException($"could not connect to {url.Authority}: {e.Message}; it is retried", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientFetchException(
                $"{url.Authority} did not answer within {stallTimeout.TotalSeconds:0.#} s (HvMirror:Fetcher:StallTimeout); it is retried", e);
        }
    }
}
