using HvMirror.Archive;
using HvMirror.Catalog;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HvMirror.Catalog.Tests;

/// <summary>A host that starts while its catalog is unreachable waits for it, then gives up with one line that says what to check.</summary>
public sealed class CatalogStartupWaitTests
{
    private const string Unreachable = "Host=127.0.0.1;Port=1;Database=nowhere;Username=x;Password=y;Timeout=2";

    [Fact]
    public async Task An_unreachable_catalog_is_tried_again_until_the_wait_is_over_and_the_error_names_what_to_check()
    {
        var warnings = new List<string>();
        var service = Service(TimeSpan.FromSeconds(2), new ListLogger(warnings));

        var error = await Assert.ThrowsAsync<CatalogUnavailableException>(() => service.StartingAsync(default));

        Assert.Contains("127.0.0.1:1/nowhere", error.Message);
        Assert.Contains("HvMirror:Catalog:WaitAtStart", error.Message);
        Assert.Contains("ConnectionStrings:Catalog", error.Message);
        Assert.DoesNotContain("   at ", error.Message);
        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.Contains("trying again", w));
    }

    [Fact]
    public async Task With_no_wait_the_first_failure_is_the_answer()
    {
        var warnings = new List<string>();
        var service = Service(TimeSpan.Zero, new ListLogger(warnings));

        var error = await Assert.ThrowsAsync<CatalogUnavailableException>(() => service.StartingAsync(default));

        Assert.Empty(warnings);
        Assert.DoesNotContain("stayed so", error.Message);
    }

    private static CatalogMigrationHostedService Service(TimeSpan wait, ILogger<CatalogMigrationHostedService> logger) => new(
        new CatalogDbContextFactory(CatalogConnection.Parse(Unreachable)),
        new ArchiveLocation(Path.Combine(Path.GetTempPath(), "hvmirror-tests", Guid.NewGuid().ToString("N"))),
        Options.Create(new CatalogStartupOptions { WaitAtStart = wait }), TimeProvider.System, logger);

    private sealed class ListLogger(List<string> warnings) : ILogger<CatalogMigrationHostedService>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning) lock (warnings) warnings.Add(formatter(state, exception));
        }
    }
}
