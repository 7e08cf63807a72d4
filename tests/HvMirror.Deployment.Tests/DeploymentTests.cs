using System.Text.Json;
using System.Text.RegularExpressions;
using HvMirror.Fetcher;
using HvMirror.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HvMirror.Deployment.Tests;

/// <summary>
/// The deployment files agree with the code. The cheap invariants run here (every test run); scripts/check-deploy.sh
/// adds the schema validation (npm kubernetes-models), the compose checks and the Release publishes of each Dockerfile.
/// </summary>
public sealed class DeploymentTests
{
    private static readonly string[] LongRunning = ["Deployment", "StatefulSet", "DaemonSet"];
    private static readonly string[] Workloads = ["Deployment", "StatefulSet", "DaemonSet", "Job"];
    private static readonly string[] Roles = ["poller", "comparer", "fetcher", "server", "helioviewer-writer", "follower"];

    public static TheoryData<string> Overlays()
    {
        var data = new TheoryData<string>();
        foreach (var o in Repo.Overlays()) data.Add(o);
        return data;
    }

    /// <summary>The queue the fetcher really consumes: its consumer definition's endpoint name, kebab-case as the bus names it.</summary>
    private static string FetcherQueue() =>
        ((IConsumerDefinition)new FileNeededConsumerDefinition(Options.Create(new FetcherOptions()))).GetEndpointName(KebabCaseEndpointNameFormatter.Instance);

    [Fact]
    public void The_fetcher_consumes_file_needed_as_the_formatter_names_FileNeededConsumer()
    {
        Assert.Equal(KebabCaseEndpointNameFormatter.Instance.Consumer<FileNeededConsumer>(), FetcherQueue());
    }

