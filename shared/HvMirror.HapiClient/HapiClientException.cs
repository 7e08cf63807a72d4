namespace HvMirror.HapiClient;

/// <summary>
/// Anything that stops a read from an upstream HAPI server: the upstream unreachable, an HTTP or HAPI error, an HTML page
/// instead of HAPI, or a record that breaks the contract. The message names the upstream, the dataset (when there is
/// one), what was wrong and what to do. Records before the problem were already yielded; none after it is, so a caller
/// that advances its cursor only over yielded records never moves past the problem.
/// </summary>
public sealed class HapiClientException : Exception
{
    public HapiClientException(string upstream, string? dataset, string problem, string advice, bool isTransient,
        int? hapiCode = null, int? httpStatus = null, long? line = null, Exception? inner = null, DateTime? recordTime = null)
        : base(Compose(upstream, dataset, problem, advice), inner)
    {
        Upstream = upstream;
        Dataset = dataset;
        Problem = problem;
        IsTransient = isTransient;
        HapiCode = hapiCode;
        HttpStatus = httpStatus;
        Line = line;
        RecordTime = recordTime;
    }

    /// <summary>The upstream's configured name.</summary>
    public string Upstream { get; }

    /// <summary>The dataset being read, or null for <c>/capabilities</c> and <c>/catalog</c>.</summary>
    public string? Dataset { get; }

    /// <summary>What was wrong, without the upstream, dataset and advice around it.</summary>
    public string Problem { get; }

    /// <summary>
    /// True when trying again later may succeed without anyone changing anything (connection refused, timeout, a
    /// gateway error, HAPI 1500); false when a person must act (wrong URL, unknown dataset, a broken record).
    /// </summary>
    public bool IsTransient { get; }

    /// <summary>The HAPI status code the upstream answered with, if it answered with one.</summary>
    public int? HapiCode { get; }

    /// <summary>The HTTP status of the response, if there was a response.</summary>
    public int? HttpStatus { get; }

    /// <summary>The line of the CSV body (1-based, within its chunk's response) where the bad record starts.</summary>
    public long? Line { get; }

    /// <summary>
    /// The Time of the row that stopped the read, when it could be read (a row out of time order or outside the range
    /// asked). Rows after it in the answer may already have been yielded: a cursor must be kept before this time, not
    /// only over what was yielded.
    /// </summary>
    public DateTime? RecordTime { get; }

    private static string Compose(string upstream, string? dataset, string problem, string advice) =>
        dataset is null
            ? $"HAPI upstream '{upstream}': {problem}. {advice}"
            : $"HAPI upstream '{upstream}', dataset '{dataset}': {problem}. {advice}";
}
