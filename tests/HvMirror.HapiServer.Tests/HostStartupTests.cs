using HvMirror.Node;

namespace HvMirror.HapiServer.Tests;

/// <summary>A host whose catalog is down at start: an outage the operator fixes, not a crash with a stack trace.</summary>
public sealed class HostStartupTests
{
    [Fact]
    public async Task A_host_whose_catalog_database_is_down_exits_with_code_2_instead_of_an_unhandled_exception()
    {
        var archive = Path.Combine(Path.GetTempPath(), "hvmirror-host-" + Guid.NewGuid().ToString("N"));
        try
        {
            var exit = await HvMirrorNode.RunHostAsync(
            [
                "--urls=http://127.0.0.1:0",
                "--ConnectionStrings:Catalog=Host=127.0.0.1;Port=1;Database=hvmirror;Username=hv;Password=x;Timeout=5",
                $"--HvMirror:Archive={archive}",
                "--HvMirror:Catalog:WaitAtStart=00:00:03",
            ], "hvmirror-server-tests", NodeRoles.HapiServer);

            Assert.Equal(2, exit);
        }
        finally
        {
            try { Directory.Delete(archive, recursive: true); } catch (IOException) { }
        }
    }
}
