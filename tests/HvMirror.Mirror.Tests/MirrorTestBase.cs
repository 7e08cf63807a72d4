using System.Text;
using HvMirror.Archive;
using HvMirror.Catalog;
using HvMirror.Testing;

namespace HvMirror.Mirror.Tests;

/// <summary>Starts nodes for a test (each with its own database, archive and virtual host) and stops them afterwards.</summary>
public abstract class MirrorTestBase(PostgresServer postgres, RabbitMqBroker rabbit, ITestOutputHelper output) : IAsyncLifetime
{
    protected const string PrimaryName = "primary";
    protected static readonly string[] ThreeDatasets = ["AIA_171", "HMI_MAG", "LASCO_C2"];

    private readonly List<IAsyncDisposable> _nodes = [];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hvmirror-mirror-tests", Guid.NewGuid().ToString("N"));
    private static int _sampleStart;

    protected RabbitMqBroker Rabbit => rabbit;
    protected PostgresServer Postgres => postgres;
    protected string Root => _root;
    protected ITestOutputHelper Output => output;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Mirrors first (their fetchers may still talk to the upstreams), then the upstreams.
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            try { await _nodes[i].DisposeAsync(); }
            catch (Exception e) { output.WriteLine($"stopping a node failed: {e}"); }
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    protected async Task<TestNode> StartPrimaryAsync(UpstreamFaults? faults = null, string name = PrimaryName)
    {
        var node = await TestNode.StartAsync(new NodeSpec
        {
            Name = name,
            Catalog = await postgres.CreateDatabaseAsync(name),
            Archive = Path.Combine(_root, name),
            Hapi = true,
            Faults = faults ?? new UpstreamFaults(),
        }, output);
        _nodes.Add(node);
        return node;
    }

    /// <summary>A mirror node on <paramref name="vhost"/> with its catalog <paramref name="catalog"/> (new ones when null).</summary>
    protected async Task<TestNode> StartMirrorAsync(
        string name, IEnumerable<TestNode> upstreams, bool poller = true, bool backgroundPoller = false, bool comparer = true,
        bool fetcher = true, bool hapi = false, Uri? vhost = null, string? catalog = null, string? archive = null,
        Dictionary<string, string?>? settings = null, List<System.Diagnostics.Activity>? spans = null, HvMirror.Node.NodeRoles extraRoles = default)
    {
        var node = await TestNode.StartAsync(new NodeSpec
        {
            Name = name,
            Catalog = catalog ?? await postgres.CreateDatabaseAsync(name.Replace('-', '_')),
            Archive = archive ?? Path.Combine(_root, name),
            RabbitMq = vhost ?? await rabbit.CreateVirtualHostAsync(),
            Hapi = hapi,
            Poller = poller,
            BackgroundPoller = backgroundPoller,
            Comparer = comparer,
            Fetcher = fetcher,
            Upstreams = upstreams.Select(u => (u.Name, u.HapiUrl)).ToList(),
            Settings = settings ?? [],
            Faults = hapi ? new UpstreamFaults() : null,
            Spans = spans,
            ExtraRoles = extraRoles,
        }, output);
        _nodes.Add(node);
        return node;
    }

    protected void Track(IAsyncDisposable disposable) => _nodes.Add(disposable);

    /// <summary>Sample files in <paramref name="datasets"/>, observed at times no other call of this process uses.</summary>
    protected static List<SampleFile> Samples(int count, IReadOnlyList<string>? datasets = null, string variant = "v1")
    {
        var start = new DateTime(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc).AddMinutes(Interlocked.Add(ref _sampleStart, count) - count);
        return SampleFiles.Generate(DataSources.Helioviewer, datasets ?? ThreeDatasets, count, start, TimeSpan.FromMinutes(1),
            sizeBytes: 8_000, variant: variant).ToList();
    }

    protected static SampleFile Reprocessed(SampleFile file, string variant = "v2") =>
        SampleFiles.Create(DataSources.Helioviewer, file.Source, file.ObservedAt, 8_000, variant);

