using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using HvMirror.Hapi;
using Refit;

namespace HvMirror.HapiClient;

/// <summary>
/// Reads one upstream HAPI server (2.x or 3.x) the way a mirror needs: its catalog, a dataset's info, and the dataset's
/// records over a time range, streamed and validated. Thread-safe; one instance per upstream.
/// </summary>
/// <remarks>
/// <para><see cref="ReadAsync(string, DateTime, DateTime, CancellationToken)"/> asks only inside the dataset's
/// [startDate, stopDate), splits the range into chunks of <see cref="UpstreamClientOptions.ChunkLength"/>, halves a chunk
/// the upstream refuses with 1408, and treats 1201 (or an empty body) as "nothing new".</para>
/// <para>Every record is checked before it is yielded: four columns, a HAPI time strictly after the previous record's
/// (across chunks too) and inside the range asked, a name, a checksum <see cref="Archive.Checksum"/> knows, an absolute
/// http(s) url. The first record that fails stops the read with a <see cref="HapiClientException"/>: records before it
/// have been yielded, none after it is, so a caller that advances its cursor only over yielded records never skips it.</para>
/// </remarks>
public sealed class UpstreamClient : IDisposable
{
    /// <summary>The parameters requested from <c>/data</c>, in dataset order; extra parameters a dataset has are never asked for.</summary>
    public const string RequestedParameters = "Time,name,checksum,url";

    private static readonly string[] Expected = ["Time", "name", "checksum", "url"];
    private const int MaxJsonChars = 8 << 20;
    private const int MaxErrorChars = 64 << 10;

    private readonly IHapiApi _api;
    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly UpstreamClientOptions _options;
    private volatile string? _version;

    /// <param name="upstream">The upstream's name in this node's configuration; every error message carries it.</param>
    /// <param name="httpClient">
    /// A client whose <see cref="HttpClient.BaseAddress"/> is the upstream's HAPI base URL, the one ending in <c>/hapi</c>.
    /// Give it a handler with automatic decompression (<see cref="CreateHandler"/>) so responses travel gzipped.
    /// </param>
    public UpstreamClient(string upstream, HttpClient httpClient, UpstreamClientOptions? options = null)
        : this(upstream, httpClient, options, ownsHttpClient: false)
    {
    }

