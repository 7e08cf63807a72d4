using System.Net.Http.Headers;
using HvMirror.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HvMirror.HapiServer.Tests;

/// <summary>
/// The HAPI server host seeded for the server's own tests: AIA_171 with neighbours one microsecond apart, a UTC midnight
/// and a later day, one HMI_MAG file, a LASCO_C2 name RFC 4180 must quote, and two files no request may reach.
/// </summary>
public sealed class HapiServerFixture() : SeededHapiServer<Program>("hapi-tests")
{
    public static readonly DateTime T0 = new(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    public IReadOnlyList<SeededFile> Aia => Files.Where(f => f.Dataset == "AIA_171").ToList();

    public HttpClient Client { get; private set; } = null!;

    protected override async Task SeedAsync()
    {
        DateTime[] aiaTimes =
        [
            T0.AddTicks(10),                                   // 2024-03-01T12:00:00.000001Z
            T0.AddTicks(20),                                   // 2024-03-01T12:00:00.000002Z
            T0.AddSeconds(1.5),                                // 2024-03-01T12:00:01.500000Z
            new(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc),        // 2024-03-02T00:00:00.000000Z (day 062 of 2024)
            new(2024, 4, 15, 8, 30, 0, DateTimeKind.Utc),      // 2024-04-15T08:30:00.000000Z
        ];
        for (var i = 0; i < aiaTimes.Length; i++)
        {
            var observed = new DateTime(2024, 3, 1, 11, 0, i, DateTimeKind.Utc).AddMilliseconds(123);
            var name = $"2024_03_01__11_00_{i:00}_123__SDO_AIA_AIA_171.jp2";
            await RegisterAsync(aiaTimes[i], "AIA_171", name, $"AIA/2024/03/01/171/{name}", observed);
        }
        await RegisterAsync(new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), "HMI_MAG",
            "2024_05_01__00_00_00_000__SDO_HMI_HMI_magnetogram.jp2",
            "HMI/2024/05/01/magnetogram/2024_05_01__00_00_00_000__SDO_HMI_HMI_magnetogram.jp2", new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc));
        // A name RFC 4180 must quote (comma and double quote), to prove the CSV writer does.
        await RegisterAsync(new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), "LASCO_C2",
            "odd,\"quoted\"_name.jp2", "LASCO-C2/2024/06/01/white-light/odd_quoted_name.jp2", new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc));

        // A file outside the catalog and a non-jp2 file: served / refused by what they are, not by the catalog.
        File.WriteAllText(Path.Combine(Root, "secret.txt"), "TOP-SECRET-OUTSIDE-THE-ARCHIVE");
        File.WriteAllText(Path.Combine(Archive, "notes.txt"), "TOP-SECRET-NOT-A-JP2");
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public override async Task DisposeAsync()
    {
        Client.Dispose();
        await base.DisposeAsync();
    }

    public static HttpRequestMessage Get(string url, string? acceptEncoding = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptEncoding is not null)
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(acceptEncoding));
        return request;
    }
}

[CollectionDefinition(Name)]
public sealed class HapiServerCollection : ICollectionFixture<HapiServerFixture>
{
    public const string Name = "HAPI server";
}