    /// <summary>
    /// Null when <paramref name="mirror"/> holds every file of <paramref name="upstream"/> (except <paramref name="except"/>)
    /// byte for byte: a catalog row with the same checksum, size and archive path, mirrored from
    /// <paramref name="upstreamName"/>, and the file at its archive path hashing to that checksum; no other files.
    /// Otherwise what differs.
    /// </summary>
    protected static async Task<string?> DifferenceAsync(TestNode upstream, TestNode mirror, string upstreamName, IReadOnlyCollection<string>? except = null) =>
        await DifferenceAsync(upstream, await mirror.FilesAsync(), mirror.Archive, upstreamName, except);

    /// <summary>The same for a mirror known by its catalog's rows and its archive (one not running in this process).</summary>
    protected static async Task<string?> DifferenceAsync(
        TestNode upstream, IEnumerable<CatalogFile> mirrorFiles, ArchiveLocation mirrorArchive, string upstreamName, IReadOnlyCollection<string>? except = null)
    {
        var expected = (await upstream.FilesAsync()).Where(f => except?.Contains(f.Name) != true).ToList();
        var held = mirrorFiles.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var problems = new StringBuilder();
        foreach (var file in expected)
        {
            if (!held.Remove(file.Name, out var copy)) { problems.AppendLine($"missing {file.Name}"); continue; }
            if (copy.Checksum != file.Checksum || copy.Size != file.Size || copy.ArchivePath != file.ArchivePath || copy.Dataset != file.Dataset)
                problems.AppendLine($"{file.Name}: mirror row {copy.Checksum}/{copy.Size}/{copy.ArchivePath}, upstream {file.Checksum}/{file.Size}/{file.ArchivePath}");
            else if (copy.Upstream != upstreamName || copy.UpstreamIngestedAt is null)
                problems.AppendLine($"{file.Name}: Upstream '{copy.Upstream}' ({copy.UpstreamIngestedAt}), expected '{upstreamName}'");
        }
        foreach (var extra in held.Keys.Where(n => except?.Contains(n) != true)) problems.AppendLine($"extra {extra}");
        if (problems.Length > 0) return $"{expected.Count} expected: {problems}";

        foreach (var file in expected)
        {
            var path = mirrorArchive.FullPath(file.ArchivePath);
            if (!File.Exists(path)) return $"{file.Name} is registered but not at {path}";
            var onDisk = Checksum.Sha256Of(await File.ReadAllBytesAsync(path)).ToString();
            if (onDisk != file.Checksum) return $"{file.Name} at {path} hashes to {onDisk}, not {file.Checksum}";
        }
        return null;
    }

    protected static Task ConvergedAsync(TestNode upstream, TestNode mirror, string upstreamName, IReadOnlyCollection<string>? except = null, TimeSpan? timeout = null)
    {
        string? last = null;
        return Eventually.HoldsAsync(
            async () => (last = await DifferenceAsync(upstream, mirror, upstreamName, except)) is null,
            () => Task.FromResult($"{mirror.Name} has not converged on {upstream.Name}: {last}"), timeout);
    }

    protected Task<long> DepthAsync(TestNode node, string queue) => rabbit.GetQueueDepthAsync(node.Spec.RabbitMq!, queue);

    /// <summary>The messages in <c>file-needed_error</c> (MassTransit declares it with its first fault: none yet is 0).</summary>
    protected async Task<long> ErrorDepthAsync(TestNode node, string queue = "file-needed_error")
    {
        try { return await DepthAsync(node, queue); }
        catch (InvalidOperationException e) when (e.Message.StartsWith("There is no queue", StringComparison.Ordinal)) { return 0; }
    }

    /// <summary>Waits until the pipeline's queues of <paramref name="node"/>'s virtual host are empty (all acknowledged).</summary>
    protected Task QueuesDrainedAsync(TestNode node) => Eventually.HoldsAsync(
        async () => await DepthAsync(node, "file-announced") == 0 && await DepthAsync(node, "file-needed") == 0,
        async () => $"queues of {node.Name}: file-announced {await DepthAsync(node, "file-announced")}, file-needed {await DepthAsync(node, "file-needed")}");
}
