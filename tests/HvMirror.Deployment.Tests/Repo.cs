using System.Diagnostics;
using System.Text.Json;

namespace HvMirror.Deployment.Tests;

/// <summary>The repository (found by walking up to HvMirror.sln) and its rendered Kustomize overlays.</summary>
internal static class Repo
{
    public static readonly string Root = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static IReadOnlyList<string> Overlays() =>
        Directory.GetDirectories(PathOf("k8s/overlays")).Select(Path.GetFileName).OfType<string>().Order().ToList();

    private static readonly Dictionary<string, IReadOnlyList<JsonElement>> Rendered = new();

    /// <summary>
    /// `kubectl kustomize k8s/overlays/NAME`, as JSON: `kubectl annotate --local -o json` converts the rendered YAML
    /// offline (no cluster is contacted) and adds one harmless annotation.
    /// </summary>
    public static IReadOnlyList<JsonElement> Render(string overlay)
    {
        lock (Rendered)
        {
            if (Rendered.TryGetValue(overlay, out var cached)) return cached;
            var yaml = Run("kubectl", ["kustomize", PathOf($"k8s/overlays/{overlay}")], null);
            var json = Run("kubectl", ["annotate", "--local", "-f", "-", "-o", "json", "hvmirror.check/rendered=true"], yaml);
            var resources = new List<JsonElement>();
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json), new JsonReaderOptions { AllowMultipleValues = true });
            while (reader.Read())
            {
                using var doc = JsonDocument.ParseValue(ref reader);
                var root = doc.RootElement.Clone();
                if (root.TryGetProperty("kind", out var kind) && kind.GetString() == "List")
                    resources.AddRange(root.GetProperty("items").EnumerateArray().Select(i => i.Clone()));
                else
                    resources.Add(root);
            }
            Assert.True(resources.Count > 0, $"k8s/overlays/{overlay} renders nothing");
            return Rendered[overlay] = resources;
        }
    }

    private static string Run(string file, string[] args, string? stdin)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"cannot run {file} ({e.Message}): these tests render the Kustomize overlays with kubectl (Debian: apt-get install kubernetes-client).", e);
        }
        using (process)
        {
            if (stdin is not null)
            {
                process.StandardInput.Write(stdin);
                process.StandardInput.Close();
            }
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60))) { process.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 60 s"); }
            if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
            return stdout;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HvMirror.sln"))) return dir.FullName;
        throw new InvalidOperationException($"HvMirror.sln not found above {AppContext.BaseDirectory}");
    }
}

internal static class Json
{
    public static string Kind(this JsonElement r) => r.GetProperty("kind").GetString()!;
    public static string Name(this JsonElement r) => r.GetProperty("metadata").GetProperty("name").GetString()!;

    public static JsonElement? Path(this JsonElement e, params string[] names)
    {
        foreach (var n in names)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(n, out e)) return null;
        }
        return e;
    }

    public static IEnumerable<JsonElement> Items(this JsonElement? e) =>
        e is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray() : [];
}
