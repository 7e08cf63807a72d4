using HvMirror.Audit;
using HvMirror.Catalog;
using HvMirror.Contracts;
using HvMirror.HapiClient;
using HvMirror.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// What a poll does with upstream answers that are not as they should be: rows out of time order, single bad records,
/// parameters in another order, a dataset listed twice. The rule throughout: the cursor never passes a record that was
/// neither announced nor quarantined.
/// </summary>
[Collection(MirrorCollection.Name)]
public sealed class RecordFaultTests(PostgresServer postgres, RabbitMqBroker rabbit, ITestOutputHelper output)
    : MirrorTestBase(postgres, rabbit, output)
{
    private const string Upstream = "scripted";
    private const string Dataset = "AIA_171";

    private async Task<TestNode> MirrorOfAsync(ScriptedUpstream upstream, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["HvMirror:Upstreams:0:Name"] = Upstream,
            ["HvMirror:Upstreams:0:Url"] = upstream.HapiUrl,
            ["HvMirror:Upstreams:0:PollInterval"] = "00:00:01",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return await StartMirrorAsync("mirror", [], settings: settings);
    }

    private static (List<ScriptedRecord> Good, DateTime[] Times) Script(int count)
    {
        var files = Samples(count, [Dataset]);
        var t0 = Micro(DateTime.UtcNow.AddHours(-2));
        // Fifteen minutes apart: far more than the poll overlap, so nothing behind the cursor is ever read again.
        var times = Enumerable.Range(0, count).Select(i => t0.AddHours(i * 0.25)).ToArray();
        return (files.Select((f, i) => ScriptedUpstream.Good(times[i], f)).ToList(), times);
    }

    [Fact]
    public async Task A_row_out_of_time_order_keeps_the_cursor_before_it_though_later_rows_were_announced()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(Dataset);
        var (good, times) = Script(4);
        // Served as T0, T2, T3, T1: T1 is the row that breaks the order, after two rows later than it.
        upstream.RecordsAsServed = [good[0], good[2], good[3], good[1]];
        var mirror = await MirrorOfAsync(upstream, new() { ["HvMirror:Poller:Overlap"] = "00:00:00" });

        var result = Assert.Single(await mirror.PollAsync());
        Output.WriteLine($"poll: {result}");
        Assert.NotNull(result.Error);
        Assert.Contains("strictly increase", result.Error);
        var cursor = await mirror.CursorAsync(Upstream, Dataset);
        Assert.NotNull(cursor);
        Assert.True(cursor < times[1], $"the cursor {cursor:O} passed the row out of order ({times[1]:O}), which was never announced");

        // Once the upstream serves its rows in order, the row that broke the order is read and fetched too.
        upstream.Records = good;
        var fixedPoll = Assert.Single(await mirror.PollAsync());
        Assert.Null(fixedPoll.Error);
        Assert.Equal(times[3], await mirror.CursorAsync(Upstream, Dataset));
        await Eventually.HoldsAsync(async () => (await mirror.FilesAsync()).Count == 4, "all four records fetched");
    }

    [Fact]
    public async Task A_record_with_an_unknown_checksum_algorithm_is_quarantined_and_the_records_after_it_are_mirrored()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(Dataset);
        var (good, times) = Script(5);
        var bad = good[3] with { Checksum = "md5:0123456789abcdef0123456789abcdef" };
        upstream.Records = [good[0], good[1], good[2], bad, good[4]];
        var mirror = await MirrorOfAsync(upstream);

        var result = Assert.Single(await mirror.PollAsync());
        Output.WriteLine($"poll: {result}");
        Assert.Null(result.Error);
        Assert.Equal(4, result.Announced);
        Assert.Equal(1, result.Quarantined);
        Assert.Equal(times[4], await mirror.CursorAsync(Upstream, Dataset));
        await Eventually.HoldsAsync(async () => (await mirror.FilesAsync()).Count == 4, "the four good records fetched");
        await QueuesDrainedAsync(mirror);
        Assert.DoesNotContain(bad.Name, (await mirror.FilesAsync()).Select(f => f.Name));
        var quarantined = Assert.Single(await QuarantineOf(mirror).ListAsync(Dataset, default));
        Assert.Equal((Upstream, bad.Name, times[3], bad.Checksum), (quarantined.Upstream, quarantined.Name, quarantined.UpstreamIngestedAt, quarantined.Checksum));
        Assert.Contains("unsupported checksum algorithm 'md5'", quarantined.Reason);

        // Polling again reads the record again inside the overlap: it stays quarantined, once.
        var again = Assert.Single(await mirror.PollAsync());
        Assert.Null(again.Error);
        Assert.Single(await QuarantineOf(mirror).ListAsync(Dataset, default));

        // The upstream fixes the file by registering it again (a new Time, a sha256 checksum): it is fetched and released.
        var fixedRecord = good[3] with { Time = Micro(DateTime.UtcNow.AddSeconds(-5)) };
        upstream.Records = [good[0], good[1], good[2], good[4], fixedRecord];
        var fixedPoll = Assert.Single(await mirror.PollAsync());
        Assert.Null(fixedPoll.Error);
        Assert.Equal(fixedRecord.Time, await mirror.CursorAsync(Upstream, Dataset));
        await Eventually.HoldsAsync(async () => (await mirror.FilesAsync()).Count == 5, "the fixed record fetched too");
        Assert.Empty(await QuarantineOf(mirror).ListAsync(Dataset, default));
    }

    [Fact]
    public async Task A_record_with_a_hostile_name_is_quarantined_never_announced_and_verify_reports_it()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(Dataset);
        var (good, times) = Script(3);
        var hostile = good[1] with { Name = "..%2F..%2Fetc%2Fpasswd.jp2" };
        upstream.Records = [good[0], hostile, good[2]];
        var mirror = await MirrorOfAsync(upstream);
        var announced = new List<string>();
        mirror.Services.GetRequiredService<IBus>().ConnectPublishObserver(new AnnouncedNames(announced));

        var result = Assert.Single(await mirror.PollAsync());
        Output.WriteLine($"poll: {result}");
        Assert.Null(result.Error);
        Assert.Equal((2, 1), (result.Announced, result.Quarantined));
        Assert.Equal(times[2], await mirror.CursorAsync(Upstream, Dataset));
        lock (announced) Assert.DoesNotContain(hostile.Name, announced);
        var quarantined = Assert.Single(await QuarantineOf(mirror).ListAsync(Dataset, default));
        Assert.Equal(hostile.Name, quarantined.Name);
        Output.WriteLine($"reason: {quarantined.Reason}");
        await Eventually.HoldsAsync(async () => (await mirror.FilesAsync()).Count == 2, "the two good records fetched");
        await QueuesDrainedAsync(mirror);

        using var client = UpstreamClient.Create(Upstream, new Uri(upstream.HapiUrl));
        var verifier = new ArchiveVerifier(client, mirror.Contexts, mirror.Archive, deep: false);
        var verified = Assert.Single(await verifier.VerifyAsync([Dataset], Output.WriteLine, default));
        var problem = Assert.Single(verified.Problems);
        Output.WriteLine(problem);
        Assert.StartsWith("quarantined: ", problem);
        Assert.Contains(quarantined.Reason, problem);
        Assert.Equal(2, verified.InSync);
    }

    private static RecordQuarantine QuarantineOf(TestNode node) => node.Services.GetRequiredService<RecordQuarantine>();

    private sealed class AnnouncedNames(List<string> names) : IPublishObserver
    {
        public Task PostPublish<T>(PublishContext<T> context) where T : class
        {
            if (context.Message is FileAnnounced announced)
                lock (names) names.Add(announced.Name);
            return Task.CompletedTask;
        }

        public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }

    [Fact]
    public async Task A_dataset_the_catalog_lists_twice_is_polled_once()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(Dataset);
        var (good, _) = Script(2);
        upstream.Records = good;
        upstream.CatalogListings = 2;
        var mirror = await MirrorOfAsync(upstream);

        var polls = await mirror.PollAsync();
        foreach (var poll in polls) Output.WriteLine($"poll: {poll}");

        var poll1 = Assert.Single(polls, p => p.Dataset == Dataset);
        Assert.Equal(2, poll1.Announced);
        Assert.DoesNotContain(polls, p => p.Skipped);
        Assert.Contains(poll1.Warnings, w => w.Contains($"lists dataset {Dataset} 2 times; it is polled once"));
    }

    [Fact]
    public async Task A_stopDate_in_the_past_is_a_warning_naming_it()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(Dataset);
        var (good, times) = Script(3);
        upstream.Records = good;
        upstream.StopDate = times[2]; // the last record lies at the stopDate, so it is never asked for
        var mirror = await MirrorOfAsync(upstream);

        var result = Assert.Single(await mirror.PollAsync());
        Output.WriteLine($"poll: {result}; {string.Join(" | ", result.Warnings)}");

        Assert.Null(result.Error);
        Assert.Equal(2, result.Announced);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains($"stopDate {HvMirror.Hapi.HapiTime.Format(times[2])}, which is in the past", warning);
    }

    [Fact]
    public async Task A_dataset_the_upstream_answers_nothing_for_is_a_warning_until_it_does()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(Dataset);
        var mirror = await MirrorOfAsync(upstream);

        var empty = Assert.Single(await mirror.PollAsync());
        Output.WriteLine($"poll: {empty}; {string.Join(" | ", empty.Warnings)}");
        Assert.Null(empty.Error);
        Assert.Contains("answered no records", Assert.Single(empty.Warnings));

        var (good, _) = Script(1);
        upstream.Records = good;
        var filled = Assert.Single(await mirror.PollAsync());
        Assert.Equal(1, filled.Announced);
        Assert.Empty(filled.Warnings);
    }

    [Fact]
    public async Task A_peer_listing_its_parameters_in_another_order_with_others_between_is_mirrored()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(Dataset);
        var (good, times) = Script(3);
        upstream.Records = good;
        upstream.Parameters = ["Time", "size", "url", "comment", "name", "checksum"];
        var mirror = await MirrorOfAsync(upstream);

        var result = Assert.Single(await mirror.PollAsync());
        Output.WriteLine($"poll: {result}");
        Assert.Null(result.Error);
        Assert.Equal(3, result.Announced);
        Assert.Equal(times[2], await mirror.CursorAsync(Upstream, Dataset));
        await Eventually.HoldsAsync(async () => (await mirror.FilesAsync()).Count == 3, "the three records fetched");
        var held = (await mirror.FilesAsync()).ToDictionary(f => f.Name);
        Assert.All(good, r => Assert.Equal(r.Checksum, held[r.Name].Checksum));
    }

    private static DateTime Micro(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
}
