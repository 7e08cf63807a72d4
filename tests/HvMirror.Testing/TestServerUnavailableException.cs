namespace HvMirror.Testing;

/// <summary>
/// Thrown by a server fixture that has neither a server from the environment nor Docker to start one.
/// Integration tests never skip silently: they fail with this message, which says how to run them.
/// </summary>
public sealed class TestServerUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The message for a fixture of <paramref name="server"/> that found nothing to use.</summary>
    /// <param name="server">What is missing, e.g. "PostgreSQL".</param>
    /// <param name="variable">The environment variable that would have named it.</param>
    /// <param name="infraScript">The script that starts one, relative to the repository root.</param>
    /// <param name="dockerError">Why Testcontainers could not start one.</param>
    public static TestServerUnavailableException NotConfigured(string server, string variable, string infraScript, Exception dockerError) =>
        new($"""
            These tests need a {server} server, and none was found: {variable} is not set and Testcontainers could not start one ({dockerError.GetType().Name}: {dockerError.Message.Split('\n')[0].Trim()}).
            Run the tests the way the README says, from the repository root:
                ./scripts/test.sh
            (it installs and starts PostgreSQL and RabbitMQ for the run and stops them afterwards), or start the server yourself and export what it prints:
                eval "$({infraScript} start)"    # exports {variable}
                dotnet test
            """, dockerError);
}
