using HvMirror.Node;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HvMirror.Mirror.Tests;

/// <summary>What <see cref="HvMirrorNode"/> refuses before any work: role sets that would lose messages, and bad settings.</summary>
public sealed class NodeCompositionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hvmirror-node-").FullName;

    [Theory]
    [InlineData(NodeRoles.Poller)]
    [InlineData(NodeRoles.Fetcher)]
    [InlineData(NodeRoles.Comparer | NodeRoles.Fetcher)]
    public void Some_mirror_roles_without_a_broker_are_refused_with_what_to_set(NodeRoles roles)
    {
        var refusal = HvMirrorNode.Refusal(roles, distributed: false);

        Assert.NotNull(refusal);
        Assert.Contains("ConnectionStrings__RabbitMq", refusal);
        Assert.Contains("hvmirror mirror", refusal);
        Assert.Null(HvMirrorNode.Refusal(roles, distributed: true));
    }

    [Theory]
    [InlineData(NodeRoles.Mirror)]
    [InlineData(NodeRoles.Mirror | NodeRoles.HapiServer)]
    [InlineData(NodeRoles.HapiServer)]
    public void All_mirror_roles_or_none_run_without_a_broker(NodeRoles roles) =>
        Assert.Null(HvMirrorNode.Refusal(roles, distributed: false));

    [Theory]
    [InlineData("HvMirror:Upstreams:0:Url", "ftp://primary.example.org/hapi", "is not an absolute http(s) URL")]
    [InlineData("HvMirror:Upstreams:0:Name", "two words", "an upstream's Name is")]
    [InlineData("HvMirror:Upstreams:1:Name", "primary", "2 upstreams are named 'primary'")]
    [InlineData("HvMirror:Upstreams:0:FileHosts:0", "not a host/", "FileHosts entry 'not a host/'")]
    [InlineData("HvMirror:Fetcher:ConcurrentDownloads", "0", "FetcherOptions.ConcurrentDownloads must be between 1 and 4096")]
    [InlineData("HvMirror:Fetcher:Attempts", "0", "FetcherOptions.Attempts must be between 1 and 100")]
    [InlineData("HvMirror:Poller:Chunk", "00:00:00", "PollerOptions.Chunk must be between")]
    [InlineData("HvMirror:PublicUrl", "mirror.example.org", "HvMirror:PublicUrl 'mirror.example.org' must be an absolute http(s) URL")]
    public async Task A_node_with_a_bad_setting_refuses_to_start_and_names_it(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["HvMirror:Archive"] = Path.Combine(_root, "archive"),
            ["HvMirror:Upstreams:0:Name"] = "primary",
            ["HvMirror:Upstreams:0:Url"] = "http://127.0.0.1:9/hapi",
            [key] = value,
        };
        if (key.StartsWith("HvMirror:Upstreams:1:", StringComparison.Ordinal)) settings["HvMirror:Upstreams:1:Url"] = "http://127.0.0.2:9/hapi";
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddHvMirrorNode(NodeRoles.Mirror | NodeRoles.HapiServer, node => node.PollInBackground = false);
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, refused.Message);
    }

    [Fact]
    public void A_node_does_not_report_usage_to_masstransit()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HvMirror:Archive"] = Path.Combine(_root, "archive"),
            ["HvMirror:Upstreams:0:Name"] = "primary",
            ["HvMirror:Upstreams:0:Url"] = "http://127.0.0.1:9/hapi",
        });
        builder.AddHvMirrorNode(NodeRoles.Mirror | NodeRoles.HapiServer, node => node.PollInBackground = false);
        using var host = builder.Build();

        Assert.False(host.Services.GetRequiredService<IOptions<MassTransit.UsageTelemetryOptions>>().Value.Enabled);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
