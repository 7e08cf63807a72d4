using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Testcontainers.RabbitMq;
using Xunit;

namespace HvMirror.Testing;

/// <summary>
/// A real RabbitMQ broker with the management plugin for integration tests (an xunit class or
/// collection fixture). Where it comes from, in order: <c>HVMIRROR_TEST_RABBITMQ</c>
/// (<c>amqp://user:pass@host:port/</c>) with <c>HVMIRROR_TEST_RABBITMQ_MANAGEMENT</c>
/// (<c>http://user:pass@host:port</c>, by default the AMQP host and credentials on port 15672) —
/// <c>./scripts/test.sh</c> and <c>scripts/infra/rabbitmq.sh</c> set both —, a Testcontainers
/// container when Docker is usable, otherwise a <see cref="TestServerUnavailableException"/> that
/// says how to run the tests. Never skips.
/// Tests isolate by virtual host: <see cref="CreateVirtualHostAsync"/> gives each its own, deleted at dispose.
/// </summary>
public sealed class RabbitMqBroker : IAsyncLifetime
{
    public const string Variable = "HVMIRROR_TEST_RABBITMQ";
    public const string ManagementVariable = "HVMIRROR_TEST_RABBITMQ_MANAGEMENT";
    private const int DefaultManagementPort = 15672;

    private readonly Func<string, string?> _environment;
    private readonly Func<RabbitMqContainer> _createContainer;
    private readonly ConcurrentBag<string> _virtualHosts = [];
    private RabbitMqContainer? _container;
    private Uri? _amqp;
    private HttpClient? _management;

    public RabbitMqBroker()
        : this(Environment.GetEnvironmentVariable, () => new RabbitMqBuilder("rabbitmq:3.13-management")
            .WithPortBinding(DefaultManagementPort, true)
            // Queue statistics (GetQueueDepthAsync) every 0.5 s instead of every 5 s.
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-rabbit collect_statistics_interval 500")
            .Build())
    {
    }

    /// <summary>For tests of the fixture itself: where the environment and the container come from.</summary>
    internal RabbitMqBroker(Func<string, string?> environment, Func<RabbitMqContainer> createContainer)
    {
        _environment = environment;
        _createContainer = createContainer;
    }

    /// <summary>The broker's AMQP address (user, password, host, port; the default virtual host).</summary>
    public Uri AmqpUri => _amqp ?? throw new InvalidOperationException("The fixture is not initialized.");

    private HttpClient Management => _management ?? throw new InvalidOperationException("The fixture is not initialized.");

    private string AmqpUser => Uri.UnescapeDataString(AmqpUri.UserInfo.Split(':')[0]);

    public async Task InitializeAsync()
    {
        Uri management;
        var fromEnvironment = _environment(Variable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            _amqp = new Uri(fromEnvironment);
            var managementVariable = _environment(ManagementVariable);
            management = !string.IsNullOrWhiteSpace(managementVariable)
                ? new Uri(managementVariable)
                : new UriBuilder("http", _amqp.Host, DefaultManagementPort) { UserName = AmqpUser, Password = AmqpUri.UserInfo.Split(':').ElementAtOrDefault(1) ?? "" }.Uri;
        }
        else
        {
            try
            {
                _container = _createContainer();
                await _container.StartAsync();
            }
            catch (Exception e)
            {
                throw TestServerUnavailableException.NotConfigured("RabbitMQ", Variable, "scripts/infra/rabbitmq.sh", e);
            }
            _amqp = new Uri(_container.GetConnectionString());
            management = new UriBuilder("http", _container.Hostname, _container.GetMappedPublicPort(DefaultManagementPort))
            { UserName = AmqpUser, Password = AmqpUri.UserInfo.Split(':').ElementAtOrDefault(1) ?? "" }.Uri;
        }

        var credentials = Uri.UnescapeDataString(management.UserInfo);
        _management = new HttpClient(new HttpClientHandler { UseProxy = false }) { BaseAddress = new Uri(management.GetLeftPart(UriPartial.Authority) + "/api/") };
        _management.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        try
        {
            (await _management.GetAsync("overview")).EnsureSuccessStatusCode();
        }
        catch (Exception e)
        {
            throw new TestServerUnavailableException(
                $"Cannot reach the RabbitMQ management API at {_management.BaseAddress} ({(_container is null ? $"{ManagementVariable} / {Variable}" : "Testcontainers")}): {e.Message}", e);
        }
    }

