using HvMirror.Archive;

namespace HvMirror.Ingestion;

public static class SampleIngestion
{
    /// <summary>
    /// Ingests generated files the way <c>hvmirror ingest</c> ingests a drop folder (the demo's primary and the tests'
    /// primaries get their files like this): each is written to a private drop folder inside the archive's state folder,
    /// then ingested; the folder goes afterwards. Results come in the order of <paramref name="files"/>.
    /// </summary>
    public static async Task<IReadOnlyList<IngestResult>> IngestSamplesAsync(
        this ArchiveIngester ingester, IEnumerable<SampleFile> files, CancellationToken cancellationToken = default)
    {
        var drop = Directory.CreateDirectory(
            Path.Combine(ingester.Archive.Root, ArchiveLocation.StateFolderName, "drop", Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var results = new List<IngestResult>();
            foreach (var file in files)
            {
                var path = Path.Combine(drop, file.Name);
                await File.WriteAllBytesAsync(path, file.Content, cancellationToken);
                results.Add(await ingester.IngestFileAsync(path, cancellationToken));
            }
            return results;
        }
        finally
        {
            Directory.Delete(drop, recursive: true);
        }
    }
}
