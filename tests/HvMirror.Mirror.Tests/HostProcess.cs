using System.Diagnostics;
using HvMirror.Testing;

namespace HvMirror.Mirror.Tests;

/// <summary>
/// One of the distributed mode's hosts (<c>services/&lt;Role&gt;/HvMirror.&lt;Role&gt;.Host</c>, as built beside these tests)
/// running as a process of its own, configured through the environment as in a container, so that a test can
/// SIGKILL it. Its console goes to the test's output.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;

    private HostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public static HostProcess Start(string role, string name, IReadOnlyDictionary<string, string> environment, ITestOutputHelper output)
    {
        var dll = HostDll(role);
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        void Forward(object _, DataReceivedEventArgs line)
        {
            if (line.Data is null) return;
            try { output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{name}] {line.Data}"); }
            catch (InvalidOperationException) { /* the test is over */ }
        }
        process.OutputDataReceived += Forward;
        process.ErrorDataReceived += Forward;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new HostProcess(name, process);
    }

    /// <summary>SIGKILL: no shutdown hook runs, nothing is flushed, unacknowledged messages go back to their queues.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static string HostDll(string role)
    {
        // The tests run from tests/HvMirror.Mirror.Tests/bin/<Configuration>/<framework>/: the hosts are built alongside.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var dll = RepositoryRoot.Of($"services/{role}/HvMirror.{role}.Host/bin/{configuration}/{framework}/HvMirror.{role}.Host.dll");
        return File.Exists(dll) ? dll
            : throw new InvalidOperationException($"{dll} is not built: build the solution first (./scripts/test.sh does)");
    }
}
