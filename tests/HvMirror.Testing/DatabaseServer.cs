using System.Collections.Concurrent;
using System.Data.Common;
using DotNet.Testcontainers.Containers;
using Xunit;

namespace HvMirror.Testing;

/// <summary>
/// A real database server for integration tests (an xunit class or collection fixture). Where it comes from, in order:
/// the connection string in the environment variable (a user that may CREATE DATABASE; <c>./scripts/test.sh</c> and the
/// server's <c>scripts/infra/</c> script set it), a Testcontainers container when Docker is usable, otherwise a
/// <see cref="TestServerUnavailableException"/> that says how to run the tests. Never skips. Tests isolate by database:
/// <see cref="CreateDatabaseAsync"/> gives each its own, dropped at dispose.
/// </summary>
public abstract class DatabaseServer<TContainer> : IAsyncLifetime where TContainer : DockerContainer, IDatabaseContainer
{
    private readonly string _engine;
    private readonly string _variable;
    private readonly string _infraScript;
    private readonly Func<string, string?> _environment;
    private readonly Func<TContainer> _createContainer;
    private readonly ConcurrentBag<string> _databases = [];
    private TContainer? _container;
    private string? _connectionString;

    /// <param name="engine">The server's name in messages, e.g. "PostgreSQL".</param>
    /// <param name="variable">The environment variable holding the administrative connection string.</param>
    /// <param name="infraScript">The script that starts one, relative to the repository root.</param>
    protected DatabaseServer(string engine, string variable, string infraScript, Func<string, string?> environment, Func<TContainer> createContainer)
    {
        _engine = engine;
        _variable = variable;
        _infraScript = infraScript;
        _environment = environment;
        _createContainer = createContainer;
    }

    /// <summary>The server's administrative connection string.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var fromEnvironment = _environment(_variable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            _connectionString = fromEnvironment;
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
                throw TestServerUnavailableException.NotConfigured(_engine, _variable, _infraScript, e);
            }
            _connectionString = AdministrativeConnectionStringOf(_container.GetConnectionString());
        }

        try
        {
            await using var connection = Connect(_connectionString);
            await connection.OpenAsync();
        }
        catch (Exception e)
        {
            throw new TestServerUnavailableException(
                $"Cannot connect to the {_engine} server of {Describe()}: {e.Message} " +
                $"Start one with: eval \"$({_infraScript} start)\" (it exports {_variable}).", e);
        }
    }

    /// <summary>Creates a fresh, uniquely named database (see <see cref="PrepareAsync"/>) and returns its connection string.</summary>
    /// <param name="prefix">Readable start of the name (letters, digits, _), e.g. the test class.</param>
    public async Task<string> CreateDatabaseAsync(string? prefix = null)
    {
        var clean = new string((prefix ?? "test").ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').Take(30).ToArray());
        var name = $"hvm_{clean}_{Guid.NewGuid().ToString("N")[..16]}";
        await ExecuteAsync(ConnectionString, CreateDatabaseSql(name));
        _databases.Add(name);
        var connectionString = WithDatabase(ConnectionString, name);
        await PrepareAsync(connectionString);
        return connectionString;
    }

    public async Task DisposeAsync()
    {
        if (_connectionString is not null && !_databases.IsEmpty)
        {
            ClearPools();
            foreach (var name in _databases)
                await ExecuteAsync(_connectionString, DropDatabaseSql(name));
        }
        if (_container is not null)
            await _container.DisposeAsync();
    }

    protected abstract DbConnection Connect(string connectionString);

    protected abstract string WithDatabase(string connectionString, string database);

    protected abstract string WithoutPassword(string connectionString);

    protected abstract string CreateDatabaseSql(string name);

    protected abstract string DropDatabaseSql(string name);

    protected abstract void ClearPools();

    /// <summary>The connection string to administer a container's server with, from the one it gives.</summary>
    protected virtual string AdministrativeConnectionStringOf(string containerConnectionString) => containerConnectionString;

    /// <summary>What a new database holds before a test gets it (nothing, unless an engine's fixture says otherwise).</summary>
    protected virtual Task PrepareAsync(string connectionString) => Task.CompletedTask;

    protected async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = Connect(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private string Describe() =>
        _container is not null ? "its Testcontainers container" : $"{_variable} ({WithoutPassword(_connectionString ?? "")})";
}
