using System.Diagnostics;

namespace HvMirror.Testing;

/// <summary>
/// A real headless browser for the tests that check what a page renders: Debian's <c>chromium</c>, from
/// <c>HVMIRROR_CHROMIUM</c> or <c>/usr/bin/chromium</c>. Absent, the test fails saying how to install it; it never skips.
/// </summary>
public static class Chromium
{
    public const string Variable = "HVMIRROR_CHROMIUM";

    public static string Executable
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(Variable);
            if (!string.IsNullOrEmpty(configured))
                return File.Exists(configured) ? configured
                    : throw new InvalidOperationException($"{Variable}={configured}, but there is no such file.");
            const string debian = "/usr/bin/chromium";
            return File.Exists(debian) ? debian
                : throw new InvalidOperationException(
                    $"No chromium for the browser tests: `sudo apt-get install chromium` (or run ./scripts/test.sh, which installs it), or set {Variable} to a Chromium executable.");
        }
    }

    /// <summary>The DOM after the page loaded (and, with <paramref name="virtualTimeBudgetMs"/>, after its scripts ran that long).</summary>
    public static async Task<string> DumpDomAsync(Uri url, int virtualTimeBudgetMs = 0)
    {
        List<string> args = ["--dump-dom"];
        if (virtualTimeBudgetMs > 0) args.Add($"--virtual-time-budget={virtualTimeBudgetMs}");
        args.Add(url.AbsoluteUri);
        return await RunAsync(args);
    }

    /// <summary>Writes a PNG of the page's first <paramref name="height"/> pixels at <paramref name="width"/> wide.</summary>
    public static async Task ScreenshotAsync(Uri url, string path, int width = 1200, int height = 900)
    {
        await RunAsync([$"--screenshot={Path.GetFullPath(path)}", $"--window-size={width},{height}", "--hide-scrollbars", url.AbsoluteUri]);
        if (!File.Exists(path)) throw new InvalidOperationException($"chromium wrote no screenshot at {path}.");
    }

    private static async Task<string> RunAsync(IEnumerable<string> arguments)
    {
        // A profile of its own per run: two tests at once would otherwise fight over ~/.config/chromium's lock.
        var profile = Directory.CreateTempSubdirectory("hvmirror-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            // --no-sandbox: the tests may run as root (CI containers), where Chromium refuses to start sandboxed.
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                         "--disable-extensions", "--disable-background-networking", $"--user-data-dir={profile.FullName}" })
                start.ArgumentList.Add(a);
            foreach (var a in arguments) start.ArgumentList.Add(a);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish within 90 s: {await stderr}");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {await stderr}");
            return await stdout;
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