    private UpstreamClient(string upstream, HttpClient httpClient, UpstreamClientOptions? options, bool ownsHttpClient)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(upstream);
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is not { IsAbsoluteUri: true } baseAddress || baseAddress.Scheme is not ("http" or "https"))
            throw new ArgumentException(
                $"The HttpClient for HAPI upstream '{upstream}' needs BaseAddress set to the upstream's HAPI base URL, an absolute http(s) URL ending in /hapi.",
                nameof(httpClient));
        _options = options ?? new UpstreamClientOptions();
        _options.Validate();
        Upstream = upstream;
        _http = httpClient;
        _ownsHttpClient = ownsHttpClient;
        _api = RestService.ForGenerated<IHapiApi>(httpClient);
    }

    /// <summary>A client that owns its own <see cref="HttpClient"/> (disposed with it), gzip accepted.</summary>
    public static UpstreamClient Create(string upstream, Uri hapiBaseUrl, UpstreamClientOptions? options = null, TimeSpan? requestTimeout = null) =>
        new(upstream, new HttpClient(CreateHandler()) { BaseAddress = hapiBaseUrl, Timeout = requestTimeout ?? TimeSpan.FromSeconds(100) },
            options, ownsHttpClient: true);

    /// <summary>The handler HAPI reading wants: gzip/deflate/brotli decompression, a connect timeout, connections recycled.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        AutomaticDecompression = DecompressionMethods.All,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <summary>The upstream's configured name.</summary>
    public string Upstream { get; }

    /// <summary>The upstream's HAPI base URL.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    public void Dispose()
    {
        if (_ownsHttpClient)
            _http.Dispose();
    }

    // ---------------------------------------------------------------- metadata

    /// <summary>The HAPI version the upstream declares in <c>/capabilities</c> (else in <c>/catalog</c>); asked once, then remembered.</summary>
    public Task<string> GetHapiVersionAsync(CancellationToken cancellationToken = default) => VersionAsync(null, cancellationToken);

    /// <summary>The datasets the upstream lists in <c>/catalog</c>.</summary>
    public Task<HapiCatalog> GetCatalogAsync(CancellationToken cancellationToken = default) => CatalogAsync(null, cancellationToken);

    /// <param name="dataset">The dataset being read, if any, for the error messages.</param>
    private async Task<string> VersionAsync(string? dataset, CancellationToken cancellationToken)
    {
        if (_version is { } known)
            return known;
        using (var capabilities = await GetJsonAsync(_api.CapabilitiesAsync, dataset, "/capabilities", cancellationToken).ConfigureAwait(false))
        {
            if (TryGetString(capabilities.RootElement, "HAPI") is { } declared)
                return _version = CheckVersion(declared, dataset);
        }
        var catalog = await CatalogAsync(dataset, cancellationToken).ConfigureAwait(false);
        return catalog.HapiVersion;
    }

    private async Task<HapiCatalog> CatalogAsync(string? dataset, CancellationToken cancellationToken)
    {
        using var doc = await GetJsonAsync(_api.CatalogAsync, dataset, "/catalog", cancellationToken).ConfigureAwait(false);
        var root = doc.RootElement;
        var version = CheckVersion(TryGetString(root, "HAPI") ?? throw Invalid(dataset, "/catalog", "has no HAPI member (the version)"), dataset);
        _version ??= version;
        if (!root.TryGetProperty("catalog", out var list) || list.ValueKind != JsonValueKind.Array)
            throw Invalid(dataset, "/catalog", "has no catalog array");
        var entries = new List<HapiCatalogEntry>(list.GetArrayLength());
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || TryGetString(item, "id") is not { Length: > 0 } id)
                throw Invalid(dataset, "/catalog", "lists an entry without an id");
            entries.Add(new HapiCatalogEntry(id, TryGetString(item, "title")));
        }
        return new HapiCatalog(version, entries);
    }

    /// <summary>
    /// A dataset's <c>/info</c>, checked: startDate and stopDate are HAPI times, and the first four parameters are
    /// Time (isotime), name, checksum, url (extra parameters after them are allowed).
    /// </summary>
    public async Task<HapiDatasetInfo> GetInfoAsync(string dataset, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        var v2 = IsHapi2(await VersionAsync(dataset, cancellationToken).ConfigureAwait(false));
        using var doc = await GetJsonAsync(ct => v2 ? _api.InfoV2Async(dataset, ct) : _api.InfoAsync(dataset, ct), dataset, "/info", cancellationToken)
            .ConfigureAwait(false);
        var root = doc.RootElement;
        var version = CheckVersion(TryGetString(root, "HAPI") ?? throw Invalid(dataset, "/info", "has no HAPI member (the version)"), dataset);
        var startDate = InfoTime(root, "startDate", dataset);
        var stopDate = InfoTime(root, "stopDate", dataset);
        DateTime? modified = TryGetString(root, "modificationDate") is { } m && HapiTime.TryParse(m, out var mt, out _) ? mt : null;

        if (!root.TryGetProperty("parameters", out var list) || list.ValueKind != JsonValueKind.Array)
            throw Invalid(dataset, "/info", "has no parameters array");
        var names = new List<string>();
        string? timeType = null;
        foreach (var p in list.EnumerateArray())
        {
            var name = p.ValueKind == JsonValueKind.Object ? TryGetString(p, "name") : null;
            if (name is null)
                throw Invalid(dataset, "/info", $"lists parameter number {names.Count + 1} without a name");
            if (names.Count == 0)
                timeType = TryGetString(p, "type");
            names.Add(name);
        }
        if (names.Count < Expected.Length || !names.Take(Expected.Length).SequenceEqual(Expected, StringComparer.Ordinal))
            throw new HapiClientException(Upstream, dataset,
                $"the dataset's parameters begin with {string.Join(",", names.Take(Expected.Length).Select(n => Shown(n)))}, not {RequestedParameters}",
                "A HvMirror dataset has Time, name, checksum and url first (extra parameters may follow): is this upstream a HvMirror or " +
                "Helioviewer HAPI server, and is the dataset id the right one?", isTransient: false);
        if (timeType != "isotime")
            throw new HapiClientException(Upstream, dataset, $"the dataset's Time parameter has type '{Shown(timeType ?? "")}', not isotime",
                "HAPI requires the first parameter to be the isotime Time column: tell the upstream's operators.", isTransient: false);
        return new HapiDatasetInfo(dataset, version, startDate, stopDate, names, modified);
    }

    // ---------------------------------------------------------------- data

    /// <summary>
    /// The dataset's records with <paramref name="start"/> ≤ Time &lt; <paramref name="stop"/> (UTC), in Time order:
    /// asks <c>/info</c> first, then <c>/data</c> in chunks. See the class remarks for what stops the read.
    /// </summary>
    public async IAsyncEnumerable<HapiRecord> ReadAsync(string dataset, DateTime start, DateTime stop,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var info = await GetInfoAsync(dataset, cancellationToken).ConfigureAwait(false);
        await foreach (var record in ReadAsync(info, start, stop, cancellationToken).ConfigureAwait(false))
            yield return record;
    }

    /// <summary>
    /// Like <see cref="ReadAsync(string, DateTime, DateTime, CancellationToken)"/> with an <c>/info</c> already at hand
    /// (its [StartDate, StopDate) bounds the range asked).
    /// </summary>
    public async IAsyncEnumerable<HapiRecord> ReadAsync(HapiDatasetInfo info, DateTime start, DateTime stop,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        start = AsUtc(start);
        stop = AsUtc(stop);
        var from = start > info.StartDate ? start : info.StartDate;
        var to = stop < info.StopDate ? stop : info.StopDate;
        if (from >= to)
            yield break;

        var v2 = IsHapi2(await VersionAsync(info.Dataset, cancellationToken).ConfigureAwait(false));
        var chunk = _options.ChunkLength;
        var state = new ReadState();
        var cursor = from;
        while (cursor < to)
        {
            var end = to - cursor <= chunk ? to : cursor + chunk;
            using var reader = await OpenChunkAsync(info.Dataset, v2, cursor, end, state, cancellationToken).ConfigureAwait(false);
            if (reader.TooMuchData)
            {
                var half = TimeSpan.FromTicks(chunk.Ticks / 2);
                if (half < _options.MinimumChunkLength)
                    throw new HapiClientException(Upstream, info.Dataset,
                        $"the upstream refuses even {Describe(end - cursor)} of data from {Format(cursor)} with HAPI {HapiStatus.TooMuchData} (too much time or data requested)",
                        $"The records before {Format(cursor)} were delivered. Lower UpstreamClientOptions.MinimumChunkLength (now {Describe(_options.MinimumChunkLength)}) " +
                        "or ask the upstream's operators to raise their limit.", isTransient: false, hapiCode: HapiStatus.TooMuchData);
                chunk = half;
                continue;
            }
            while (await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } record)
                yield return record;
            cursor = end;
        }
    }

    private async Task<ChunkReader> OpenChunkAsync(string dataset, bool v2, DateTime start, DateTime stop, ReadState state,
        CancellationToken cancellationToken)
    {
        var startText = FormatRequest(start);
        var stopText = FormatRequest(stop);
        var what = $"/data for [{Format(start)}, {Format(stop)})";
        var response = await SendAsync(
            ct => v2
                ? _api.DataV2Async(dataset, startText, stopText, RequestedParameters, "csv", ct)
                : _api.DataAsync(dataset, startText, stopText, RequestedParameters, "csv", ct),
            dataset, what, cancellationToken).ConfigureAwait(false);
        var ok = false;
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await ReadErrorBodyAsync(response, dataset, what, cancellationToken).ConfigureAwait(false);
                var code = HapiCodeOf(body) ?? HapiCodeOfReason(response.ReasonPhrase);
                if (code is HapiStatus.TooMuchData or HapiStatus.NoData)
                {
                    ok = true;
                    return code == HapiStatus.TooMuchData ? ChunkReader.TooMuch(response) : ChunkReader.Empty(response);
                }
                throw HttpError(response, body, dataset, what);
            }
            if (response.Content.Headers.ContentType?.MediaType is { } mediaType && mediaType.Contains("html", StringComparison.OrdinalIgnoreCase))
                throw HtmlError((int)response.StatusCode, response.ReasonPhrase, dataset, what);

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var csv = new CsvRecordReader(stream, _options.ReadIdleTimeout, _options.MaxRecordLength);
            var reader = new ChunkReader(this, dataset, start, stop, response, csv, state);
            int first;
            try
            {
                first = await csv.PeekFirstSignificantAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && reader.Translate(e) is { } translated)
            {
                throw translated;
            }
            if (first == '<')
                throw HtmlError((int)response.StatusCode, response.ReasonPhrase, dataset, what);
            if (first == '{')
            {
                var json = await csv.ReadRestAsync(MaxErrorChars, cancellationToken).ConfigureAwait(false);
                var code = HapiCodeOf(json);
                if (code is HapiStatus.TooMuchData or HapiStatus.NoData)
                {
                    ok = true;
                    return code == HapiStatus.TooMuchData ? ChunkReader.TooMuch(response) : ChunkReader.Empty(response);
                }
                if (code is { } c && c != HapiStatus.Ok)
                    throw HapiError(c, HapiMessageOf(json), (int)response.StatusCode, dataset, what);
                throw new HapiClientException(Upstream, dataset, $"the upstream answered {what} with JSON although format=csv was asked: {Excerpt(json)}",
                    "Is this upstream a HAPI server? Tell its operators that format=csv must give CSV.", isTransient: false,
                    httpStatus: (int)response.StatusCode);
            }
            ok = true;
            return reader;
        }
        finally
        {
            if (!ok)
                response.Dispose();
        }
    }

    /// <summary>The running state of one read across its chunks.</summary>
    private sealed class ReadState
    {
        public DateTime? Last;
    }

    /// <summary>Reads and checks the records of one chunk's response; every failure becomes a <see cref="HapiClientException"/>.</summary>
    private sealed class ChunkReader : IDisposable
    {
        private readonly UpstreamClient? _client;
        private readonly string _dataset = "";
        private readonly DateTime _start;
        private readonly DateTime _stop;
        private readonly HttpResponseMessage _response;
        private readonly CsvRecordReader? _csv;
        private readonly ReadState? _state;
        private readonly List<string> _fields = new(8);

        public ChunkReader(UpstreamClient client, string dataset, DateTime start, DateTime stop, HttpResponseMessage response,
            CsvRecordReader csv, ReadState state)
        {
            _client = client;
            _dataset = dataset;
            _start = start;
            _stop = stop;
            _response = response;
            _csv = csv;
            _state = state;
        }

        private ChunkReader(HttpResponseMessage response, bool tooMuchData)
        {
            _response = response;
            TooMuchData = tooMuchData;
        }

        public static ChunkReader Empty(HttpResponseMessage response) => new(response, false);

        public static ChunkReader TooMuch(HttpResponseMessage response) => new(response, true);

        public bool TooMuchData { get; }

        private string What => $"/data response for [{Format(_start)}, {Format(_stop)})";

        public async ValueTask<HapiRecord?> NextAsync(CancellationToken cancellationToken)
        {
            if (_csv is null)
                return null;
            try
            {
                if (!await _csv.ReadAsync(_fields, cancellationToken).ConfigureAwait(false))
                    return null;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && Translate(e) is { } translated)
            {
                throw translated;
            }
            return Check(_csv.RecordLine);
        }

        private HapiRecord Check(long line)
        {
            var f = _fields;
            if (f.Count != Expected.Length)
                throw Bad(line, $"it has {f.Count} column{(f.Count == 1 ? "" : "s")}; the request asked for {Expected.Length} ({RequestedParameters})");
            if (!HapiTime.TryParse(f[0], out var time, out var timeProblem))
                throw Bad(line, $"its Time '{Shown(f[0])}' is not a HAPI time: {timeProblem}");
            if (_state!.Last is { } last && time <= last)
                throw Bad(line, $"its Time {Shown(f[0])} is not after the previous record's {Format(last)}; Time must strictly increase");
            if (time < _start || time >= _stop)
                throw Bad(line, $"its Time {Shown(f[0])} lies outside the range asked for");
            if (f[1].Length == 0)
                throw Bad(line, "its name is empty");
            if (!Archive.Checksum.TryParse(f[2], out var checksum, out var checksumProblem))
                throw Bad(line, $"bad checksum: {checksumProblem}",
                    "This mirror verifies files with sha256 only: the upstream must publish 'sha256:<64 lowercase hex>' checksums. ");
            if (!Uri.TryCreate(f[3], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                throw Bad(line, $"its url '{Shown(f[3])}' is not an absolute http or https URL");
            _state.Last = time;
            return new HapiRecord(time, f[1], checksum, url);
        }

        private HapiClientException Bad(long line, string what, string? advice = null, bool transient = false, Exception? inner = null) =>
            new(_client!.Upstream, _dataset, $"the record on line {line} of the {What} is unusable: {what}",
                (advice ?? "") + "The records before it were delivered and none after it: a cursor kept over delivered records stays " +
                "before this one. " +
                (transient
                    ? "This is retried on the next poll; if it lasts, tell the upstream's operators."
                    : "Tell the upstream's operators; nothing on this node needs changing."),
                transient, httpStatus: (int)_response.StatusCode, line: line, inner: inner);

        /// <summary>The exception to throw for a failure while reading the body, or null to let it pass (a bug).</summary>
        public HapiClientException? Translate(Exception e) => e switch
        {
            CsvFormatException csv when csv.Truncated => Bad(csv.Line, csv.Message,
                "The body stopped inside a record (a proxy or the upstream cut the response short). ", transient: true, inner: e),
            CsvFormatException csv => Bad(csv.Line, $"the CSV is malformed: {csv.Message}", inner: e),
            DecoderFallbackException => new HapiClientException(_client!.Upstream, _dataset, $"the {What} is not valid UTF-8 text",
                "The records before the bad bytes were delivered and none after them. Tell the upstream's operators.", false,
                httpStatus: (int)_response.StatusCode, inner: e),
            TimeoutException => new HapiClientException(_client!.Upstream, _dataset, $"reading the {What}: {e.Message}",
                "The records before the stall were delivered; this is retried on the next poll. If it lasts, check the upstream's health.",
                true, httpStatus: (int)_response.StatusCode, inner: e),
            IOException or HttpRequestException or OperationCanceledException =>
                new HapiClientException(_client!.Upstream, _dataset, $"the connection broke in the middle of the {What}: {Innermost(e)}",
                    "The records before the break were delivered; this is retried on the next poll. If it lasts, check the network " +
                    "between this node and the upstream.", true, httpStatus: (int)_response.StatusCode, inner: e),
            _ => null,
        };

        public void Dispose()
        {
            _csv?.Dispose();
            _response.Dispose();
        }
    }

    // ---------------------------------------------------------------- plumbing

    private async Task<HttpResponseMessage> SendAsync(Func<CancellationToken, Task<HttpResponseMessage>> call, string? dataset, string what,
        CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or ApiRequestException or OperationCanceledException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var timedOut = e is OperationCanceledException || e.InnerException is OperationCanceledException or TimeoutException;
            var problem = timedOut
                ? $"asking {what} at {BaseAddress} got no answer within {_http.Timeout.TotalSeconds:0} s"
                : $"could not reach {BaseAddress} for {what}: {Innermost(e)}";
            throw new HapiClientException(Upstream, dataset, problem,
                "Check that the upstream is up and that this node reaches it (the URL in the configuration, DNS, firewall, proxy); " +
                "this is retried on the next poll.", isTransient: true, inner: e);
        }
    }

    private async Task<JsonDocument> GetJsonAsync(Func<CancellationToken, Task<HttpResponseMessage>> call, string? dataset, string what,
        CancellationToken cancellationToken)
    {
        using var response = await SendAsync(call, dataset, what, cancellationToken).ConfigureAwait(false);
        string body;
        try
        {
            body = await ReadLimitedAsync(response, response.IsSuccessStatusCode ? MaxJsonChars : MaxErrorChars, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException or DecoderFallbackException
                                  && !cancellationToken.IsCancellationRequested)
        {
            throw new HapiClientException(Upstream, dataset, $"reading the answer to {what} failed: {Innermost(e)}",
                "This is retried on the next poll; if it lasts, check the network between this node and the upstream.", true,
                httpStatus: (int)response.StatusCode, inner: e);
        }
        if (!response.IsSuccessStatusCode)
            throw HttpError(response, body, dataset, what);
        if (IsHtml(response, body))
            throw HtmlError((int)response.StatusCode, response.ReasonPhrase, dataset, what);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw new HapiClientException(Upstream, dataset, $"the answer to {what} is not JSON: {Excerpt(body)}",
                "Is the configured URL the upstream's HAPI base ending in /hapi?", false, httpStatus: (int)response.StatusCode);
        }
        var code = HapiCodeOf(doc.RootElement);
        if (code is null)
        {
            doc.Dispose();
            throw Invalid(dataset, what, "has no HAPI status");
        }
        if (code != HapiStatus.Ok)
        {
            var message = HapiMessageOf(doc.RootElement);
            doc.Dispose();
            throw HapiError(code.Value, message, (int)response.StatusCode, dataset, what);
        }
        return doc;
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

    private async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, string? dataset, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadLimitedAsync(response, MaxErrorChars, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException or DecoderFallbackException
                                  && !cancellationToken.IsCancellationRequested)
        {
            return ""; // the status line still says what happened
        }
    }

    private HapiClientException HttpError(HttpResponseMessage response, string body, string? dataset, string what)
    {
        var status = (int)response.StatusCode;
        var code = HapiCodeOf(body) ?? HapiCodeOfReason(response.ReasonPhrase);
        if (code is { } c)
            return HapiError(c, HapiMessageOf(body) ?? response.ReasonPhrase, status, dataset, what);
        if (IsHtml(response, body))
            return HtmlError(status, response.ReasonPhrase, dataset, what);
        var transient = HttpStatuses.IsTransient(status);
        return new HapiClientException(Upstream, dataset,
            $"the upstream answered {what} with HTTP {status} {response.ReasonPhrase}{(body.Length > 0 ? ": " + Excerpt(body) : "")}",
            transient
                ? "This is retried on the next poll; if it lasts, tell the upstream's operators."
                : "Is the configured URL the upstream's HAPI base ending in /hapi? If it is, tell the upstream's operators.",
            transient, httpStatus: status);
    }

    private HapiClientException HtmlError(int status, string? reason, string? dataset, string what)
    {
        if (status is >= 200 and < 300)
            return new HapiClientException(Upstream, dataset,
                $"the upstream answered {what} with an HTML page, not HAPI {(what.StartsWith("/data", StringComparison.Ordinal) ? "csv" : "JSON")}",
                $"Is the URL the HAPI base ending in /hapi? It is now {BaseAddress}.", isTransient: false, httpStatus: status);
        var transient = HttpStatuses.IsTransient(status);
        return new HapiClientException(Upstream, dataset,
            $"the upstream answered {what} with HTTP {status} {(string.IsNullOrWhiteSpace(reason) ? ReasonOf(status) : Shown(reason))} and an HTML page, not HAPI",
            transient
                ? "A proxy or web server in front of the HAPI server answered instead of it (the HAPI server may be down or restarting); " +
                  "this is retried on the next poll. If it lasts, tell the upstream's operators."
                : $"A web server that is not HAPI answered: is the URL the HAPI base ending in /hapi? It is now {BaseAddress}.",
            transient, httpStatus: status);
    }

    private HapiClientException HapiError(int code, string? message, int httpStatus, string? dataset, string what)
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
        return new HapiClientException(Upstream, dataset, $"the upstream answered {what} with HAPI {code}: {said}", advice, transient,
            hapiCode: code, httpStatus: httpStatus);
    }

    private HapiClientException Invalid(string? dataset, string what, string problem) =>
        new(Upstream, dataset, $"the upstream's {what} {problem}",
            "Is the configured URL a HAPI server's base ending in /hapi? If it is, tell the upstream's operators.", isTransient: false);

    private string CheckVersion(string version, string? dataset)
    {
        var dot = version.IndexOf('.');
        if (int.TryParse(dot < 0 ? version : version[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var major) && major >= 2)
            return version;
        throw new HapiClientException(Upstream, dataset, $"the upstream declares HAPI version '{Shown(version)}', which this client does not speak",
            "This client speaks HAPI 2.x and 3.x: is the URL right?", isTransient: false);
    }

    private static bool IsHapi2(string version) => version.StartsWith("2.", StringComparison.Ordinal) || version == "2";

    private DateTime InfoTime(JsonElement root, string name, string dataset)
    {
        var text = TryGetString(root, name) ?? throw Invalid(dataset, "/info", $"has no {name}");
        if (!HapiTime.TryParse(text, out var time, out var problem))
            throw Invalid(dataset, "/info", $"gives {name} '{Shown(text)}', not a HAPI time: {problem}");
        return time;
    }

    private static string? TryGetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static int? HapiCodeOf(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object &&
        status.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var value)
            ? value
            : null;

    private static string? HapiMessageOf(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var status) ? TryGetString(status, "message") : null;

    private static int? HapiCodeOf(string body) => WithJson(body, HapiCodeOf);

    private static string? HapiMessageOf(string body) => WithJson(body, HapiMessageOf);

    private static T? WithJson<T>(string body, Func<JsonElement, T?> read)
    {
        if (!body.AsSpan().TrimStart().StartsWith("{"))
            return default;
        try
        {
            using var doc = JsonDocument.Parse(body);
            return read(doc.RootElement);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>HAPI puts the code in the status line too, e.g. <c>Bad Request; HAPI 1408 …</c>.</summary>
    private static int? HapiCodeOfReason(string? reason)
    {
        if (reason is null)
            return null;
        var at = reason.IndexOf("HAPI ", StringComparison.Ordinal);
        return at >= 0 && at + 9 <= reason.Length && int.TryParse(reason.AsSpan(at + 5, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? code
            : null;
    }

    private static bool IsHtml(HttpResponseMessage response, string body) =>
        response.Content.Headers.ContentType?.MediaType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true ||
        body.AsSpan().TrimStart().StartsWith("<");

    private static string ReasonOf(int status) => Enum.IsDefined(typeof(HttpStatusCode), status) ? ((HttpStatusCode)status).ToString() : "HTTP error";

    private static string Innermost(Exception e)
    {
        // The innermost cause first, then its wrapper if that one says more ("Connection refused (host:port)").
        var chain = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
            if (!string.IsNullOrWhiteSpace(x.Message))
                chain.Add(x.Message.Trim());
        chain.Reverse();
        var kept = new List<string>();
        foreach (var message in chain)
        {
            if (kept.Count == 2 || kept.Any(k => k.Contains(message, StringComparison.Ordinal)))
                continue;
            kept.RemoveAll(k => message.Contains(k, StringComparison.Ordinal));
            kept.Add(message);
        }
        return kept.Count == 0 ? e.GetType().Name : string.Join(" ← ", kept);
    }

    private static DateTime AsUtc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Local => t.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        _ => t,
    };

    /// <summary>Microseconds when that is exact (the usual case), else all seven tick digits: never rounds a bound.</summary>
    internal static string FormatRequest(DateTime t) =>
        t.Ticks % 10 == 0
            ? HapiTime.Format(t)
            : DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string Format(DateTime t) => FormatRequest(t);

    private static string Describe(TimeSpan span) =>
        span >= TimeSpan.FromDays(1) ? $"{span.TotalDays:0.###} days"
        : span >= TimeSpan.FromHours(1) ? $"{span.TotalHours:0.###} hours"
        : span >= TimeSpan.FromMinutes(1) ? $"{span.TotalMinutes:0.###} minutes"
        : $"{span.TotalSeconds:0.###} seconds";

    private static string Excerpt(string text) => Shown(text.Trim(), 200);

    /// <summary>Text from the upstream, safe to put in a message: control characters escaped, long text cut.</summary>
    internal static string Shown(string text) => Shown(text, 120);

    private static string Shown(string text, int max)
    {
        var sb = new StringBuilder(Math.Min(text.Length, max + 1));
        foreach (var c in text)
        {
            if (sb.Length >= max)
            {
                sb.Append('…');
                break;
            }
            if (char.IsControl(c))
                sb.Append(c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => $"\\u{(int)c:X4}" });
            else
                sb.Append(c);
        }
        return sb.ToString();
    }
}
