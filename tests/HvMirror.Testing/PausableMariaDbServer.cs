using Xunit;

namespace HvMirror.Testing;

/// <summary>
/// A MariaDB server of the test's own (<see cref="PrivateInfraServer"/> running <c>scripts/infra/mariadb.sh</c>), which
/// the test can take down and bring back to prove that an outage of Helioviewer's database loses nothing.
/// </summary>
public sealed class PausableMariaDbServer : IAsyncLifetime
{
    private PrivateInfraServer? _infra;
    private MariaDbServer? _server;

    /// <summary>The administrative connection string (no database selected).</summary>
    public string ConnectionString => Server.ConnectionString;

    private MariaDbServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        _infra = await PrivateInfraServer.StartAsync("mariadb.sh", "mariadb-server");
        var connectionString = _infra.Exports.GetValueOrDefault(MariaDbServer.Variable)
            ?? throw new TestServerUnavailableException($"scripts/infra/mariadb.sh start exported no {MariaDbServer.Variable}");
        _server = new MariaDbServer(name => name == MariaDbServer.Variable ? connectionString : null,
            () => throw new InvalidOperationException("no container for a private server"));
        await _server.InitializeAsync();
    }

    /// <summary>A fresh database with Helioviewer's tables on this server (see <see cref="MariaDbServer.CreateDatabaseAsync"/>).</summary>
    public Task<string> CreateDatabaseAsync(string? prefix = null) => Server.CreateDatabaseAsync(prefix);

    /// <summary>Shuts the server down; clients get connection errors until <see cref="ResumeAsync"/>.</summary>
    public async Task PauseAsync()
    {
        MySqlConnector.MySqlConnection.ClearAllPools();
        await Infra.PauseAsync();
    }

    public Task ResumeAsync() => Infra.ResumeAsync();

    private PrivateInfraServer Infra => _infra ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task DisposeAsync()
    {
        try
        {
            if (_server is not null)
            {
                await ResumeAsync();
                await _server.DisposeAsync();
            }
        }
        finally
        {
            if (_infra is not null) await _infra.DisposeAsync();
        }
    }
}
