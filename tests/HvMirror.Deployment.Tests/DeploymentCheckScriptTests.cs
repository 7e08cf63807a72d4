using System.Diagnostics;

namespace HvMirror.Deployment.Tests;

/// <summary>
/// The full offline check CI relies on (scripts/check-deploy.sh): every overlay rendered and validated against the
/// Kubernetes and KEDA schemas, the compose file, and each Dockerfile's publish.
/// </summary>
public sealed class DeploymentCheckScriptTests
{
    [Fact]
    public async Task The_deployment_check_script_passes()
    {
        var start = new ProcessStartInfo("bash", [Repo.PathOf("scripts/check-deploy.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        // Seven ReadyToRun publishes: about 4.5 min alone on 2 cores, longer beside the other test projects.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"scripts/check-deploy.sh exited {process.ExitCode}:\n{await output}\n{await errors}");
        Assert.Contains("all deployment checks passed", await output);
    }
}
