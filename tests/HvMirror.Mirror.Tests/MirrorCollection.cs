using HvMirror.Testing;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// One PostgreSQL and one RabbitMQ for every test here; each test takes its own databases and virtual hosts. The tests
/// run one after the other: each starts several hosts, and the build machines have two cores.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MirrorCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<RabbitMqBroker>
{
    public const string Name = "mirror";
}
