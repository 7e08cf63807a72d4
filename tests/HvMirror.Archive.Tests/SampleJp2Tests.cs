using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using HvMirror.Archive;

namespace HvMirror.Archive.Tests;

public class SampleJp2Tests
{
    [Fact]
    public void A_sample_is_a_JP2_with_signature_ftyp_header_and_codestream()
    {
        var bytes = SampleJp2.Create("AIA_171 #1");

        Assert.True(Jp2.HasSignature(bytes));
        var types = Jp2.ReadBoxes(new MemoryStream(bytes)).Select(b => b.Type).ToList();
        Assert.Equal(["jP  ", "ftyp", "jp2h", "xml ", "jp2c"], types);
        Assert.Equal("ftypjp2 ", Encoding.ASCII.GetString(bytes, 16, 8)); // brand 'jp2 '
    }

    [Fact]
    public void Different_texts_give_different_bytes_and_the_same_text_the_same_bytes()
    {
        Assert.NotEqual(SampleJp2.Create("a"), SampleJp2.Create("b"));
        Assert.Equal(SampleJp2.Create("a"), SampleJp2.Create("a"));
        Assert.NotEqual(Checksum.Sha256Of(SampleJp2.Create("a", 2048)), Checksum.Sha256Of(SampleJp2.Create("b", 2048)));
    }

    [Theory]
    [InlineData(1_000_000)]
    [InlineData(70_000)]
    [InlineData(4096)]
    public void PadToBytes_gives_exactly_that_length(int size)
    {
        var bytes = SampleJp2.Create("padded", size);
        Assert.Equal(size, bytes.Length);
        Assert.Equal("free", Jp2.ReadBoxes(new MemoryStream(bytes))[^1].Type);
    }

    [Fact]
    public void Every_small_gap_is_padded_exactly_too()
    {
        var unpadded = SampleJp2.Create("gap").Length;
        for (var gap = 0; gap <= 9; gap++)
        {
            var bytes = SampleJp2.Create("gap", unpadded + gap);
            Assert.Equal(unpadded + gap, bytes.Length);
            // Boxes still tile the file exactly, and the text is still readable.
            var boxes = Jp2.ReadBoxes(new MemoryStream(bytes));
            Assert.Equal(bytes.Length, boxes[^1].Offset + boxes[^1].Length);
            Assert.Contains("<sample>gap</sample>", Jp2.ReadXmlBox(new MemoryStream(bytes)));
        }
    }

    [Fact]
    public void PadToBytes_smaller_than_the_sample_is_refused_with_the_minimum()
    {
        var unpadded = SampleJp2.Create("small").Length;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SampleJp2.Create("small", 100));
        Assert.Contains($"at least {unpadded} bytes", e.Message);
    }

    [Fact]
    public void The_text_is_XML_escaped()
    {
        var xml = Jp2.ReadXmlBox(new MemoryStream(SampleJp2.Create("<a & \"b\">")));
        Assert.Contains("<sample>&lt;a &amp; \"b\"&gt;</sample>", xml);
        Assert.Equal("<a & \"b\">", System.Xml.Linq.XDocument.Parse(xml!).Descendants("sample").Single().Value);
    }

    [Fact]
    public void Text_XML_cannot_carry_is_refused()
    {
        Assert.Throws<ArgumentException>(() => SampleJp2.Create("nul\0char"));
    }

    [Fact]
    public void Opj_decompress_decodes_a_padded_sample_to_the_known_image()
    {
        var dir = Directory.CreateTempSubdirectory("hvmirror-sample-");
        try
        {
            var jp2 = Path.Combine(dir.FullName, "sample.jp2");
            var pgm = Path.Combine(dir.FullName, "sample.pgm");
            File.WriteAllBytes(jp2, SampleJp2.Create("decode me", padToBytes: 50_000));

            var (exitCode, output) = Run("opj_decompress", "-i", jp2, "-o", pgm);

            Assert.True(exitCode == 0, $"opj_decompress failed ({exitCode}): {output}");
            var pixels = ReadPgm(File.ReadAllBytes(pgm), out var width, out var height);
            Assert.Equal(SampleJp2.ImageWidth, width);
            Assert.Equal(SampleJp2.ImageHeight, height);
            for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                Assert.Equal(SampleJp2.ExpectedPixel(x, y), pixels[y * width + x]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"{program} is not installed ({e.Message}); install it with: apt-get install libopenjp2-tools");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill();
                Assert.Fail($"{program} did not finish within 60 s.");
            }
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }

    /// <summary>Reads a binary 8-bit PGM (P5), skipping the comment line opj_decompress writes.</summary>
    private static byte[] ReadPgm(byte[] file, out int width, out int height)
    {
        var fields = new List<string>();
        var at = 0;
        while (fields.Count < 4)
        {
            while (char.IsWhiteSpace((char)file[at])) at++;
            if (file[at] == '#')
            {
                while (file[at] != '\n') at++;
                continue;
            }
            var start = at;
            while (!char.IsWhiteSpace((char)file[at])) at++;
            fields.Add(Encoding.ASCII.GetString(file, start, at - start));
        }
        at++; // the single whitespace before the raster
        Assert.Equal("P5", fields[0]);
        Assert.Equal("255", fields[3]);
        width = int.Parse(fields[1]);
        height = int.Parse(fields[2]);
        return file[at..];
    }
}
