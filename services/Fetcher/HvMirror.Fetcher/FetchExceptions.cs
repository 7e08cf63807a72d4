using HvMirror.ServiceDefaults;

namespace HvMirror.Fetcher;

/// <summary>A download that may work if tried again: connection refused or reset, 5xx, truncated body, stall, wrong bytes.</summary>
public sealed class TransientFetchException(string message, Exception? inner = null) : Exception(message, inner), IExpectedFailure;

/// <summary>A file that retrying cannot fix (404, a name or url this node refuses, too large): not retried in the process, it waits on the work list.</summary>
public sealed class PermanentFetchException(string message, Exception? inner = null) : Exception(message, inner), IExpectedFailure;
