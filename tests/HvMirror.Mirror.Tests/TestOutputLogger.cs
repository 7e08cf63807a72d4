using Microsoft.Extensions.Logging;

namespace HvMirror.Mirror.Tests;

/// <summary>Host logs into the test's output (shown when a test fails), prefixed with the node's name.</summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output, string node) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, node, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose() { }

    private sealed class Logger(ITestOutputHelper output, string node, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{node}] {logLevel.ToString()[..4]} {category}: {formatter(state, exception)}" +
                                 (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})"));
            }
            catch (InvalidOperationException)
            {
                // The test has ended; a late log line has nowhere to go.
            }
        }
    }
}
