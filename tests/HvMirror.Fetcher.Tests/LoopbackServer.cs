using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace HvMirror.Fetcher.Tests;

/// <summary>A real HTTP server on a loopback address and a free port, counting the requests it answers.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private LoopbackServer(WebApplication app) => _app = app;

    /// <summary>The base address, e.g. <c>http://127.0.0.2:41234</c>.</summary>
    public Uri BaseUrl => new(_app.Urls.First());

    public int Requests => Volatile.Read(ref _requests);

    public Uri Url(string path) => new(BaseUrl, path);

    /// <param name="address">An address to listen on: <c>127.0.0.1</c>, <c>127.0.0.2</c>, <c>[::1]</c>.</param>
    /// <param name="map">Maps the server's endpoints.</param>
    public static async Task<LoopbackServer> StartAsync(string address, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{address}:0");
        var server = new LoopbackServer(builder.Build());
        server._app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref server._requests);
            await next(context);
        });
        map(server._app);
        await server._app.StartAsync();
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
