namespace HvMirror.Poller;

/// <summary>
/// Announcements published by this process and not yet compared by a comparer in this process: the depth of the
/// embedded mode's in-memory <c>file-announced</c> queue, which nothing else bounds. (On RabbitMQ that queue lives on
/// the broker's disk; the work list bounds what follows it.)
/// </summary>
/// <param name="tracked">A comparer in this process reports what it compared (<see cref="Compared"/>); otherwise nothing is counted.</param>
public sealed class InFlightAnnouncements(bool tracked)
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Published(int count)
    {
        if (tracked) Interlocked.Add(ref _count, count);
    }

    public void Compared(int count) => Interlocked.Add(ref _count, -count);
}
