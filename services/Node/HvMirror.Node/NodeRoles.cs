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

    /// <summary>Writes the row of every file this node fetched into a Helioviewer server's own database (queue <c>helioviewer-writer</c>).</summary>
    HelioviewerWriter = 16,

    /// <summary>Tails a Helioviewer server's own <c>data</c> table and registers each new row's file in the catalog in place.</summary>
    Follower = 32,

    /// <summary>The three roles that pass messages to each other.</summary>
    Mirror = Poller | Comparer | Fetcher,
}
