namespace HvMirror.Hapi;

/// <summary>How HvMirror reads an HTTP status from an upstream, the same for its HAPI answers and its files.</summary>
public static class HttpStatuses
{
    /// <summary>
    /// True when asking again later may succeed without anyone changing anything: 408, 429 and every 5xx. A 5xx is counted
    /// in whole because proxies and CDNs in front of an upstream use the odd ones (507, 52x) for trouble that passes.
    /// </summary>
    public static bool IsTransient(int status) => status is 408 or 429 or >= 500;
}
