using HvMirror.Archive;
using HvMirror.Catalog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HvMirror.Fetcher.Tests;

/// <summary>
/// A fetcher's services as a host composes them (the real HttpClient and handler), with one upstream named
/// <see cref="Upstream"/> and a temporary archive, for driving <see cref="FileDownloader"/> directly.
/// </summary>
public sealed class DownloaderNode : IAsyncDisposable
{
    public const string Upstream = "primary";

    private readonly string _root = Directory.CreateTempSubdirectory("hvmirror-downloader-").FullName;
    private readonly ServiceProvider _services;

    /// <param name="upstreamUrl">The upstream's HAPI base url.</param>
    /// <param name="settings">More configuration, e.g. <c>HvMirror:Fetcher:MinimumRate</c>.</param>
    public DownloaderNode(Uri upstreamUrl, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ArchiveLocation.Setting] = Path.Combine(_root, "archive"),
            ["HvMirror:Upstreams:0:Name"] = Upstream,
            ["HvMirror:Upstreams:0:Url"] = new Uri(upstreamUrl, "hapi").ToString(),
        }.Concat(settings ?? new Dictionary<string, string?>())).Build();
        _services = new ServiceCollection().AddLogging().AddCatalog(configuration).AddFetcherServices(configuration)
            .BuildServiceProvider(validateScopes: true);
    }

    public FileDownloader Downloader => _services.GetRequiredService<FileDownloader>();

    public Task<Ingestion.StagedFile> DownloadAsync(Uri url) => Downloader.DownloadAsync(Upstream, url, CancellationToken.None);

    /// <summary>Files left in the staging folder: there must be none after a refused or failed download.</summary>
    public string[] StagedLeftovers()
    {
        var staging = _services.GetRequiredService<ArchiveLocation>().StagingFolder;
        return Directory.Exists(staging) ? Directory.GetFiles(staging) : [];
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
