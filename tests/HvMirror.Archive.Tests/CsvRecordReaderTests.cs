using System.Text;

namespace HvMirror.Archive.Tests;

/// <summary>The RFC 4180 reader on its own, over in-memory bodies.</summary>
public sealed class CsvRecordReaderTests
{
    private static async Task<List<string[]>> ReadAllAsync(string body, int maxRecord = 1 << 20)
    {
        using var reader = new CsvRecordReader(new MemoryStream(Encoding.UTF8.GetBytes(body)), maxRecord);
        var rows = new List<string[]>();
        var fields = new List<string>();
        while (await reader.ReadAsync(fields, CancellationToken.None))
            rows.Add([.. fields]);
        return rows;
    }

    private static async Task<CsvFormatException> FailAsync(string body, int maxRecord = 1 << 20) =>
        await Assert.ThrowsAsync<CsvFormatException>(() => ReadAllAsync(body, maxRecord));

    [Fact]
    public async Task Quoted_fields_keep_commas_doubled_quotes_and_line_breaks()
    {
        var rows = await ReadAllAsync("a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\"\nd,e,f,g\n");
        Assert.Equal([["a", "b,c", "say \"hi\"", "two\nlines"], ["d", "e", "f", "g"]], rows);
    }

    [Fact]
    public async Task Crlf_line_ends_empty_fields_and_empty_lines_are_read_as_rfc_4180_says()
    {
        var rows = await ReadAllAsync("a,,b,\r\n\r\n\n,x\r\n\"\",y\n");
        Assert.Equal([["a", "", "b", ""], ["", "x"], ["", "y"]], rows);
    }

    [Fact]
    public async Task Header_lines_starting_with_a_hash_before_the_first_record_are_skipped()
    {
        var rows = await ReadAllAsync("#{\"HAPI\":\"3.3\",\n#  \"status\":{}}\na,b\n");
        Assert.Equal([["a", "b"]], rows);
    }

    [Fact]
    public async Task An_empty_body_has_no_records()
    {
        Assert.Empty(await ReadAllAsync(""));
        Assert.Empty(await ReadAllAsync("\n\n"));
    }

    [Fact]
    public async Task A_body_ending_inside_a_record_is_reported_as_truncated_with_the_records_line()
    {
        var e = await FailAsync("a,b\nc,d\ne,f");
        Assert.True(e.Truncated);
        Assert.Equal(3, e.Line);
        Assert.True((await FailAsync("a,b\n\"open quote\n")).Truncated);
    }

    [Fact]
    public async Task A_stray_quote_or_text_after_a_closing_quote_is_malformed()
    {
        Assert.False((await FailAsync("ab\"c,d\n")).Truncated);
        Assert.Contains("followed by something other than a comma", (await FailAsync("\"ab\"c,d\n")).Message);
    }

    [Fact]
    public async Task A_record_longer_than_the_limit_is_refused_before_it_is_held_whole()
    {
        var e = await FailAsync("x,y\n" + new string('a', 10_000) + "\n", maxRecord: 1_000);
        Assert.Equal(2, e.Line);
        Assert.Contains("longer than 1000 characters", e.Message);
    }
}
