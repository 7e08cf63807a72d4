namespace HvMirror.Poller;

/// <summary>What one poll of one upstream dataset did.</summary>
public sealed record DatasetPollResult(
    string Upstream,
    string Dataset,
    int Announced,
    DateTime? Cursor,
    string? Error = null,
    bool Skipped = false);
