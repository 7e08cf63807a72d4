using HvMirror.Testing;

namespace HvMirror.HapiClient.Tests;

/// <summary>
/// The real HvMirror HAPI server (services/HapiServer/HvMirror.HapiServer.Host) seeded for the client's tests: 40 AIA_171
/// records over ten days, one HMI_MAG file and a LASCO_C2 name RFC 4180 must quote.
/// </summary>
public sealed class RealServerFixture() : SeededHapiServer<Program>("hapiclient-tests")
{
    public const string Aia = "AIA_171";

    /// <summary>The first AIA ingestion: the dataset's startDate.</summary>
    public static readonly DateTime T0 = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    public IReadOnlyList<SeededFile> AiaFiles => Files.Where(f => f.Dataset == Aia).ToList();

    /// <summary>The AIA ingestion times: 40 records over ten days, two of them one microsecond apart, one at a UTC midnight.</summary>
    public static IReadOnlyList<DateTime> AiaTimes { get; } = MakeAiaTimes();

    private static List<DateTime> MakeAiaTimes()
    {
        var times = new List<DateTime> { T0, T0.AddTicks(10) }; // neighbours one microsecond apart
        for (var i = 1; times.Count < 39; i++)
            times.Add(T0.AddHours(6 * i).AddMilliseconds(i * 37).AddTicks(i * 10));
        times.Add(new DateTime(2024, 3, 11, 0, 0, 0, DateTimeKind.Utc)); // a midnight, after a gap
        return times;
    }

    protected override async Task SeedAsync()
    {
        for (var i = 0; i < AiaTimes.Count; i++)
        {
            var at = AiaTimes[i];
            var observed = at.AddMinutes(-30).AddSeconds(i); // distinct names even for neighbours one microsecond apart
            var name = $"{observed:yyyy_MM_dd__HH_mm_ss_fff}__SDO_AIA_AIA_171.jp2";
            await RegisterAsync(at, Aia, name, $"AIA/{observed:yyyy/MM/dd}/171/{name}", observed);
        }
        await RegisterAsync(new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), "HMI_MAG",
            "2024_05_01__00_00_00_000__SDO_HMI_HMI_magnetogram.jp2",
            "HMI/2024/05/01/magnetogram/2024_05_01__00_00_00_000__SDO_HMI_HMI_magnetogram.jp2", new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc));
        // A name RFC 4180 must quote (comma and double quote).
        await RegisterAsync(new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), "LASCO_C2",
            "odd,\"quoted\"_name.jp2", "LASCO-C2/2024/06/01/white-light/odd_quoted_name.jp2", new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    /// <summary>A client of the in-memory test server; <paramref name="log"/> sees every request.</summary>
    public UpstreamClient Client(UpstreamClientOptions? options = null, RequestLog? log = null, string baseUrl = "http://localhost/hapi")
    {
        HttpMessageHandler handler = Factory.Server.CreateHandler();
        if (log is not null)
            handler = new RecordingHandler(log) { InnerHandler = handler };
        var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };
        return new UpstreamClient("gsfc-test", http, options);
    }
}

[CollectionDefinition(Name)]
public sealed class RealServerCollection : ICollectionFixture<RealServerFixture>
{
    public const string Name = "real HvMirror HAPI server";
}

/// <summary>The requests a client sent, as path and decoded query.</summary>
public sealed class RequestLog
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<Uri> _requests = new();

    public void Add(Uri uri) => _requests.Enqueue(uri);

    public IReadOnlyList<Uri> All => _requests.ToList();

    /// <summary>Each /data request's query as a dictionary.</summary>
    public IReadOnlyList<Dictionary<string, string>> Data =>
        All.Where(u => u.AbsolutePath.EndsWith("/data", StringComparison.Ordinal)).Select(Query).ToList();

    public static Dictionary<string, string> Query(Uri uri) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
}

public sealed class RecordingHandler(RequestLog log) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        log.Add(request.RequestUri!);
        return base.SendAsync(request, cancellationToken);
    }
}
