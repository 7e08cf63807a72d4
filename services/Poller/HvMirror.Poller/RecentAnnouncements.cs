namespace HvMirror.Poller;

/// <summary>
/// What one upstream dataset's polls announced within the overlap window. Each poll re-reads that window for records
/// an upstream registers late; without this memory, a burst of files ingested upstream within the window would be
/// announced again on every poll until a newer file arrived (the comparer and fetchers would absorb the copies, but
/// they crowd the queues and delay new files). After a restart the memory is empty, and the window is announced once.
/// </summary>
internal sealed class RecentAnnouncements
{
    private readonly Dictionary<string, (string Checksum, DateTime Time)> _byName = new(StringComparer.Ordinal);

    public bool Contains(string name, string checksum)
    {
        lock (_byName) return _byName.TryGetValue(name, out var seen) && seen.Checksum == checksum;
    }

    /// <summary>Remembers <paramref name="announced"/> and forgets what lies before <paramref name="windowStart"/>.</summary>
    public void Remember(IEnumerable<(string Name, string Checksum, DateTime Time)> announced, DateTime windowStart)
    {
        lock (_byName)
        {
            foreach (var (name, checksum, time) in announced) _byName[name] = (checksum, time);
            foreach (var stale in _byName.Where(e => e.Value.Time < windowStart).Select(e => e.Key).ToList())
                _byName.Remove(stale);
        }
    }
}
