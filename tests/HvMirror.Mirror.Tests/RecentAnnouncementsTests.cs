using HvMirror.Poller;

namespace HvMirror.Mirror.Tests;

/// <summary>The poller's memory of what it announced within the overlap window: right, and bounded.</summary>
public sealed class RecentAnnouncementsTests
{
    private static readonly DateTime T0 = new(2024, 12, 31, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Names_announced_before_the_window_are_forgotten_and_later_ones_kept()
    {
        var recent = new RecentAnnouncements();
        recent.Remember([("old.jp2", "sha256:1", T0), ("new.jp2", "sha256:2", T0.AddMinutes(5))], windowStart: T0.AddMinutes(3));

        Assert.False(recent.Contains("old.jp2", "sha256:1"));
        Assert.True(recent.Contains("new.jp2", "sha256:2"));
        Assert.False(recent.Contains("new.jp2", "sha256:other"));
    }

    [Fact]
    public void A_name_announced_again_with_new_bytes_is_remembered_with_them_after_its_first_entry_ages_out()
    {
        var recent = new RecentAnnouncements();
        recent.Remember([("a.jp2", "sha256:1", T0)], windowStart: T0);
        recent.Remember([("a.jp2", "sha256:2", T0.AddMinutes(10))], windowStart: T0.AddMinutes(5));

        Assert.True(recent.Contains("a.jp2", "sha256:2"));
        Assert.Equal(1, recent.Count);
    }

    [Fact]
    public void However_many_records_fall_in_the_window_at_most_the_limit_is_kept_the_newest()
    {
        var recent = new RecentAnnouncements();
        var extra = 2_500;
        var names = Enumerable.Range(0, RecentAnnouncements.MaxRemembered + extra)
            .Select(i => ($"f{i}.jp2", "sha256:x", T0.AddTicks(i * 10))).ToList();
        foreach (var batch in names.Chunk(500))
            recent.Remember(batch, windowStart: T0);

        Assert.Equal(RecentAnnouncements.MaxRemembered, recent.Count);
        Assert.False(recent.Contains("f0.jp2", "sha256:x"));
        Assert.True(recent.Contains($"f{names.Count - 1}.jp2", "sha256:x"));
        Assert.True(recent.Contains($"f{extra}.jp2", "sha256:x"));
    }
}
