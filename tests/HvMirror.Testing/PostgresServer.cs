using System.Collections.Concurrent;
using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;

namespace HvMirror.Testing;

/// <summary>
/// A real PostgreSQL server for integration tests (an xunit class or collection fixture).
/// Where it comes from, in order: the connection string in <c>HVMIRROR_TEST_POSTGRES</c> (a role that
/// may CREATE DATABASE; <c>./scripts/test.sh</c> and <c>scripts/infra/postgres.sh</c> set it), a
/// Testcontainers <c>postgres:15</c> container when Docker is usable, otherwise a
/// <see cref="TestServerUnavailableException"/> that says how to run the tests. Never skips.
/// Tests isolate by database: <see cref="CreateDatabaseAsync"/> gives each its own, dropped at dispose.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string Variable = "HVMIRROR_TEST_POSTGRES";

    private readonly Func<string, string?> _environment;
    private readonly Func<PostgreSqlContainer> _createContainer;
    private readonly ConcurrentBag<string> _databases = [];
    private PostgreSqlContainer? _container;
    private string? _connectionString;

    public PostgresServer()
        : this(Environment.GetEnvironmentVariable, () => new PostgreSqlBuilder("postgres:15").Build())
    {
    }

    /// <summary>For tests of the fixture itself: where the environment and the container come from.</summary>
    internal PostgresServer(Func<string, string?> environment, Func<PostgreSqlContainer> createContainer)
    {
        _environment = environment;
        _createContainer = createContainer;
    }

    /// <summary>The server's administrative connection string (its maintenance database).</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var fromEnvironment = _environment(Variable);
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
                throw TestServerUnavailableException.NotConfigured("PostgreSQL", Variable, "scripts/infra/postgres.sh", e);
            }
            _connectionString = _container.GetConnectionString();
        }

        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
        }
        catch (Exception e)
        {
            throw new TestServerUnavailableException(
                $"Cannot connect to the PostgreSQL server of {Describe()}: {e.Message}", e);
        }
    }

    /// <summary>Creates a fresh, empty, uniquely named database and returns its connection string.</summary>
    /// <param name="prefix">Readable start of the name (letters, digits, _), e.g. the test class.</param>
    public async Task<string> CreateDatabaseAsync(string? prefix = null)
    {
        var clean = new string((prefix ?? "test").ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').Take(30).ToArray());
        var name = $"hvm_{clean}_{Guid.NewGuid().ToString("N")[..16]}";

        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_connectionString is not null && !_databases.IsEmpty)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            foreach (var name in _databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    private string Describe()
    {
        if (_container is not null)
        {
            return "its Testcontainers container";
        }
        var builder = new NpgsqlConnectionStringBuilder(_connectionString) { Password = null };
        return $"{Variable} ({builder.ConnectionString})";
    }
}
