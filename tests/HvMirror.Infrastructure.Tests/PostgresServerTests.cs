using HvMirror.Testing;
using Npgsql;

namespace HvMirror.Infrastructure.Tests;

public sealed class PostgresServerTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task A_created_database_runs_sql_on_a_real_postgresql_server()
    {
        var connectionString = await server.CreateDatabaseAsync("infra");

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var version = (string?)await new NpgsqlCommand("select version()", connection).ExecuteScalarAsync();
        var database = (string?)await new NpgsqlCommand("select current_database()", connection).ExecuteScalarAsync();

        Assert.Contains("PostgreSQL", version);
        Assert.Equal(new NpgsqlConnectionStringBuilder(connectionString).Database, database);
        Assert.StartsWith("hvm_infra_", database);
    }

    [Fact]
    public async Task Two_created_databases_are_distinct_and_start_empty()
    {
        var first = await server.CreateDatabaseAsync();
        var second = await server.CreateDatabaseAsync();
        Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);

        await using (var connection = new NpgsqlConnection(first))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand("create table files (name text primary key); insert into files values ('a.jp2')", connection).ExecuteNonQueryAsync();
            Assert.Equal(1L, await new NpgsqlCommand("select count(*) from files", connection).ExecuteScalarAsync());
        }
        await using (var connection = new NpgsqlConnection(second))
        {
            await connection.OpenAsync();
            Assert.Equal(true, await new NpgsqlCommand("select to_regclass('files') is null", connection).ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task Disposing_the_fixture_drops_its_databases()
    {
        var own = new PostgresServer();
        await own.InitializeAsync();
        var name = new NpgsqlConnectionStringBuilder(await own.CreateDatabaseAsync("dropped")).Database;
        Assert.True(await DatabaseExistsAsync(name!));

        await own.DisposeAsync();

        Assert.False(await DatabaseExistsAsync(name!));
    }

    private async Task<bool> DatabaseExistsAsync(string name)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        var command = new NpgsqlCommand("select count(*) from pg_database where datname = $1", connection) { Parameters = { new() { Value = name } } };
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }
}
