using System.Net.Http;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HvMirror.ServiceDefaults;

/// <summary>
/// Every log entry on one line (<c>time level: category[event] message => scopes</c>), its text escaped with
/// <see cref="OperatorText.Escape"/>. An expected failure (an <see cref="IExpectedFailure"/>, a database, broker or network
/// that is down) is shown by its type and message after the entry; only an unexpected exception, a bug to report, keeps
/// its stack trace, indented under the entry so that none of its lines can pass for an entry of its own.
/// </summary>
public sealed class OneLineConsoleFormatter(IOptionsMonitor<ConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "hvmirror-one-line";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var exception = logEntry.Exception;
        if (string.IsNullOrEmpty(message) && exception is null) return;
        var settings = options.CurrentValue;
        if (settings.TimestampFormat is { } format)
            textWriter.Write((settings.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now).ToString(format));
        textWriter.Write(LevelOf(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.Write("] ");
        textWriter.Write(OperatorText.Escape(message));
        if (exception is not null && IsExpected(exception))
            textWriter.Write($" ({exception.GetType().Name}: {OperatorText.Escape(Describe(exception))})");
        if (settings.IncludeScopes && scopeProvider is not null)
            scopeProvider.ForEachScope((scope, writer) => writer.Write(" => " + OperatorText.Escape(Convert.ToString(scope))), textWriter);
        if (exception is not null && !IsExpected(exception))
        {
            foreach (var line in exception.ToString().Split('\n'))
            {
                textWriter.Write(Environment.NewLine);
                textWriter.Write("      ");
                textWriter.Write(OperatorText.Escape(line.TrimEnd('\r')));
            }
        }
        textWriter.Write(Environment.NewLine);
    }

    /// <summary>A failure the message explains on its own: marked expected, or an outage of the network, database or broker.</summary>
    public static bool IsExpected(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IExpectedFailure or NpgsqlException { IsTransient: true } or SocketException or HttpRequestException or TimeoutException
                or RabbitMQ.Client.Exceptions.BrokerUnreachableException or MassTransit.RabbitMqConnectionException)
                return true;
        }
        return false;
    }

    /// <summary>The outermost message, followed by the innermost cause when that one says something else (e.g. "Connection refused").</summary>
    public static string Describe(Exception exception)
    {
        var inner = exception.GetBaseException();
        return ReferenceEquals(inner, exception) || exception.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? exception.Message
            : $"{exception.Message}: {inner.Message}";
    }

    private static string LevelOf(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString(),
    };
}

public static class OneLineConsoleLoggingExtensions
{
    /// <summary>The console logger, writing with <see cref="OneLineConsoleFormatter"/>.</summary>
    public static ILoggingBuilder AddOneLineConsole(this ILoggingBuilder logging, Action<ConsoleFormatterOptions>? configure = null)
    {
        logging.AddConsole(options => options.FormatterName = OneLineConsoleFormatter.FormatterName);
        logging.AddConsoleFormatter<OneLineConsoleFormatter, ConsoleFormatterOptions>(options => configure?.Invoke(options));
        return logging;
    }
}
