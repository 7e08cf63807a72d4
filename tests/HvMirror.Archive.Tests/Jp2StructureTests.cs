using System.Buffers.Binary;
using HvMirror.Archive;

namespace HvMirror.Archive.Tests;

/// <summary>
/// <see cref="Jp2.IsWellFormed"/>: what a decoder needs (boxes that fit to the end of the file, ftyp, jp2h, and a jp2c
/// that starts with the SOC and SIZ markers), checked against real Helioviewer files, every kind of generated sample
/// and hand-broken files.
/// </summary>
public sealed class Jp2StructureTests
{
    private const string NoCodestreamFile = "2025_01_12__01_19_51_642__SOHO_EIT_EIT_304.jp2";

    public static TheoryData<string> RealFiles() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "RealFiles"), "*.jp2").Select(path => Path.GetFileName(path))];

    [Theory]
    [MemberData(nameof(RealFiles))]
    public void Every_real_Helioviewer_file_but_the_one_without_a_codestream_is_well_formed(string fileName)
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "RealFiles", fileName));

        var wellFormed = Jp2.IsWellFormed(file, out var problem);

        if (fileName == NoCodestreamFile)
            Assert.Equal((false, "no codestream (jp2c) box: not a decodable JPEG 2000 file"), (wellFormed, problem));
        else
            Assert.True(wellFormed, problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]   // padding inside the xml box, too little for a free box
    [InlineData(100)] // a trailing free box
    public void Every_generated_sample_is_well_formed(int extraBytes)
    {
        var bytes = SampleJp2.Create("sample", SampleJp2.Create("sample").Length + extraBytes);

        Assert.True(Jp2.IsWellFormed(new MemoryStream(bytes), out var problem), problem);
    }

    [Fact]
    public void Every_generated_sample_file_of_every_default_dataset_is_well_formed()
    {
        var files = SampleFiles.Generate(DataSources.Helioviewer, SampleFiles.DefaultDatasets, 14, new DateTime(2024, 1, 1), TimeSpan.FromMinutes(1));

        Assert.All(files, file => Assert.True(Jp2.IsWellFormed(new MemoryStream(file.Content), out var problem), $"{file.Name}: {problem}"));
    }

    [Fact]
    public void A_codestream_box_with_an_extended_length_is_well_formed()
    {
        var (head, codestream) = SplitAtCodestream(SampleJp2.Create("xl"));
        byte[] header = [0, 0, 0, 1, .. "jp2c"u8, .. BigEndian64(16 + codestream.Length)];

        Assert.True(Jp2.IsWellFormed(new MemoryStream([.. head, .. header, .. codestream]), out var problem), problem);
    }

    [Fact]
    public void A_last_codestream_box_of_length_zero_runs_to_the_end_of_the_file_and_is_well_formed()
    {
        var (head, codestream) = SplitAtCodestream(SampleJp2.Create("to the end"));

        Assert.True(Jp2.IsWellFormed(new MemoryStream([.. head, 0, 0, 0, 0, .. "jp2c"u8, .. codestream]), out var problem), problem);
    }

    [Fact]
    public void The_signature_followed_by_garbage_is_refused()
    {
        byte[] file = [.. Jp2.Signature, .. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 + 11))];

        Assert.False(Jp2.IsWellFormed(new MemoryStream(file), out var problem));
        Assert.Contains("the file is truncated or damaged", problem);
    }

    [Fact]
    public void A_file_without_the_signature_is_refused_saying_what_it_may_be()
    {
        Assert.False(Jp2.IsWellFormed(new MemoryStream("<html>502 Bad Gateway</html>"u8.ToArray()), out var problem));
        Assert.Contains("does not start with the JP2 signature box", problem);
        Assert.False(Jp2.IsWellFormed(new MemoryStream([]), out _));
    }

    [Fact]
    public void A_codestream_that_does_not_start_with_SOC_and_SIZ_is_refused()
    {
        var (head, codestream) = SplitAtCodestream(SampleJp2.Create("bad markers"));
        codestream[3] = 0x52; // SIZ (FF51) becomes COD (FF52)

        Assert.False(Jp2.IsWellFormed(new MemoryStream([.. head, .. BigEndian32(8 + codestream.Length), .. "jp2c"u8, .. codestream]), out var problem));
        Assert.Equal("the codestream (jp2c) box does not start with the SOC and SIZ markers (FF 4F FF 51): not a decodable JPEG 2000 file", problem);
    }

    [Fact]
    public void A_codestream_box_too_short_for_the_markers_is_refused()
    {
        var (head, _) = SplitAtCodestream(SampleJp2.Create("short"));

        Assert.False(Jp2.IsWellFormed(new MemoryStream([.. head, 0, 0, 0, 10, .. "jp2c"u8, 0xFF, 0x4F]), out var problem));
        Assert.Contains("does not start with the SOC and SIZ markers", problem);
    }

    [Theory]
    [InlineData("ftyp", "the signature box is not followed by the file type (ftyp) box")]
    [InlineData("jp2h", "no JP2 header (jp2h) box before the codestream")]
    public void A_file_missing_a_required_box_is_refused_naming_it(string missing, string expected)
    {
        var bytes = SampleJp2.Create("missing " + missing);
        var box = Jp2.ReadBoxes(new MemoryStream(bytes)).Single(b => b.Type == missing);
        byte[] without = [.. bytes[..(int)box.Offset], .. bytes[(int)(box.Offset + box.Length)..]];

        Assert.False(Jp2.IsWellFormed(new MemoryStream(without), out var problem));
        Assert.StartsWith(expected, problem);
    }

    [Fact]
    public void Bytes_after_the_last_box_that_cannot_be_a_box_are_refused()
    {
        byte[] file = [.. SampleJp2.Create("trailing"), 1, 2, 3];

        Assert.False(Jp2.IsWellFormed(new MemoryStream(file), out var problem));
        Assert.Contains("Truncated box header", problem);
    }

    [Fact]
    public void The_check_reads_box_headers_only_not_the_contents()
    {
        var bytes = SampleJp2.Create("counted", padToBytes: 1 << 20);
        using var counting = new CountingStream(bytes);

        Assert.True(Jp2.IsWellFormed(counting, out var problem), problem);
        Assert.True(counting.BytesRead < 256, $"read {counting.BytesRead} bytes of {bytes.Length}");
    }

    private static (byte[] Head, byte[] Codestream) SplitAtCodestream(byte[] file)
    {
        var box = Jp2.ReadBoxes(new MemoryStream(file)).Single(b => b.Type == "jp2c");
        return (file[..(int)box.Offset], file[(int)box.ContentOffset..(int)(box.Offset + box.Length)]);
    }

    private static byte[] BigEndian32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private sealed class CountingStream(byte[] content) : MemoryStream(content, writable: false)
    {
        public long BytesRead { get; private set; }

        // A derived MemoryStream's span reads come through here.
        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = base.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }
    }
}
