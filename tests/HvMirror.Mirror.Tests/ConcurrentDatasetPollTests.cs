using HvMirror.Testing;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// An upstream's datasets are polled a few at once (<c>HvMirror:Poller:ConcurrentDatasets</c>), not one after another:
/// over a long link each dataset's poll is mostly waiting for the upstream's answers.
/// </summary>
[Collection(MirrorCollection.Name)]
public sealed class ConcurrentDatasetPollTests(PostgresServer postgres, RabbitMqBroker rabbit, ITestOutputHelper output)
    : MirrorTestBase(postgres, rabbit, output)
{
    [Fact]
    public async Task One_poll_asks_for_every_datasets_info_at_once_and_mirrors_them_all()
    {
        var faults = new UpstreamFaults();
        var primary = await StartPrimaryAsync(faults);
        await primary.IngestAsync(Samples(9, ThreeDatasets));
        faults.HoldInfoUntilInFlight(ThreeDatasets.Length);
        var mirror = await StartMirrorAsync("mirror", [primary]);

        var results = await mirror.PollAsync();
        await ConvergedAsync(primary, mirror, PrimaryName);

        Assert.Equal(ThreeDatasets.Length, faults.MostInfoInFlight);
        Assert.Equal(ThreeDatasets.Order(), results.Select(r => r.Dataset).Order());
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(9, results.Sum(r => r.Announced));
    }

    [Fact]
    public async Task ConcurrentDatasets_bounds_how_many_are_polled_at_once()
    {
        var faults = new UpstreamFaults();
        var primary = await StartPrimaryAsync(faults);
        await primary.IngestAsync(Samples(6, ThreeDatasets));
        faults.HoldInfoUntilInFlight(2);
        var mirror = await StartMirrorAsync("mirror", [primary], settings: new() { ["HvMirror:Poller:ConcurrentDatasets"] = "2" });

        await mirror.PollAsync();
        await ConvergedAsync(primary, mirror, PrimaryName);

        Assert.Equal(2, faults.MostInfoInFlight);
    }
}
