namespace HvMirror.Poller;

/// <summary>
/// What one poll of one upstream dataset did: <paramref name="Quarantined"/> records set aside as unusable, and
/// <paramref name="Warnings"/> an operator should read (a stopDate in the past, a dataset that answers nothing, a
/// dataset listed twice) though the poll went on.
/// </summary>
public sealed record DatasetPollResult(
    string Upstream,
    string Dataset,
    int Announced,
    DateTime? Cursor,
    string? Error = null,
    bool Skipped = false,
    int Quarantined = 0,
    IReadOnlyList<string>? Warnings = null)
{
    public IReadOnlyList<string> Warnings { get; init; } = Warnings ?? [];

    /// <summary>The poll stopped at <see cref="PollerOptions.MaxRecordsPerPoll"/>: the upstream has more from the cursor on.</summary>
    public bool MoreToRead { get; init; }
}
