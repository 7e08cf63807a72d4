namespace HvMirror.Cli.Commands;

internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran, but some input was rejected (each one named with its reason).</summary>
    public const int SomeRejected = 1;

    /// <summary>The command could not run: bad arguments, or the catalog could not be reached.</summary>
    public const int Failed = 2;
}
