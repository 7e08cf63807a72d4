using HvMirror.Archive;
using HvMirror.Catalog;

namespace HvMirror.Ingestion;

/// <summary>
/// Turns a jp2 file into an archived, registered one: name checked, bytes hashed and checked to be a decodable JP2 file,
/// placed at the path the name dictates by an atomic rename, registered with a fresh ingestion time. A file that fails
/// any check is rejected with its reason and changes nothing.
/// </summary>
public sealed class ArchiveIngester(ArchiveLocation archive, FileRegistry registry, DataSources sources, FileStager? stager = null)
{
    private readonly FileStager _stager = stager ?? new(archive);

    public ArchiveLocation Archive => archive;

    /// <summary>Ingests a local file: from a drop folder (copied in) or already at its archive path (registered in place).</summary>
    public async Task<IngestResult> IngestFileAsync(string path, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(path);
        if (!HelioviewerFileName.TryParse(Path.GetFileName(fullPath), sources, out var name, out var nameError))
            return IngestResult.Rejected(path, nameError);
        var source = name.Source;
        if (source is null)
        {
            await using var head = FileStager.OpenRead(fullPath);
            source = FitsHeaderSource.Resolve(name, head, out var headerProblem);
            if (source is null)
                return IngestResult.Rejected(path, NoSourceInName(name, headerProblem!));
        }

        var archivePath = ArchivePath.For(source, name);
        var destination = archive.FullPath(archivePath);
        var inPlace = string.Equals(fullPath, destination, StringComparison.Ordinal);
        try
        {
            var held = await registry.FindAsync(name.FileName, cancellationToken);
            StagedFile staged;
            if (inPlace || (held is not null && held.Size == new FileInfo(fullPath).Length && File.Exists(destination)))
            {
                // Probably the bytes we hold: hash without copying, copy only if they turn out to differ.
                staged = await FileStager.HashInPlaceAsync(fullPath, cancellationToken);
                if (!inPlace && held!.Checksum != staged.Checksum.ToString())
                {
                    await using var content = FileStager.OpenRead(fullPath);
                    staged = await _stager.StageAsync(content, long.MaxValue, cancellationToken);
                }
            }
            else
            {
                await using var content = FileStager.OpenRead(fullPath);
                staged = await _stager.StageAsync(content, long.MaxValue, cancellationToken);
            }

            using (staged)
            {
                if (staged.IsJp2 && held is not null && FileRegistry.IsSameFile(held, Registration(staged, name, source, archivePath, null, null)))
                    return new IngestResult(path, IngestOutcome.Unchanged, File: held);
                return IngestResult.From(path, await RegisterAsync(staged, name, source, archivePath, upstream: null, upstreamIngestedAt: null, cancellationToken)
                    ?? throw new InvalidDataException(NotJp2(staged)));
            }
        }
        catch (InvalidDataException e)
        {
            return IngestResult.Rejected(path, e.Message);
        }
        catch (IOException e) when (e is not FileTooLargeException)
        {
            return IngestResult.Rejected(path, $"could not be read or placed: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return IngestResult.Rejected(path, $"permission denied: {e.Message} Check the file's and the archive's permissions.");
        }
    }

    /// <summary>
    /// Registers staged bytes under <paramref name="name"/> in <paramref name="dataset"/>'s catalog, moving them into the
    /// archive unless the catalog already holds them. Returns null when the bytes are not a decodable JP2 file (nothing
    /// changes; <see cref="StagedFile.Jp2Problem"/> says why): the one check both <c>hvmirror ingest</c> and the fetcher pass.
    /// </summary>
    public async Task<RegistrationResult?> RegisterAsync(
        StagedFile staged, FileNameInfo name, DataSource dataset, string archivePath, string? upstream, DateTime? upstreamIngestedAt,
        CancellationToken cancellationToken)
    {
        if (!staged.IsJp2) return null;
        var destination = archive.FullPath(archivePath);
        return await registry.RegisterAsync(Registration(staged, name, dataset, archivePath, upstream, upstreamIngestedAt), _ =>
        {
            // A rename within one filesystem: readers see the old bytes or the new ones, never a mixture.
            if (staged.OwnsFile) staged.MoveTo(destination);
            return Task.CompletedTask;
        }, cancellationToken);
    }

    private static FileRegistration Registration(
        StagedFile staged, FileNameInfo name, DataSource dataset, string archivePath, string? upstream, DateTime? upstreamIngestedAt) =>
        new(name.FileName, dataset.Name, archivePath, staged.Size, staged.Checksum.ToString(), name.ObservationTime,
            upstream, upstreamIngestedAt);

    private static string NotJp2(StagedFile staged) => staged.Size == 0
        ? "is empty (0 bytes); re-export or re-download it"
        : $"{staged.Jp2Problem}; re-export or re-download it";

    private static string NoSourceInName(FileNameInfo name, string headerProblem) =>
        $"the name '{name.FileName}' does not say which data source it belongs to, and {headerProblem}; " +
        "HvMirror does not guess a source: fix the file's header or name, or ingest it through a mirror of its dataset";
}
