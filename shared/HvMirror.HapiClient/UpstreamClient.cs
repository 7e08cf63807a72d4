using HvMirror.Archive;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using HvMirror.Hapi;
using static HvMirror.HapiClient.UpstreamText;

namespace HvMirror.HapiClient;

/// <summary>
/// Reads one upstream HAPI server (2.x or 3.x) the way a mirror needs: its catalog, a dataset's info, and the dataset's
/// records over a time range, streamed and validated. Thread-safe; one instance per upstream.
/// </summary>
/// <remarks>
/// <para><see cref="ReadAsync(string, DateTime, DateTime, CancellationToken)"/> asks only inside the dataset's
/// [startDate, stopDate), splits the range into chunks of <see cref="UpstreamClientOptions.ChunkLength"/>, halves a chunk
/// the upstream refuses with 1408, and treats 1201 (or an empty body) as "nothing new".</para>
/// <para>Every row is checked before it is yielded. The answer itself must hold: the columns asked for, a HAPI time
/// strictly after the previous row's (across chunks too) and inside the range asked; the first row that breaks this
/// stops the read with a <see cref="HapiClientException"/> (carrying the row's Time when it could be read,
/// <see cref="HapiClientException.RecordTime"/>). A row in its place whose own fields cannot be used — no name, a
/// checksum <see cref="Archive.Checksum"/> does not know, a url that is not absolute http(s) — is yielded as an
/// <see cref="UnusableRecord"/> and the read goes on.</para>
/// </remarks>
public sealed class UpstreamClient : IDisposable
{
    /// <summary>
    /// The parameters read from <c>/data</c>, in the order HvMirror serves them; they are asked for in each dataset's own
    /// order (<see cref="HapiDatasetInfo.RequestedParameters"/>), and a dataset's other parameters never are.
    /// </summary>
    public const string RequestedParameters = "Time,name,checksum,url";

    internal static readonly string[] ExpectedParameters = RequestedParameters.Split(',');

    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly UpstreamClientOptions _options;
    private readonly HapiUrls _urls;
    private readonly UpstreamErrors _errors;
    private readonly UpstreamTransport _transport;
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
        _urls = new HapiUrls(baseAddress);
        _errors = new UpstreamErrors(upstream, baseAddress);
        _transport = new UpstreamTransport(httpClient, _errors);
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

    /// <summary>
    /// The datasets with their info, from one <c>/catalog?depth=all</c> (HAPI 3.3); null when the upstream does not offer
    /// it (its capabilities do not list depth <c>all</c>), so that the caller asks <c>/info</c> per dataset instead.
    /// </summary>
    public async Task<HapiCatalog?> GetCatalogWithInfoAsync(CancellationToken cancellationToken = default)
    {
        var capabilities = await _transport.GetJsonAsync(_urls.Capabilities, HapiJsonContext.Default.HapiCapabilitiesResponse, null, "/capabilities",
            cancellationToken).ConfigureAwait(false);
        if (capabilities.CatalogDepthOptions?.Contains("all") != true)
            return null;
        return await CatalogAsync(null, cancellationToken, _urls.CatalogWithInfo).ConfigureAwait(false);
    }

    /// <param name="dataset">The dataset being read, if any, for the error messages.</param>
    private async Task<string> VersionAsync(string? dataset, CancellationToken cancellationToken)
    {
        if (_version is { } known)
            return known;
        // Only the version is wanted of /capabilities, so only the members every HAPI answer has are read.
        var capabilities = await _transport.GetJsonAsync(_urls.Capabilities, HapiJsonContext.Default.HapiResponse, dataset, "/capabilities",
            cancellationToken).ConfigureAwait(false);
        if (capabilities.Hapi is { } declared)
            return _version = CheckVersion(declared, dataset);
        var catalog = await CatalogAsync(dataset, cancellationToken).ConfigureAwait(false);
        return catalog.HapiVersion;
    }

