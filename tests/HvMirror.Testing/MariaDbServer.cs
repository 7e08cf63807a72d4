using System.Collections.Concurrent;
using MySqlConnector;
using Testcontainers.MySql;
using Xunit;

namespace HvMirror.Testing;

/// <summary>
/// A real MariaDB server, the engine of a Helioviewer server's own database, for integration tests (an xunit class
/// or collection fixture). Where it comes from, in order: the MySqlConnector connection string in
/// <c>HVMIRROR_TEST_MARIADB</c> (a user that may CREATE DATABASE; <c>./scripts/test.sh</c> and
/// <c>scripts/infra/mariadb.sh</c> set it), a Testcontainers <c>mariadb:10.11</c> container when Docker is usable,
/// otherwise a <see cref="TestServerUnavailableException"/> that says how to run the tests. Never skips.
/// Tests isolate by database: <see cref="CreateDatabaseAsync"/> gives each its own, with Helioviewer's tables.
/// </summary>
public sealed class MariaDbServer : IAsyncLifetime
{
    public const string Variable = "HVMIRROR_TEST_MARIADB";

    private const string SchemaResource = "HvMirror.Testing.helioviewer-schema.sql";

    private readonly Func<string, string?> _environment;
    private readonly Func<MySqlContainer> _createContainer;
    private readonly ConcurrentBag<string> _databases = [];
    private MySqlContainer? _container;
    private string? _connectionString;

    public MariaDbServer()
        : this(Environment.GetEnvironmentVariable, () => new MySqlBuilder("mariadb:10.11").WithUsername("root").Build())
    {
    }

    /// <summary>For tests of the fixture itself: where the environment and the container come from.</summary>
    internal MariaDbServer(Func<string, string?> environment, Func<MySqlContainer> createContainer)
    {
        _environment = environment;
        _createContainer = createContainer;
    }

    /// <summary>The server's administrative connection string (no database selected).</summary>
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
                throw TestServerUnavailableException.NotConfigured("MariaDB", Variable, "scripts/infra/mariadb.sh", e);
            }
            _connectionString = new MySqlConnectionStringBuilder(_container.GetConnectionString()) { Database = "" }.ConnectionString;
        }

        try
        {
            await using var connection = new MySqlConnection(_connectionString);
            await connection.OpenAsync();
        }
        catch (Exception e)
        {
            throw new TestServerUnavailableException(
                $"Cannot connect to the MariaDB server of {Describe()}: {e.Message} " +
                $"Start one with: eval \"$(scripts/infra/mariadb.sh start)\" (it exports {Variable}).", e);
        }
    }

    /// <summary>
    /// Creates a fresh, uniquely named database holding Helioviewer's <c>data</c>, <c>datasources</c> and
    /// <c>data_coverage_30_min</c> tables (empty) and returns its connection string.
    /// </summary>
    /// <param name="prefix">Readable start of the name (letters, digits, _), e.g. the test class.</param>
    public async Task<string> CreateDatabaseAsync(string? prefix = null)
    {
        var clean = new string((prefix ?? "test").ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').Take(30).ToArray());
        var name = $"hvm_{clean}_{Guid.NewGuid().ToString("N")[..16]}";

        await using (var connection = new MySqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new MySqlCommand($"CREATE DATABASE `{name}` CHARACTER SET utf8", connection);
            await create.ExecuteNonQueryAsync();
        }
        _databases.Add(name);

        var connectionString = new MySqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
        await using (var connection = new MySqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var schema = new MySqlCommand(ReadSchema(), connection);
            await schema.ExecuteNonQueryAsync();
        }
        return connectionString;
    }

    public async Task DisposeAsync()
    {
        if (_connectionString is not null && !_databases.IsEmpty)
        {
            MySqlConnection.ClearAllPools();
            await using var connection = new MySqlConnection(_connectionString);
            await connection.OpenAsync();
            foreach (var name in _databases)
            {
                await using var drop = new MySqlCommand($"DROP DATABASE IF EXISTS `{name}`", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    private static string ReadSchema()
    {
        using var stream = typeof(MariaDbServer).Assembly.GetManifestResourceStream(SchemaResource)
            ?? throw new InvalidOperationException($"The embedded resource '{SchemaResource}' is missing from {typeof(MariaDbServer).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private string Describe()
    {
        if (_container is not null)
        {
            return "its Testcontainers container";
        }
        var builder = new MySqlConnectionStringBuilder(_connectionString ?? "") { Password = "" };
        return $"{Variable} ({builder.ConnectionString})";
    }
}