    /// <summary>
    /// Creates a fresh virtual host, lets the AMQP user do anything in it, and returns the AMQP
    /// address of that virtual host (<c>amqp://user:pass@host:port/vhost</c>).
    /// </summary>
    public async Task<Uri> CreateVirtualHostAsync()
    {
        var name = $"hvm-{Guid.NewGuid().ToString("N")[..16]}";
        (await Management.PutAsync($"vhosts/{name}", JsonContent.Create(new { }))).EnsureSuccessStatusCode();
        _virtualHosts.Add(name);
        var everything = new { configure = ".*", write = ".*", read = ".*" };
        (await Management.PutAsync($"permissions/{name}/{Uri.EscapeDataString(AmqpUser)}", JsonContent.Create(everything)))
            .EnsureSuccessStatusCode();
        return new UriBuilder(AmqpUri) { Path = "/" + name }.Uri;
    }

    /// <summary>Deletes a virtual host: its connections are closed and cannot come back (the broker "goes away" for them).</summary>
    public async Task DeleteVirtualHostAsync(Uri virtualHost)
    {
        var name = VirtualHostOf(virtualHost);
        (await Management.DeleteAsync($"vhosts/{Uri.EscapeDataString(name)}")).EnsureSuccessStatusCode();
    }

    /// <summary>The virtual host named by an AMQP address ("/" when it names none).</summary>
    public static string VirtualHostOf(Uri amqpUri)
    {
        var path = Uri.UnescapeDataString(amqpUri.AbsolutePath.TrimStart('/'));
        return path.Length == 0 ? "/" : path;
    }

    /// <summary>
    /// The messages in a queue, ready and unacknowledged, as the management API reports them: its
    /// statistics are refreshed periodically (0.5 s on the brokers our scripts start, 5 s by default),
    /// so poll when waiting for a value. Throws if the queue does not exist.
    /// </summary>
    public async Task<long> GetQueueDepthAsync(string virtualHost, string queue)
    {
        var path = $"queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}";
        for (var attempt = 0; ; attempt++)
        {
            using var response = await Management.GetAsync(path);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new InvalidOperationException($"There is no queue '{queue}' in virtual host '{virtualHost}'.");
            }
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            // A queue's counts appear with its first statistics, shortly after it is declared.
            if (json.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Number)
            {
                return messages.GetInt64();
            }
            if (attempt >= 100)
            {
                throw new TimeoutException($"The management API reported no message count for queue '{queue}' in '{virtualHost}' within 10 s.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The type the broker gave a queue when it was declared: <c>classic</c> or <c>quorum</c>.</summary>
    public async Task<string> GetQueueTypeAsync(Uri virtualHost, string queue)
    {
        var path = $"queues/{Uri.EscapeDataString(VirtualHostOf(virtualHost))}/{Uri.EscapeDataString(queue)}";
        using var response = await Management.GetAsync(path);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("type").GetString()!;
    }

    /// <inheritdoc cref="GetQueueDepthAsync(string, string)"/>
    public Task<long> GetQueueDepthAsync(Uri virtualHost, string queue) => GetQueueDepthAsync(VirtualHostOf(virtualHost), queue);

    public async Task DisposeAsync()
    {
        if (_management is not null)
        {
            foreach (var name in _virtualHosts)
            {
                await _management.DeleteAsync($"vhosts/{name}");
            }
            _management.Dispose();
        }
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
