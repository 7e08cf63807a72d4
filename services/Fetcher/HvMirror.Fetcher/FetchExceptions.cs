namespace HvMirror.Fetcher;

/// <summary>A download that may work if tried again: connection refused or reset, 5xx, truncated body, stall, wrong bytes.</summary>
public sealed class TransientFetchException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A file that retrying cannot fix (404, a name or url this node refuses, too large): it goes straight to the error queue.</summary>
public sealed class PermanentFetchException(string message, Exception? inner = null) : Exception(message, inner);
