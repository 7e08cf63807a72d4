using System.Diagnostics;
using System.Text.RegularExpressions;

namespace HvMirror.Testing;

/// <summary>
/// A server of the test's own, run by one of <c>scripts/infra/</c> (<c>postgres.sh</c>, <c>rabbitmq.sh</c>,
/// <c>mariadb.sh</c>) in a private state folder, so that a test may take it down (<see cref="PauseAsync"/>: a clean
/// shutdown, data kept) and bring it back (<see cref="ResumeAsync"/>: same ports, same data) without disturbing the
/// servers other tests share. Needs the local binaries (which <c>./scripts/test.sh</c> installs); removed with its
/// data at dispose.
/// </summary>
public sealed partial class PrivateInfraServer : IAsyncDisposable
{
    private readonly string _script;
    private readonly string _stateFolder = Path.Combine(Path.GetTempPath(), "hvmirror-infra-private", Guid.NewGuid().ToString("N")[..12]);

    private PrivateInfraServer(string script, IReadOnlyDictionary<string, string> exports)
    {
        _script = script;
        Exports = exports;
    }

    private PrivateInfraServer(string script) : this(script, new Dictionary<string, string>()) { }

    /// <summary>What the script's <c>start</c> exported, e.g. <c>HVMIRROR_TEST_POSTGRES</c>.</summary>
    public IReadOnlyDictionary<string, string> Exports { get; private set; }

    /// <summary>Starts <c>scripts/infra/<paramref name="script"/></c> in a fresh private folder.</summary>
    /// <param name="package">What to install when the binaries are missing, for the error message.</param>
    public static async Task<PrivateInfraServer> StartAsync(string script, string package)
    {
        var server = new PrivateInfraServer(script);
        Directory.CreateDirectory(server._stateFolder);
        string output;
        try
        {
            output = await server.RunAsync("start");
        }
        catch (Exception e)
        {
            await server.DisposeAsync();
            throw new TestServerUnavailableException(
                $"Could not start a private server with scripts/infra/{script} (these tests stop and restart it, so they need " +
                $"the local binaries: apt-get install {package}, or run ./scripts/test.sh, which installs them): {e.Message}", e);
        }
        server.Exports = ExportLine().Matches(output).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        if (server.Exports.Count == 0)
        {
            await server.DisposeAsync();
            throw new TestServerUnavailableException($"scripts/infra/{script} start exported nothing: {output}");
        }
        return server;
    }

    /// <summary>Shuts the server down; clients get connection errors until <see cref="ResumeAsync"/>.</summary>
    public Task PauseAsync() => RunAsync("pause");

    public Task ResumeAsync() => RunAsync("resume");

    public async ValueTask DisposeAsync()
    {
        try { await RunAsync("stop"); } catch (Exception) { /* best effort: the folder is under /tmp */ }
        try { Directory.Delete(_stateFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private async Task<string> RunAsync(string command)
    {
        var start = new ProcessStartInfo("bash", [ScriptPath(_script), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["HVMIRROR_INFRA_DIR"] = _stateFolder },
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/infra/{_script} {command} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }

    private static string ScriptPath(string script)
    {
        var path = RepositoryRoot.Of($"scripts/infra/{script}");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} not found");
    }

    [GeneratedRegex("export ([A-Z_]+)='([^']*)'")]
    private static partial Regex ExportLine();
}
