using System.Data.Common;
using Npgsql;
using Testcontainers.PostgreSql;

namespace HvMirror.Testing;

/// <summary>
/// A real PostgreSQL server (<c>HVMIRROR_TEST_POSTGRES</c>, set by <c>scripts/infra/postgres.sh</c>, or a Testcontainers
/// <c>postgres:15</c>): see <see cref="DatabaseServer{TContainer}"/>. Its connection string names the maintenance database.
/// </summary>
public sealed class PostgresServer : DatabaseServer<PostgreSqlContainer>
{
    public const string Variable = "HVMIRROR_TEST_POSTGRES";

    public PostgresServer()
        : this(Environment.GetEnvironmentVariable, () => new PostgreSqlBuilder("postgres:15").Build())
    {
    }

    /// <summary>For tests of the fixture itself: where the environment and the container come from.</summary>
    internal PostgresServer(Func<string, string?> environment, Func<PostgreSqlContainer> createContainer)
        : base("PostgreSQL", Variable, "scripts/infra/postgres.sh", environment, createContainer)
    {
    }

    protected override DbConnection Connect(string connectionString) => new NpgsqlConnection(connectionString);

    protected override string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    protected override string WithoutPassword(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Password = null }.ConnectionString;

    protected override string CreateDatabaseSql(string name) => $"CREATE DATABASE \"{name}\"";

    protected override string DropDatabaseSql(string name) => $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)";

    protected override void ClearPools() => NpgsqlConnection.ClearAllPools();
}
