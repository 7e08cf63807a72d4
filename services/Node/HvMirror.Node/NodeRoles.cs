namespace HvMirror.Node;

/// <summary>The roles one host runs. A host may run any set of them; see <see cref="HvMirrorNode"/>.</summary>
[Flags]
public enum NodeRoles
{
    None = 0,
    Poller = 1,
    Comparer = 2,
    Fetcher = 4,
    HapiServer = 8,

    /// <summary>The three roles that pass messages to each other.</summary>
    Mirror = Poller | Comparer | Fetcher,
}
