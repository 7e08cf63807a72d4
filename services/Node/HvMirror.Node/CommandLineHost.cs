namespace HvMirror.Node;

/// <summary>What every host the <c>hvmirror</c> command builds in-process passes to its builder.</summary>
public static class CommandLineHost
{
    /// <summary>
    /// No reloading of <c>appsettings.json</c> on change: the builder would watch the current folder and everything under
    /// it, and a command run inside an archive (or above one) then read an inotify event for every file it wrote —
    /// a few percent of a mirror's CPU, and one watch per folder of a million-file tree.
    /// </summary>
    public static readonly string[] Args = ["--hostBuilder:reloadConfigOnChange=false"];
}
