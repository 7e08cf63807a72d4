namespace HvMirror.Fetcher;

/// <summary>
/// One fetch per file name at a time in this process. A duplicate <c>FileNeeded</c> (a poll overlap, a replay) that
/// arrives while the first copy is downloading waits for it, then finds the bytes held and downloads nothing.
/// </summary>
public sealed class FetchGate
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<IDisposable> EnterAsync(string name, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(name, out entry!))
                _entries[name] = entry = new Entry();
            entry.Users++;
        }
        try
        {
            await entry.Gate.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(name, entry, entered: false);
            throw;
        }
        return new Releaser(this, name, entry);
    }

    private void Leave(string name, Entry entry, bool entered)
    {
        lock (_entries)
        {
            if (entered) entry.Gate.Release();
            if (--entry.Users == 0) _entries.Remove(name);
        }
    }

    private sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Users;
    }

    private sealed class Releaser(FetchGate owner, string name, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Leave(name, entry, entered: true);
        }
    }
}
