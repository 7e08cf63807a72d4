using HvMirror.Contracts;
using HvMirror.Testing;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HvMirror.HelioviewerWriter.Tests;

/// <summary>Helioviewer's MariaDB really stopped (a private server, shut down and started again) while files arrive.</summary>
public sealed class HelioviewerWriterOutageTests(PausableMariaDbServer server) : IClassFixture<PausableMariaDbServer>, IDisposable
{
    private readonly WriterWorkspace _workspace = new();

    [Fact]
    public async Task While_the_database_is_down_the_files_wait_and_every_row_is_written_once_it_is_back()
    {
        var helioviewer = await HelioviewerServer.CreateAsync(await server.CreateDatabaseAsync("outage"), _workspace.Archive.Root);
        await using var provider = HelioviewerWriterConsumerTests.Provider(helioviewer.ConnectionString, null, _workspace.Archive);
        var harness = await HelioviewerWriterConsumerTests.StartAsync(provider);
        var writer = provider.GetRequiredService<HelioviewerRowWriter>();

        await server.PauseAsync();
        try
        {
            foreach (var name in RealJp2Files.All)
            {
                var archivePath = WriterWorkspace.ArchivePathOf(name);
                await harness.Bus.Publish(new FileIngested("primary", "x", name, "sha256:" + new string('0', 64), archivePath, 1,
                    DateTime.UtcNow, DateTime.UtcNow, FileNeedReason.New));
            }
            // Several attempts fail meanwhile (100 ms, growing to 500 ms apart); none of them gives up on the files.
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.Equal(0, writer.FilesHandled);
            Assert.False(harness.Published.Select<Fault<Batch<FileIngested>>>().Any());
        }
        finally
        {
            await server.ResumeAsync();
        }

        await HelioviewerWriterConsumerTests.EventuallyAsync(async () => (await helioviewer.RowsAsync()).Count == RealJp2Files.ExpectedRows.Count,
            "every row written after the restart");
        Assert.Equal(RealJp2Files.ExpectedRows.Values.OrderBy(r => r.Filename), (await helioviewer.RowsAsync()).Select(r => r.Row).OrderBy(r => r.Filename));
        Assert.False(await harness.Published.Any<Fault<Batch<FileIngested>>>());
    }

    public void Dispose() => _workspace.Dispose();
}
