using HvMirror.Archive;
using HvMirror.Catalog;
using Microsoft.Extensions.Time.Testing;

namespace HvMirror.Testing;

/// <summary>
/// Registers real sample JP2 files in a (SQLite) catalog at chosen ingestion times, as a primary would hold them: the
/// registry's clock is a <see cref="FakeTimeProvider"/> the seeding sets, so ingestion times are known to the microsecond.
/// </summary>
public static class CatalogSeeding
{
    /// <summary>
    /// Writes a sample file under <paramref name="archiveRoot"/> and registers it at exactly <paramref name="at"/>; the
    /// bytes differ by <paramref name="content"/> (by default the dataset and name).
    /// </summary>
    public static async Task<(string Checksum, byte[] Bytes)> RegisterSampleAsync(
        FileRegistry registry, FakeTimeProvider clock, string archiveRoot, DateTime at, string dataset, string name, string archivePath, DateTime observed,
        string? content = null)
    {
        var bytes = SampleJp2.Create(content ?? $"{dataset} {name}");
        var checksum = Checksum.Sha256Of(bytes).ToString();
        clock.SetUtcNow(new DateTimeOffset(at));
        var result = await registry.RegisterAsync(
            new FileRegistration(name, dataset, archivePath, bytes.Length, checksum, observed),
            async ct =>
            {
                var full = Path.Combine(archiveRoot, archivePath);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllBytesAsync(full, bytes, ct);
            },
            CancellationToken.None);
        if (result.File.IngestedAt != at)
            throw new InvalidOperationException($"Seeding expected ingestion time {at:O}, got {result.File.IngestedAt:O}.");
        return (checksum, bytes);
    }
}
