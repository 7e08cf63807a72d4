using System.Data.Common;
using MySqlConnector;
using Testcontainers.MySql;

namespace HvMirror.Testing;

/// <summary>
/// A real MariaDB server, the engine of a Helioviewer server's own database (<c>HVMIRROR_TEST_MARIADB</c>, a
/// MySqlConnector connection string set by <c>scripts/infra/mariadb.sh</c>, or a Testcontainers <c>mariadb:10.11</c>):
/// see <see cref="DatabaseServer{TContainer}"/>. Each database it creates holds Helioviewer's tables, empty.
/// </summary>
public sealed class MariaDbServer : DatabaseServer<MySqlContainer>
{
    public const string Variable = "HVMIRROR_TEST_MARIADB";

    private const string SchemaResource = "HvMirror.Testing.helioviewer-schema.sql";

    public MariaDbServer()
        : this(Environment.GetEnvironmentVariable, () => new MySqlBuilder("mariadb:10.11").WithUsername("root").Build())
    {
    }

    /// <summary>For tests of the fixture itself: where the environment and the container come from.</summary>
    internal MariaDbServer(Func<string, string?> environment, Func<MySqlContainer> createContainer)
        : base("MariaDB", Variable, "scripts/infra/mariadb.sh", environment, createContainer)
    {
    }

    protected override DbConnection Connect(string connectionString) => new MySqlConnection(connectionString);

    protected override string WithDatabase(string connectionString, string database) =>
        new MySqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    protected override string WithoutPassword(string connectionString) =>
        new MySqlConnectionStringBuilder(connectionString) { Password = "" }.ConnectionString;

    protected override string AdministrativeConnectionStringOf(string containerConnectionString) => WithDatabase(containerConnectionString, "");

    protected override string CreateDatabaseSql(string name) => $"CREATE DATABASE `{name}` CHARACTER SET utf8";

    protected override string DropDatabaseSql(string name) => $"DROP DATABASE IF EXISTS `{name}`";

    protected override void ClearPools() => MySqlConnection.ClearAllPools();

    /// <summary>Helioviewer's <c>data</c>, <c>datasources</c> and <c>data_coverage_30_min</c> tables.</summary>
    protected override Task PrepareAsync(string connectionString) => ExecuteAsync(connectionString, ReadSchema());

    private static string ReadSchema()
    {
        using var stream = typeof(MariaDbServer).Assembly.GetManifestResourceStream(SchemaResource)
            ?? throw new InvalidOperationException($"The embedded resource '{SchemaResource}' is missing from {typeof(MariaDbServer).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
