using Microsoft.AspNetCore.Builder;

namespace HvMirror.Fetcher.Tests;

/// <summary>Tests against one real upstream on 127.0.0.1, whose endpoints each test class maps, serving <see cref="Jp2File"/>.</summary>
public abstract class LoopbackUpstreamTests(byte[] jp2File) : IAsyncLifetime
{
    protected byte[] Jp2File { get; } = jp2File;

    protected LoopbackServer Upstream { get; private set; } = null!;

    protected abstract void MapEndpoints(WebApplication app);

    public virtual async Task InitializeAsync() => Upstream = await LoopbackServer.StartAsync("127.0.0.1", MapEndpoints);

    public virtual async Task DisposeAsync() => await Upstream.DisposeAsync();
}