    [Fact]
    public void The_README_s_queues_table_names_the_queue_the_Helioviewer_writer_consumes()
    {
        var queue = ((IConsumerDefinition)new HvMirror.HelioviewerWriter.HelioviewerWriterConsumerDefinition(
            Options.Create(new HvMirror.Helioviewer.HelioviewerOptions()))).GetEndpointName(KebabCaseEndpointNameFormatter.Instance);
        Assert.Equal("helioviewer-writer", queue);
        Assert.Matches(new Regex($@"(?m)^\|\s*`{Regex.Escape(queue)}`\s*\|\s*Helioviewer writer"), File.ReadAllText(Repo.PathOf("README.md")));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_Helioviewer_roles_are_configuration_only_until_a_Helioviewer_database_is_given(string overlay)
    {
        var resources = Repo.Render(overlay);
        foreach (var role in new[] { "helioviewer-writer", "follower" })
        {
            var d = Assert.Single(resources, r => r.Kind() == "Deployment" && r.Name() == $"hvmirror-{role}");
            Assert.Equal(0, d.Path("spec", "replicas")?.GetInt32());
            var env = d.Path("spec", "template", "spec", "containers").Items().First().Path("env").Items();
            var database = Assert.Single(env, e => e.Path("name")?.GetString() == "HvMirror__Helioviewer__Database");
            Assert.Equal("hvmirror-helioviewer", database.Path("valueFrom", "secretKeyRef", "name")?.GetString());
            Assert.Equal(true, database.Path("valueFrom", "secretKeyRef", "optional")?.GetBoolean());
        }
    }

    [Theory]
    [InlineData("production")]
    [InlineData("dev")]
    public void The_KEDA_ScaledObject_scales_the_fetchers_on_the_queue_they_consume(string overlay)
    {
        var resources = Repo.Render(overlay);
        var scaled = Assert.Single(resources, r => r.Kind() == "ScaledObject");
        Assert.Equal("hvmirror-fetcher", scaled.Path("spec", "scaleTargetRef", "name")?.GetString());
        Assert.Contains(resources, r => r.Kind() == "Deployment" && r.Name() == "hvmirror-fetcher");

        var trigger = Assert.Single(scaled.Path("spec", "triggers").Items());
        Assert.Equal("rabbitmq", trigger.Path("type")?.GetString());
        Assert.Equal(FetcherQueue(), trigger.Path("metadata", "queueName")?.GetString());
        // Over http the management API counts unacknowledged messages too (those the fetchers hold).
        Assert.Equal("http", trigger.Path("metadata", "protocol")?.GetString());
        var auth = trigger.Path("authenticationRef", "name")?.GetString();
        Assert.Contains(resources, r => r.Kind() == "TriggerAuthentication" && r.Name() == auth);
    }

    [Fact]
    public void There_are_dev_and_production_overlays()
    {
        Assert.Contains("dev", Repo.Overlays());
        Assert.Contains("production", Repo.Overlays());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_long_running_container_has_liveness_and_readiness_probes_and_every_container_requests_and_limits(string overlay)
    {
        var problems = new List<string>();
        foreach (var r in Repo.Render(overlay).Where(r => Workloads.Contains(r.Kind())))
        {
            var pod = r.Path("spec", "template", "spec")!.Value;
            foreach (var c in pod.Path("containers").Items().Concat(pod.Path("initContainers").Items()))
            {
                var where = $"{r.Kind()}/{r.Name()} container {c.Path("name")?.GetString()}";
                if (LongRunning.Contains(r.Kind()) && pod.Path("containers").Items().Contains(c))
                {
                    if (c.Path("livenessProbe") is null) problems.Add($"{where}: no livenessProbe");
                    if (c.Path("readinessProbe") is null) problems.Add($"{where}: no readinessProbe");
                }
                foreach (var kind in new[] { "requests", "limits" })
                foreach (var resource in new[] { "cpu", "memory" })
                    if (c.Path("resources", kind, resource) is null) problems.Add($"{where}: no resources.{kind}.{resource}");
            }
        }
        Assert.True(problems.Count == 0, $"k8s/overlays/{overlay}:\n" + string.Join('\n', problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_roles_probe_their_health_endpoints_and_outlast_the_consumer_stop_timeout(string overlay)
    {
        var resources = Repo.Render(overlay);
        var config = Assert.Single(resources, r => r.Kind() == "ConfigMap" && r.Name() == "hvmirror-config");
        var consumerStop = TimeSpan.Parse(config.Path("data", "HvMirror__ConsumerStopTimeout")!.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(consumerStop > TimeSpan.FromSeconds(20), "the consumer stop timeout should exceed the code's default (20 s) and a typical download");
        foreach (var role in Roles)
        {
            var d = Assert.Single(resources, r => r.Kind() == "Deployment" && r.Name() == $"hvmirror-{role}");
            var pod = d.Path("spec", "template", "spec")!.Value;
            var c = pod.Path("containers").Items().First();
            Assert.Equal("/health/live", c.Path("livenessProbe", "httpGet", "path")?.GetString());
            Assert.Equal("/health/ready", c.Path("readinessProbe", "httpGet", "path")?.GetString());
            var grace = pod.Path("terminationGracePeriodSeconds")?.GetInt32() ?? 30;
            Assert.True(TimeSpan.FromSeconds(grace) > consumerStop,
                $"{overlay}: hvmirror-{role}'s terminationGracePeriodSeconds ({grace}) must exceed HvMirror__ConsumerStopTimeout ({consumerStop})");
            Assert.Equal(true, pod.Path("securityContext", "runAsNonRoot")?.GetBoolean());
            Assert.Equal(true, c.Path("securityContext", "readOnlyRootFilesystem")?.GetBoolean());
            Assert.Contains("ALL", c.Path("securityContext", "capabilities", "drop").Items().Select(x => x.GetString()));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_container_image_is_one_we_build_or_a_pinned_public_image_of_deploy_images_json(string overlay)
    {
        var (built, pub) = Images();
        var problems = new List<string>();
        foreach (var r in Repo.Render(overlay).Where(r => Workloads.Contains(r.Kind())))
        foreach (var c in r.Path("spec", "template", "spec", "containers").Items())
        {
            var image = c.Path("image")?.GetString() ?? "";
            if (pub.Contains(image)) continue;
            var m = Regex.Match(image, @"^(?:.*/)?(?<name>[^/:]+):(?<tag>[^/:]+)$");
            if (!m.Success || !built.ContainsKey(m.Groups["name"].Value) || m.Groups["tag"].Value == "latest")
                problems.Add($"{r.Kind()}/{r.Name()}: image '{image}'");
        }
        Assert.True(problems.Count == 0, $"k8s/overlays/{overlay} uses images that deploy/images.json does not list (or unpinned):\n" + string.Join('\n', problems));
    }

    [Fact]
    public void Each_Dockerfile_publishes_an_existing_project_and_runs_its_assembly()
    {
        var (built, _) = Images();
        Assert.Equal(["hvmirror-cli", "hvmirror-comparer", "hvmirror-fetcher", "hvmirror-follower", "hvmirror-helioviewer-writer", "hvmirror-poller", "hvmirror-server"],
            built.Keys.Order());
        foreach (var (image, dockerfile) in built)
        {
            var text = File.ReadAllText(Repo.PathOf(dockerfile)).Replace("\\\n", " ");
            var project = Regex.Match(text, @"dotnet\s+publish\s+(\S+\.csproj)").Groups[1].Value;
            Assert.True(File.Exists(Repo.PathOf(project)), $"{dockerfile} publishes '{project}', which does not exist");
            var csproj = File.ReadAllText(Repo.PathOf(project));
            var assembly = Regex.Match(csproj, "<AssemblyName>([^<]+)</AssemblyName>") is { Success: true } a ? a.Groups[1].Value : Path.GetFileNameWithoutExtension(project);
            Assert.Matches(new Regex($@"(?m)^ENTRYPOINT\s+\[\s*""dotnet""\s*,\s*""{Regex.Escape(assembly)}\.dll""\s*\]"), text);
            Assert.Matches(new Regex(@"(?m)^FROM mcr\.microsoft\.com/dotnet/sdk:10\.0 AS build"), text);
            Assert.Matches(new Regex(@"(?m)^FROM mcr\.microsoft\.com/dotnet/aspnet:10\.0\S* AS runtime"), text);
            var user = Regex.Matches(text, @"(?m)^USER\s+(\S+)").Select(m => m.Groups[1].Value).LastOrDefault();
            Assert.True(user is not null && Regex.IsMatch(user, "^[1-9][0-9]*$"), $"{dockerfile} must end as a numeric non-root USER (is {user ?? "unset"})");
            var copied = Regex.Matches(text, @"(?m)^COPY\s+(?!--from)(\S+)").Select(m => m.Groups[1].Value).ToList();
            Assert.True(copied.Any(source => source.EndsWith('/') && project.StartsWith(source)),
                $"{dockerfile} publishes {project} but copies no folder that holds it ({string.Join(", ", copied)})");
        }
    }

    [Fact]
    public void Each_Dockerfile_publishes_ReadyToRun_for_the_image_architecture()
    {
        var (built, _) = Images();
        foreach (var (_, dockerfile) in built)
        {
            var text = File.ReadAllText(Repo.PathOf(dockerfile)).Replace("\\\n", " ");
            Assert.Matches(new Regex(@"(?m)^ARG TARGETARCH\s*$"), text);
            Assert.Matches(new Regex(@"dotnet\s+restore\s+\S+\.csproj\s+-a \$TARGETARCH"), text);
            var publish = Regex.Match(text, @"dotnet\s+publish\s+\S+\.csproj[^\n]*").Value;
            Assert.True(publish.Contains("-a $TARGETARCH") && publish.Contains("-p:PublishReadyToRun=true"),
                $"{dockerfile}: the publish must be ReadyToRun for the image's architecture (-a $TARGETARCH -p:PublishReadyToRun=true): {publish}");
        }
    }

    [Fact]
    public void Compose_builds_our_images_from_the_listed_Dockerfiles_and_pins_every_other_image()
    {
        var (built, pub) = Images();
        var compose = File.ReadAllLines(Repo.PathOf("docker-compose.yml"));
        var images = compose.Select(l => Regex.Match(l, @"^\s+image:\s*(\S+)\s*$")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        var dockerfiles = compose.Select(l => Regex.Match(l, @"^\s+dockerfile:\s*(\S+)\s*$")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(images);
        foreach (var image in images)
        {
            var name = image.Split(':')[0];
            Assert.True(pub.Contains(image) || built.ContainsKey(name), $"docker-compose.yml: image {image} is not in deploy/images.json");
        }
        foreach (var d in dockerfiles)
        {
            Assert.True(File.Exists(Repo.PathOf(d)), $"docker-compose.yml: dockerfile {d} does not exist");
            Assert.Contains(d, built.Values);
        }
        foreach (var role in Roles) Assert.Contains($"hvmirror-{role}:dev", images);
    }

    private static (Dictionary<string, string> Built, HashSet<string> Public) Images()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Repo.PathOf("deploy/images.json")));
        var built = doc.RootElement.GetProperty("built").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var pub = doc.RootElement.GetProperty("public").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        return (built, pub);
    }
}