    private async Task<HapiCatalog> CatalogAsync(string? dataset, CancellationToken cancellationToken, Uri? url = null)
    {
        var answer = await _transport.GetJsonAsync(url ?? _urls.Catalog, HapiJsonContext.Default.HapiCatalogResponse, dataset, "/catalog",
            cancellationToken).ConfigureAwait(false);
        var version = CheckVersion(answer.Hapi ?? throw _errors.Invalid(dataset, "/catalog", "has no HAPI member (the version)"), dataset);
        _version ??= version;
        if (answer.Catalog is not { } list)
            throw _errors.Invalid(dataset, "/catalog", "has no catalog array");
        var entries = new List<HapiCatalogEntry>(list.Count);
        foreach (var item in list)
        {
            if (item?.Id is not { Length: > 0 } id)
                throw _errors.Invalid(dataset, "/catalog", "lists an entry without an id");
            entries.Add(new HapiCatalogEntry(id, item.Title, item.Info));
        }
        return new HapiCatalog(version, entries);
    }

    /// <summary>
    /// A dataset's <c>/info</c>, checked: startDate and stopDate are HAPI times, the first parameter is Time (isotime),
    /// and name, checksum and url are among the others, once each, in any order (matched by name).
    /// </summary>
    public Task<HapiDatasetInfo> GetInfoAsync(string dataset, CancellationToken cancellationToken = default) =>
        InfoAsync(dataset, ExpectedParameters,
            "A HvMirror dataset has the parameters Time, name, checksum and url, once each (in any order after Time, among " +
            "others): is this upstream a HvMirror or Helioviewer HAPI server, and is the dataset id the right one?", cancellationToken);

    /// <summary>
    /// Like <see cref="GetInfoAsync"/> for a dataset that must have <paramref name="parameters"/> (after Time, in any
    /// order among others); <see cref="HapiDatasetInfo.RequestedParameters"/> lists them in the dataset's order.
    /// </summary>
    public Task<HapiDatasetInfo> GetInfoAsync(string dataset, IReadOnlyList<string> parameters, string advice,
        CancellationToken cancellationToken = default) => InfoAsync(dataset, parameters, advice, cancellationToken);

    private async Task<HapiDatasetInfo> InfoAsync(string dataset, IReadOnlyList<string> expectedParameters, string advice, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        var v2 = IsHapi2(await VersionAsync(dataset, cancellationToken).ConfigureAwait(false));
        var answer = await _transport.GetJsonAsync(_urls.Info(dataset, v2), HapiJsonContext.Default.HapiInfoResponse, dataset, "/info",
            cancellationToken).ConfigureAwait(false);
        var version = CheckVersion(answer.Hapi ?? throw _errors.Invalid(dataset, "/info", "has no HAPI member (the version)"), dataset);
        return Checked(dataset, version, answer, expectedParameters, advice);
    }

    /// <summary>
    /// The info a <c>/catalog?depth=all</c> entry carries, checked as <see cref="GetInfoAsync(string, IReadOnlyList{string}, string, CancellationToken)"/>
    /// checks an <c>/info</c> answer; null when the entry has none.
    /// </summary>
    public HapiDatasetInfo? InfoOf(HapiCatalog catalog, HapiCatalogEntry entry, IReadOnlyList<string> parameters, string advice) =>
        entry.Info is { } info ? Checked(entry.Id, catalog.HapiVersion, info, parameters, advice) : null;

    private HapiDatasetInfo Checked(string dataset, string version, HapiInfoResponse answer, IReadOnlyList<string> expectedParameters, string advice)
    {
        var startDate = InfoTime(answer.StartDate, "startDate", dataset);
        var stopDate = InfoTime(answer.StopDate, "stopDate", dataset);
        DateTime? modified = answer.ModificationDate is { } m && HapiTime.TryParse(m, out var mt, out _) ? mt : null;

        if (answer.Parameters is not { } list)
            throw _errors.Invalid(dataset, "/info", "has no parameters array");
        var names = new List<string>(list.Count);
        foreach (var p in list)
        {
            if (p?.Name is not { } name)
                throw _errors.Invalid(dataset, "/info", $"lists parameter number {names.Count + 1} without a name");
            names.Add(name);
        }
        if (names.Count == 0 || names[0] != "Time")
            throw new HapiClientException(Upstream, dataset,
                $"the dataset's first parameter is {(names.Count == 0 ? "missing" : $"'{Shown(names[0])}'")}, not Time",
                "HAPI requires the first parameter to be the isotime Time column: tell the upstream's operators.", isTransient: false);
        foreach (var expected in expectedParameters)
        {
            var count = names.Count(n => n == expected);
            if (count != 1)
                throw new HapiClientException(Upstream, dataset,
                    count == 0
                        ? $"the dataset has no parameter '{expected}' (it has {string.Join(",", names.Select(Shown))})"
                        : $"the dataset lists the parameter '{expected}' {count} times",
                    advice, isTransient: false);
        }
        var timeType = list[0]!.Type;
        if (timeType != "isotime")
            throw new HapiClientException(Upstream, dataset, $"the dataset's Time parameter has type '{Shown(timeType ?? "")}', not isotime",
                "HAPI requires the first parameter to be the isotime Time column: tell the upstream's operators.", isTransient: false);
        // HAPI wants a parameters= list in the dataset's own order, and answers the columns in that order.
        var requested = names.Where(n => n == "Time" || expectedParameters.Contains(n)).ToList();
        return new HapiDatasetInfo(dataset, version, startDate, stopDate, names, modified, requested);
    }

