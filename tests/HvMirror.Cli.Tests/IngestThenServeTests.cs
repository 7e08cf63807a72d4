using System.Net;
using System.Text.Json;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Cli.Commands;
using Microsoft.AspNetCore.Builder;

namespace HvMirror.Cli.Tests;

/// <summary>The primary's whole story through the CLI: a folder of jp2 files, ingested, served over HAPI on loopback.</summary>
public sealed class IngestThenServeTests : IAsyncLifetime
{
    private const string Name = "2024_12_31__00_04_47_122__SDO_AIA_AIA_94.jp2";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hvmirror-tests", Guid.NewGuid().ToString("N"));
    private readonly byte[] _content = SampleJp2.Create("served", padToBytes: 5000);
    private WebApplication? _app;
    private HttpClient _http = new();

    public async Task InitializeAsync()
    {
        var drop = Directory.CreateDirectory(Path.Combine(_root, "drop")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(drop, Name), _content);
        var archive = new ArchiveLocation(Path.Combine(_root, "archive"));
        Assert.Equal(ExitCodes.Success, await IngestCommand.RunAsync([drop], archive.Root, null, 1, TextWriter.Null, default));

        _app = ServeCommand.Build(archive, CatalogConnection.ForSqliteFile(archive.DefaultSqliteCatalog), urls: "http://127.0.0.1:0", publicUrl: null);
        await _app.StartAsync();
        var address = _app.Urls.Single();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    [Fact]
    public async Task The_ingested_file_is_listed_described_and_downloadable_byte_for_byte()
    {
        using var catalog = JsonDocument.Parse(await _http.GetStringAsync("/hapi/catalog"));
        Assert.Contains(catalog.RootElement.GetProperty("catalog").EnumerateArray(), d => d.GetProperty("id").GetString() == "AIA_94");

        using var info = JsonDocument.Parse(await _http.GetStringAsync("/hapi/info?dataset=AIA_94"));
        var start = info.RootElement.GetProperty("startDate").GetString();
        var stop = info.RootElement.GetProperty("stopDate").GetString();
        var csv = await _http.GetStringAsync($"/hapi/data?dataset=AIA_94&start={start}&stop={stop}");
        var fields = csv.Trim().Split(',');
        Assert.Equal(Name, fields[1]);
        Assert.Equal(Checksum.Sha256Of(_content).ToString(), fields[2]);
        Assert.EndsWith("/jp2/AIA/2024/12/31/94/" + Name, fields[3]);

        var download = await _http.GetAsync(fields[3]);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(_content, await download.Content.ReadAsByteArrayAsync());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
