using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;

namespace HvMirror.Testing;

/// <summary>
/// A MariaDB server of the test's own, started by <c>scripts/infra/mariadb.sh</c> in a private state folder, which the
/// test can take down (<see cref="PauseAsync"/>: a clean shutdown, data kept) and bring back (<see cref="ResumeAsync"/>:
/// same port, same data) to prove that an outage of Helioviewer's database loses nothing. Needs the local MariaDB
/// binaries (Debian's <c>mariadb-server</c>, which <c>./scripts/test.sh</c> installs); removed with its data at the end.
/// </summary>
public sealed partial class PausableMariaDbServer : IAsyncLifetime
{
    private readonly string _stateFolder = Path.Combine(Path.GetTempPath(), "hvmirror-infra-private", Guid.NewGuid().ToString("N")[..12]);
    private MariaDbServer? _server;

    /// <summary>The administrative connection string (no database selected).</summary>
    public string ConnectionString => Server.ConnectionString;

    private MariaDbServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_stateFolder);
        string output;
        try
        {
            output = await RunAsync("start");
        }
        catch (Exception e)
        {
            throw new TestServerUnavailableException(
                $"Could not start a private MariaDB server with scripts/infra/mariadb.sh (these tests stop and restart it, so they need " +
                $"the local binaries: apt-get install mariadb-server, or run ./scripts/test.sh, which installs them): {e.Message}", e);
        }
        var connectionString = ExportLine().Match(output) is { Success: true } m ? m.Groups[1].Value
            : throw new TestServerUnavailableException($"scripts/infra/mariadb.sh start printed no connection string: {output}");
        _server = new MariaDbServer(name => name == MariaDbServer.Variable ? connectionString : null,
            () => throw new InvalidOperationException("no container for a private server"));
        await _server.InitializeAsync();
    }

    /// <summary>A fresh database with Helioviewer's tables on this server (see <see cref="MariaDbServer.CreateDatabaseAsync"/>).</summary>
    public Task<string> CreateDatabaseAsync(string? prefix = null) => Server.CreateDatabaseAsync(prefix);

    /// <summary>Shuts the server down; clients get connection errors until <see cref="ResumeAsync"/>.</summary>
    public async Task PauseAsync()
    {
        MySqlConnector.MySqlConnection.ClearAllPools();
        await RunAsync("pause");
    }

    public Task ResumeAsync() => RunAsync("resume");

    public async Task DisposeAsync()
    {
        try
        {
            if (_server is not null)
            {
                await ResumeAsync();
                await _server.DisposeAsync();
            }
        }
        finally
        {
            try { await RunAsync("stop"); } catch (Exception) { /* best effort: the folder is under /tmp */ }
            try { Directory.Delete(_stateFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private async Task<string> RunAsync(string command)
    {
        var start = new ProcessStartInfo("bash", [ScriptPath(), command])
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
            throw new InvalidOperationException($"scripts/infra/mariadb.sh {command} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }

    private static string ScriptPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "scripts", "infra", "mariadb.sh");
            if (File.Exists(script)) return script;
        }
        throw new InvalidOperationException($"scripts/infra/mariadb.sh not found above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex("HVMIRROR_TEST_MARIADB='([^']*)'")]
    private static partial Regex ExportLine();
}