    // ---------------------------------------------------------------- data

    /// <summary>
    /// The dataset's records with <paramref name="start"/> ≤ Time &lt; <paramref name="stop"/> (UTC), in Time order:
    /// asks <c>/info</c> first, then <c>/data</c> in chunks. See the class remarks for what stops the read.
    /// </summary>
    public async IAsyncEnumerable<HapiRow> ReadAsync(string dataset, DateTime start, DateTime stop,
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
    public async IAsyncEnumerable<HapiRow> ReadAsync(HapiDatasetInfo info, DateTime start, DateTime stop,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (Within(info, start, stop) is not (var from, var to))
            yield break;
        var columns = RecordColumns.Of(info.RequestedParameters);
        await foreach (var reader in ChunksAsync(info.Dataset, from, to, columns.Requested, columns, cancellationToken).ConfigureAwait(false))
            while (await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } record)
                yield return record;
    }

    /// <summary>
    /// The rows of a dataset that is not a file dataset (a companion, <see cref="HvMirror.Hapi.CompanionDatasets"/>), with
    /// <paramref name="start"/> ≤ Time &lt; <paramref name="stop"/>, asked for with <paramref name="info"/>'s
    /// <see cref="HapiDatasetInfo.RequestedParameters"/>: each row's Time, order, range and column count are checked, its
    /// other fields are the caller's to read. Chunked and halved on 1408 like <see cref="ReadAsync(HapiDatasetInfo, DateTime, DateTime, CancellationToken)"/>.
    /// </summary>
    public async IAsyncEnumerable<HapiFields> ReadFieldsAsync(HapiDatasetInfo info, DateTime start, DateTime stop,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (Within(info, start, stop) is not (var from, var to))
            yield break;
        await foreach (var reader in ChunksAsync(info.Dataset, from, to, info.RequestedParameters, null, cancellationToken).ConfigureAwait(false))
            while (await reader.NextFieldsAsync(cancellationToken).ConfigureAwait(false) is { } row)
                yield return row;
    }

    /// <summary>[start, stop) cut to the dataset's [startDate, stopDate), or null when nothing of it is left to ask.</summary>
    private static (DateTime From, DateTime To)? Within(HapiDatasetInfo info, DateTime start, DateTime stop)
    {
        start = AsUtc(start);
        stop = AsUtc(stop);
        var from = start > info.StartDate ? start : info.StartDate;
        var to = stop < info.StopDate ? stop : info.StopDate;
        return from < to ? (from, to) : null;
    }

    /// <summary>
    /// The chunks of [<paramref name="from"/>, <paramref name="to"/>), each opened when the previous one has been read
    /// (and disposed): <see cref="UpstreamClientOptions.ChunkLength"/> long, halved while the upstream answers 1408.
    /// </summary>
    private async IAsyncEnumerable<ChunkReader> ChunksAsync(string dataset, DateTime from, DateTime to, IReadOnlyList<string> requested,
        RecordColumns? columns, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var v2 = IsHapi2(await VersionAsync(dataset, cancellationToken).ConfigureAwait(false));
        var chunk = _options.ChunkLength;
        var progress = new ReadProgress();
        var cursor = from;
        while (cursor < to)
        {
            var end = to - cursor <= chunk ? to : cursor + chunk;
            using var reader = await OpenChunkAsync(dataset, v2, cursor, end, requested, columns, progress, cancellationToken).ConfigureAwait(false);
            if (reader.TooMuchData)
            {
                var half = TimeSpan.FromTicks(chunk.Ticks / 2);
                if (half < _options.MinimumChunkLength)
                    throw new HapiClientException(Upstream, dataset,
                        $"the upstream refuses even {Describe(end - cursor)} of data from {FormatTime(cursor)} with HAPI {HapiStatus.TooMuchData} (too much time or data requested)",
                        $"The records before {FormatTime(cursor)} were delivered. Lower UpstreamClientOptions.MinimumChunkLength (now {Describe(_options.MinimumChunkLength)}) " +
                        "or ask the upstream's operators to raise their limit.", isTransient: false, hapiCode: HapiStatus.TooMuchData);
                chunk = half;
                continue;
            }
            yield return reader;
            cursor = end;
        }
    }

