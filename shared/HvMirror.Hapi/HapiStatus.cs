namespace HvMirror.Hapi;

/// <summary>The HAPI status codes this server uses, with the HTTP status the specification pairs each with.</summary>
public static class HapiStatus
{
    public const int Ok = 1200;
    public const int NoData = 1201;
    public const int BadRequest = 1400;
    public const int UnknownRequestParameter = 1401;
    public const int BadStart = 1402;
    public const int BadStop = 1403;
    public const int StartNotBeforeStop = 1404;
    public const int OutsideDatasetRange = 1405;
    public const int UnknownDataset = 1406;
    public const int UnknownParameter = 1407;
    public const int TooMuchData = 1408;
    public const int UnsupportedFormat = 1409;
    public const int UnsupportedInclude = 1410;
    public const int ParametersOutOfOrder = 1411;
    public const int UnsupportedResolveReferences = 1412;
    public const int UnsupportedDepth = 1413;
    public const int InternalError = 1500;

    /// <summary>The HTTP status of each HAPI code (HAPI 3.3 §4.2).</summary>
    public static int HttpStatus(int code) => code switch
    {
        Ok or NoData => 200,
        UnknownDataset or UnknownParameter => 404,
        >= 1400 and < 1500 => 400,
        _ => 500,
    };

    /// <summary>The standard message of each HAPI code (HAPI 3.3 §8.3).</summary>
    public static string Message(int code) => code switch
    {
        Ok => "OK",
        NoData => "OK - no data for time range",
        BadRequest => "Bad request - user input error",
        UnknownRequestParameter => "Bad request - unknown API parameter name",
        BadStart => "Bad request - syntax error in start time",
        BadStop => "Bad request - syntax error in stop time",
        StartNotBeforeStop => "Bad request - start equal to or after stop",
        OutsideDatasetRange => "Bad request - start < startDate and/or stop > stopDate",
        UnknownDataset => "Bad request - unknown dataset id",
        UnknownParameter => "Bad request - unknown dataset parameter",
        TooMuchData => "Bad request - too much time or data requested",
        UnsupportedFormat => "Bad request - unsupported output format",
        UnsupportedInclude => "Bad request - unsupported include value",
        ParametersOutOfOrder => "Bad request - out-of-order or duplicate parameters",
        UnsupportedResolveReferences => "Bad request - unsupported resolve_references value",
        UnsupportedDepth => "Bad request - unsupported depth value",
        _ => "Internal server error",
    };
}

/// <summary>
/// A request HAPI refuses. <see cref="Detail"/> describes the problem in the server's own words and never repeats
/// the request's text (HAPI 3.3 §5.2).
/// </summary>
public sealed class HapiException(int code, string detail) : Exception($"HAPI {code}: {detail}")
{
    public int Code { get; } = code;

    public string Detail { get; } = detail;
}
