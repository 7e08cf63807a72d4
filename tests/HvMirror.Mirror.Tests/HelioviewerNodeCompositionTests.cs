using HvMirror.Node;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HvMirror.Mirror.Tests;

/// <summary>How <see cref="HvMirrorNode"/> composes the Helioviewer writer and the follower, and what it refuses.</summary>
public sealed class HelioviewerNodeCompositionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hvmirror-node-hv-").FullName;

    [Fact]
    public void The_writer_alone_needs_the_broker_it_receives_FileIngested_on()
    {
        var refusal = HvMirrorNode.Refusal(NodeRoles.HelioviewerWriter, distributed: false);
        Assert.NotNull(refusal);
        Assert.Contains("ConnectionStrings__RabbitMq", refusal);
        Assert.Contains("--helioviewer-db", refusal);
        Assert.Null(HvMirrorNode.Refusal(NodeRoles.HelioviewerWriter, distributed: true));
    }

    [Theory]
    [InlineData(NodeRoles.Mirror | NodeRoles.HelioviewerWriter)]
    [InlineData(NodeRoles.Mirror | NodeRoles.HapiServer | NodeRoles.HelioviewerWriter)]
    [InlineData(NodeRoles.Follower)]
    [InlineData(NodeRoles.Follower | NodeRoles.HapiServer)]
    public void The_embedded_writer_and_the_follower_run_without_a_broker(NodeRoles roles) =>
        Assert.Null(HvMirrorNode.Refusal(roles, distributed: false));

    [Theory]
    [InlineData(NodeRoles.Follower, null, null, "HvMirror:Helioviewer:Database")]
    [InlineData(NodeRoles.Mirror | NodeRoles.HelioviewerWriter, null, null, "HvMirror:Helioviewer:Database")]
    [InlineData(NodeRoles.Follower, "HvMirror:Helioviewer:Database", "Server=db", "Database=")]
    [InlineData(NodeRoles.Follower, "HvMirror:Follower:BatchSize", "0", "FollowerOptions.BatchSize must be between")]
    [InlineData(NodeRoles.Mirror | NodeRoles.HelioviewerWriter, "HvMirror:Helioviewer:RetryLimit", "0", "HelioviewerOptions.RetryLimit must be between")]
    public async Task A_Helioviewer_role_with_a_missing_or_bad_setting_refuses_to_start_and_names_it(NodeRoles roles, string? key, string? value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["HvMirror:Archive"] = Path.Combine(_root, "archive"),
            ["HvMirror:Upstreams:0:Name"] = "primary",
            ["HvMirror:Upstreams:0:Url"] = "http://127.0.0.1:9/hapi",
        };
        if (roles != NodeRoles.Follower || key != "HvMirror:Helioviewer:Database")
            settings["HvMirror:Helioviewer:Database"] = key is null ? null : "Server=127.0.0.1;Port=9;Database=helioviewer";
        if (key is not null) settings[key] = value;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddHvMirrorNode(roles, node =>
        {
            node.PollInBackground = false;
            node.FollowInBackground = false;
        });
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, refused.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