    /// <summary>
    /// Asks for one chunk and sorts the answer: records to read, none (1201), too many (1408), or an error, which is thrown.
    /// </summary>
    private async Task<ChunkReader> OpenChunkAsync(string dataset, bool v2, DateTime start, DateTime stop, IReadOnlyList<string> requested,
        RecordColumns? columns, ReadProgress progress, CancellationToken cancellationToken)
    {
        var what = $"/data for [{FormatTime(start)}, {FormatTime(stop)})";
        var response = await _transport.SendAsync(_urls.Data(dataset, start, stop, v2, requested), dataset, what, cancellationToken).ConfigureAwait(false);
        var ok = false;
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await UpstreamTransport.ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
                var code = UpstreamErrors.StatusIn(body)?.Code ?? UpstreamErrors.CodeInReason(response.ReasonPhrase);
                if (code is HapiStatus.TooMuchData or HapiStatus.NoData)
                {
                    ok = true;
                    return code == HapiStatus.TooMuchData ? ChunkReader.TooMuch(response) : ChunkReader.Empty(response);
                }
                throw _errors.Http(response, body, dataset, what);
            }
            if (response.Content.Headers.ContentType?.MediaType is { } mediaType && mediaType.Contains("html", StringComparison.OrdinalIgnoreCase))
                throw _errors.Html((int)response.StatusCode, response.ReasonPhrase, dataset, what);

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var csv = new CsvRecordReader(new IdleTimeoutStream(stream, _options.ReadIdleTimeout), _options.MaxRecordLength);
            var reader = new ChunkReader(Upstream, dataset, start, stop, response, csv, requested, columns, progress);
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
                throw _errors.Html((int)response.StatusCode, response.ReasonPhrase, dataset, what);
            if (first == '{')
            {
                var json = await csv.ReadRestAsync(UpstreamTransport.MaxErrorChars, cancellationToken).ConfigureAwait(false);
                var status = UpstreamErrors.StatusIn(json);
                if (status?.Code is HapiStatus.TooMuchData or HapiStatus.NoData)
                {
                    ok = true;
                    return status.Code == HapiStatus.TooMuchData ? ChunkReader.TooMuch(response) : ChunkReader.Empty(response);
                }
                if (status?.Code is { } c && c != HapiStatus.Ok)
                    throw _errors.Hapi(c, status.Message, (int)response.StatusCode, dataset, what);
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

    // ---------------------------------------------------------------- checks

    private string CheckVersion(string version, string? dataset)
    {
        var dot = version.IndexOf('.');
        if (int.TryParse(dot < 0 ? version : version[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var major) && major >= 2)
            return version;
        throw new HapiClientException(Upstream, dataset, $"the upstream declares HAPI version '{Shown(version)}', which this client does not speak",
            "This client speaks HAPI 2.x and 3.x: is the URL right?", isTransient: false);
    }

    private static bool IsHapi2(string version) => version.StartsWith("2.", StringComparison.Ordinal) || version == "2";

    private DateTime InfoTime(string? text, string name, string dataset)
    {
        if (text is null)
            throw _errors.Invalid(dataset, "/info", $"has no {name}");
        if (!HapiTime.TryParse(text, out var time, out var problem))
            throw _errors.Invalid(dataset, "/info", $"gives {name} '{Shown(text)}', not a HAPI time: {problem}");
        return time;
    }

    private static DateTime AsUtc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Local => t.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        _ => t,
    };
}
