namespace HvMirror.Upstreams;

/// <summary>
/// One entry of <see cref="UpstreamOptions.FileHosts"/>: <c>host</c> admits http(s) urls on the scheme's default port
/// (80, 443), <c>host:port</c> that port only. An open port on a trusted host is not trusted by itself.
/// </summary>
public readonly record struct FileHost(string Host, int? Port)
{
    /// <summary>Reads <c>cdn.example.org</c>, <c>cdn.example.org:8443</c>, <c>10.0.0.5</c>, <c>::1</c> or <c>[::1]:8443</c>.</summary>
    public static bool TryParse(string entry, out FileHost fileHost)
    {
        fileHost = default;
        // A bare IPv6 address is full of colons, so only a name or a bracketed address can carry a port.
        var bare = Uri.CheckHostName(entry);
        var authority = bare == UriHostNameType.IPv6 ? $"[{entry}]" : entry;
        if (!Uri.TryCreate("http://" + authority, UriKind.Absolute, out var uri)
            || uri.PathAndQuery != "/" || uri.UserInfo.Length > 0 || uri.Host.Length == 0)
            return false;
        var explicitPort = bare == UriHostNameType.Unknown && authority.EndsWith($":{uri.Port}", StringComparison.Ordinal);
        if (bare == UriHostNameType.Unknown && !explicitPort)
            return false;
        fileHost = new FileHost(uri.Host, explicitPort ? uri.Port : null);
        return true;
    }

    /// <summary>The entry that admits exactly <paramref name="url"/>'s host and port (the port left out when it is the scheme's default).</summary>
    public static string EntryFor(Uri url) => url.Authority;

    public bool Admits(Uri url) =>
        string.Equals(url.Host, Host, StringComparison.OrdinalIgnoreCase) && (Port is { } port ? url.Port == port : url.IsDefaultPort);

    public override string ToString() => Port is { } port ? $"{Host}:{port}" : Host;
}
