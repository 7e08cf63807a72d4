using HvMirror.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Npgsql;

namespace HvMirror.Fetcher.Tests;

/// <summary>
/// What an operator reads in the hosts' logs and the CLI's output (the console formatter every host and `hvmirror`
/// use): one line per entry, no stack trace for a failure that is expected, nothing an upstream sends can forge a line.
/// </summary>
public sealed class OneLineLogTests
{
    private const string Category = "HvMirror.Fetcher.FileNeededConsumer";

    [Fact]
    public void A_transient_fetch_failure_logged_with_its_exception_is_one_line_naming_it_without_a_stack_trace()
    {
        var failure = Thrown(() => throw new TransientFetchException("checksum mismatch for a.jp2: the upstream says sha256:aa, the 10 bytes downloaded hash to sha256:bb"));

        var text = Format(LogLevel.Warning, "R-RETRY loopback://localhost/file-needed", failure);

        Assert.Equal(
            $"warn: MassTransit.ReceiveTransport[0] R-RETRY loopback://localhost/file-needed (TransientFetchException: {failure.Message}){Environment.NewLine}",
            text);
    }

    [Fact]
    public void A_permanent_fetch_failure_is_one_line_too()
    {
        var failure = Thrown(() => throw new PermanentFetchException("a.jp2 from primary: HTTP 404 Not Found"));

        var text = Format(LogLevel.Error, "R-FAULT loopback://localhost/file-needed", failure);

        Assert.Single(Lines(text));
        Assert.DoesNotContain(" at ", text);
        Assert.Contains("(PermanentFetchException: a.jp2 from primary: HTTP 404 Not Found)", text);
    }

    [Fact]
    public async Task A_database_that_is_down_is_one_line_with_the_cause()
    {
        await using var connection = new NpgsqlConnection("Host=127.0.0.1;Port=1;Username=hv;Timeout=5");
        var down = await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
        var wrapped = Thrown(() => throw new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", down));

        var text = Format(LogLevel.Error, "Polling primary failed; retrying in 00:00:30", wrapped);

        Assert.Single(Lines(text));
        Assert.DoesNotContain(" at ", text);
        Assert.Contains("(InvalidOperationException: An exception has been raised that is likely due to a transient failure.: ", text);
    }

    [Fact]
    public void An_unexpected_exception_keeps_its_stack_trace_indented_under_its_entry()
    {
        var bug = Thrown(() => throw new InvalidOperationException("a bug"));

        var lines = Lines(Format(LogLevel.Error, "the consumer failed", bug));

        Assert.Equal("fail: MassTransit.ReceiveTransport[0] the consumer failed", lines[0]);
        Assert.Contains(lines, line => line.Contains("at HvMirror.Fetcher.Tests.OneLineLogTests.Thrown", StringComparison.Ordinal));
        Assert.All(lines.Skip(1), line => Assert.StartsWith("      ", line));
    }

    [Theory]
    [InlineData("evil\u001b[2J.jp2", @"evil\e[2J.jp2")]
    [InlineData("a.jp2\r\nfail: HvMirror.Fetcher[0] forged", @"a.jp2\r\nfail: HvMirror.Fetcher[0] forged")]
    [InlineData("a.jp2\u0085\u2028b", @"a.jp2\u0085\u2028b")]
    public void An_upstream_name_with_control_characters_cannot_forge_a_line_or_reach_the_terminal(string name, string shown)
    {
        var text = Format(LogLevel.Warning, $"{name} from primary/AIA_171 not fetched (permanent)", null);

        Assert.Single(Lines(text));
        Assert.DoesNotContain(text.TrimEnd('\n', '\r'), c => char.IsControl(c) || c is '\u2028');
        Assert.Contains(shown, text);
    }

    [Fact]
    public void An_exception_message_from_an_upstream_is_escaped_as_well()
    {
        var failure = Thrown(() => throw new PermanentFetchException("primary/AIA_171: 'x\u001b]0;owned\u0007.jp2' is not a Helioviewer name"));

        var text = Format(LogLevel.Warning, "R-RETRY", failure);

        Assert.Single(Lines(text));
        Assert.Contains(@"x\e]0;owned\u0007.jp2", text);
    }

    private static string Format(LogLevel level, string message, Exception? exception)
    {
        // The console logging every host gets, as the hosts set it up.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddServiceDefaults("hvmirror-tests");
        using var services = builder.Services.BuildServiceProvider();
        var formatterName = services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName;
        var formatter = services.GetServices<ConsoleFormatter>().Single(f => f.Name == formatterName);
        var category = exception is null ? Category : "MassTransit.ReceiveTransport";
        var entry = new LogEntry<string>(level, category, new EventId(0), message, exception, (state, _) => state);
        var writer = new StringWriter();
        formatter.Write(entry, null, writer);
        // Each entry starts with its UTC time; the rest is what is compared.
        var text = writer.ToString();
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", text);
        return text[(text.IndexOf('Z') + 2)..];
    }

    private static string[] Lines(string text) => text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    private static Exception Thrown(Action fail)
    {
        try
        {
            fail();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("nothing was thrown");
    }
}
