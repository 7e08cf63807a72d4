namespace HvMirror.Poller;

/// <summary>
/// What one upstream dataset's polls announced within the overlap window. Each poll re-reads that window for records
/// an upstream registers late; without this memory, a burst of files ingested upstream within the window would be
/// announced again on every poll until a newer file arrived (the comparer and fetchers would absorb the copies, but
/// they crowd the queues and delay new files). After a restart the memory is empty, and the window is announced once.
/// At most <see cref="MaxRemembered"/> names are kept, the oldest forgotten first: an upstream that registers more than
/// that within the window costs some announcements twice, never memory without bound.
/// </summary>
internal sealed class RecentAnnouncements
{
    public const int MaxRemembered = 100_000;

    private readonly Dictionary<string, (string Checksum, DateTime Time)> _byName = new(StringComparer.Ordinal);
    private readonly Queue<(string Name, string Checksum, DateTime Time)> _inOrder = new();

    public int Count
    {
        get { lock (_byName) return _byName.Count; }
    }

    public bool Contains(string name, string checksum)
    {
        lock (_byName) return _byName.TryGetValue(name, out var seen) && seen.Checksum == checksum;
    }

    /// <summary>Remembers <paramref name="announced"/> and forgets what lies before <paramref name="windowStart"/>.</summary>
    public void Remember(IEnumerable<(string Name, string Checksum, DateTime Time)> announced, DateTime windowStart)
    {
        lock (_byName)
        {
            foreach (var entry in announced)
            {
                _byName[entry.Name] = (entry.Checksum, entry.Time);
                _inOrder.Enqueue(entry);
            }
            // Announced in time order, so the oldest are at the front; a name announced again stays with its newest entry.
            while (_inOrder.TryPeek(out var oldest) && (oldest.Time < windowStart || _byName.Count > MaxRemembered || _inOrder.Count > 2 * MaxRemembered))
            {
                _inOrder.Dequeue();
                if (_byName.TryGetValue(oldest.Name, out var current) && current == (oldest.Checksum, oldest.Time))
                    _byName.Remove(oldest.Name);
            }
        }
    }
}
