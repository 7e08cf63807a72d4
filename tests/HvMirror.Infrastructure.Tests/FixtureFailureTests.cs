using DotNet.Testcontainers.Builders;
using HvMirror.Testing;

namespace HvMirror.Infrastructure.Tests;

/// <summary>
/// Without a server in the environment and without Docker, the fixtures fail (never skip) with a
/// message that says how to run the tests. The environment and Docker are replaced here, so these
/// run the same on any machine.
/// </summary>
public sealed class FixtureFailureTests
{
    private static string? NoEnvironment(string variable) => null;

    private static T NoDocker<T>() => throw new DockerUnavailableException("Docker is either not running or misconfigured.");

    [Fact]
    public async Task Postgres_without_environment_or_docker_names_the_command_to_run()
    {
        var server = new PostgresServer(NoEnvironment, NoDocker<Testcontainers.PostgreSql.PostgreSqlContainer>);

        var error = await Assert.ThrowsAsync<TestServerUnavailableException>(server.InitializeAsync);

        Assert.Contains("./scripts/test.sh", error.Message);
        Assert.Contains("scripts/infra/postgres.sh start", error.Message);
        Assert.Contains("HVMIRROR_TEST_POSTGRES", error.Message);
        Assert.IsType<DockerUnavailableException>(error.InnerException);
    }

    [Fact]
    public async Task MariaDb_without_environment_or_docker_names_the_command_to_run()
    {
        var server = new MariaDbServer(NoEnvironment, NoDocker<Testcontainers.MySql.MySqlContainer>);

        var error = await Assert.ThrowsAsync<TestServerUnavailableException>(server.InitializeAsync);

        Assert.Contains("./scripts/test.sh", error.Message);
        Assert.Contains("scripts/infra/mariadb.sh start", error.Message);
        Assert.Contains("HVMIRROR_TEST_MARIADB", error.Message);
    }

    [Fact]
    public async Task MariaDb_from_an_unreachable_environment_server_names_the_variable_and_hides_the_password()
    {
        var server = new MariaDbServer(
            v => v == MariaDbServer.Variable ? "Server=127.0.0.1;Port=1;User ID=nobody;Password=secret;Connection Timeout=3" : null,
            NoDocker<Testcontainers.MySql.MySqlContainer>);

        var error = await Assert.ThrowsAsync<TestServerUnavailableException>(server.InitializeAsync);

        Assert.Contains("HVMIRROR_TEST_MARIADB", error.Message);
        Assert.Contains("scripts/infra/mariadb.sh start", error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public async Task RabbitMq_without_environment_or_docker_names_the_command_to_run()
    {
        var broker = new RabbitMqBroker(NoEnvironment, NoDocker<Testcontainers.RabbitMq.RabbitMqContainer>);

        var error = await Assert.ThrowsAsync<TestServerUnavailableException>(broker.InitializeAsync);

        Assert.Contains("./scripts/test.sh", error.Message);
        Assert.Contains("scripts/infra/rabbitmq.sh start", error.Message);
        Assert.Contains("HVMIRROR_TEST_RABBITMQ", error.Message);
    }

    [Fact]
    public async Task Postgres_from_an_unreachable_environment_server_names_the_variable()
    {
        var server = new PostgresServer(
            v => v == PostgresServer.Variable ? "Host=127.0.0.1;Port=1;Username=nobody;Password=secret;Timeout=3" : null,
            NoDocker<Testcontainers.PostgreSql.PostgreSqlContainer>);

        var error = await Assert.ThrowsAsync<TestServerUnavailableException>(server.InitializeAsync);

        Assert.Contains("HVMIRROR_TEST_POSTGRES", error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public async Task RabbitMq_from_an_unreachable_environment_broker_names_the_variables()
    {
        var broker = new RabbitMqBroker(
            v => v switch
            {
                RabbitMqBroker.Variable => "amqp://guest:guest@127.0.0.1:1/",
                RabbitMqBroker.ManagementVariable => "http://guest:guest@127.0.0.1:1",
                _ => null,
            },
            NoDocker<Testcontainers.RabbitMq.RabbitMqContainer>);

        var error = await Assert.ThrowsAsync<TestServerUnavailableException>(broker.InitializeAsync);

        Assert.Contains("HVMIRROR_TEST_RABBITMQ_MANAGEMENT", error.Message);
    }
}
