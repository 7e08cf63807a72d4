using System.Text;
using HvMirror.Archive;

namespace HvMirror.Archive.Tests;

public class Jp2Tests
{
    [Fact]
    public void Signature_is_the_12_byte_JPEG_2000_signature_box()
    {
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A }, Jp2.Signature.ToArray());
    }

    [Fact]
    public void HasSignature_accepts_a_JP2_head_and_refuses_others()
    {
        Assert.True(Jp2.HasSignature(SampleJp2.Create("x")));
        Assert.True(Jp2.HasSignature(Jp2.Signature));
        Assert.False(Jp2.HasSignature(Jp2.Signature[..11]));
        Assert.False(Jp2.HasSignature([]));
        Assert.False(Jp2.HasSignature("<html>not found</html>"u8));
        // A raw J2K codestream (no JP2 wrapper) starts with SOC+SIZ, not the signature.
        Assert.False(Jp2.HasSignature([0xFF, 0x4F, 0xFF, 0x51, 0, 0, 0, 0, 0, 0, 0, 0]));
    }

    [Fact]
    public void ReadBoxes_lists_the_top_level_boxes_in_order_covering_the_whole_file()
    {
        var bytes = SampleJp2.Create("boxes", padToBytes: 4096);
        using var stream = new MemoryStream(bytes);

        var boxes = Jp2.ReadBoxes(stream);

        Assert.Equal(["jP  ", "ftyp", "jp2h", "xml ", "jp2c", "free"], boxes.Select(b => b.Type));
        Assert.Equal(0, boxes[0].Offset);
        for (var i = 1; i < boxes.Count; i++)
            Assert.Equal(boxes[i - 1].Offset + boxes[i - 1].Length, boxes[i].Offset);
        Assert.Equal(bytes.Length, boxes[^1].Offset + boxes[^1].Length);
    }

    [Fact]
    public void ReadXmlBox_returns_the_first_xml_box()
    {
        using var stream = new MemoryStream(SampleJp2.Create("FITS goes here"));
        var xml = Jp2.ReadXmlBox(stream);
        Assert.NotNull(xml);
        Assert.StartsWith("<meta>", xml);
        Assert.Contains("<sample>FITS goes here</sample>", xml);
    }

    [Fact]
    public void ReadXmlBox_works_on_an_unseekable_stream()
    {
        using var stream = new ForwardOnlyStream(SampleJp2.Create("no seeking"));
        Assert.Contains("no seeking", Jp2.ReadXmlBox(stream));
    }

    [Fact]
    public void ReadXmlBox_returns_null_when_there_is_none()
    {
        var bytes = SampleJp2.Create("x");
        using var stream = new MemoryStream(bytes);
        var xmlBox = Jp2.ReadBoxes(stream).Single(b => b.Type == "xml ");
        var withoutXml = bytes.Take((int)xmlBox.Offset).Concat(bytes.Skip((int)(xmlBox.Offset + xmlBox.Length))).ToArray();

        Assert.Null(Jp2.ReadXmlBox(new MemoryStream(withoutXml)));
    }

    [Fact]
    public void ReadBoxes_reads_extended_and_to_end_of_file_lengths()
    {
        var file = new List<byte>(Jp2.Signature.ToArray());
        file.AddRange([0, 0, 0, 1, .. "uuid"u8, 0, 0, 0, 0, 0, 0, 0, 20, 1, 2, 3, 4]);
        file.AddRange([0, 0, 0, 0, .. "jp2c"u8, 9, 9, 9]);

        var boxes = Jp2.ReadBoxes(new MemoryStream(file.ToArray()));

        Assert.Equal(new Jp2Box("uuid", 12, 20, 16), boxes[1]);
        Assert.Equal(new Jp2Box("jp2c", 32, 11, 8), boxes[2]);
    }

    [Fact]
    public void Not_a_JP2_file_is_refused_with_the_expected_signature()
    {
        var e = Assert.Throws<InvalidDataException>(() => Jp2.ReadBoxes(new MemoryStream(Encoding.ASCII.GetBytes("<html>502 Bad Gateway</html>"))));
        Assert.Contains("does not start with the JPEG 2000 signature", e.Message);
    }

    [Fact]
    public void A_box_longer_than_the_file_is_refused()
    {
        var bytes = SampleJp2.Create("truncate me");
        var truncated = bytes[..(bytes.Length - 10)];
        var e = Assert.Throws<InvalidDataException>(() => Jp2.ReadBoxes(new MemoryStream(truncated)));
        Assert.Contains("but the file ends", e.Message);
    }

    [Fact]
    public void A_box_shorter_than_its_header_is_refused()
    {
        byte[] file = [.. Jp2.Signature, 0, 0, 0, 4, .. "ftyp"u8];
        var e = Assert.Throws<InvalidDataException>(() => Jp2.ReadBoxes(new MemoryStream(file)));
        Assert.Contains("less than its own header", e.Message);
    }

    [Fact]
    public void An_oversized_xml_box_is_not_read_into_memory()
    {
        byte[] file = [.. Jp2.Signature, 0x7F, 0xFF, 0xFF, 0xFF, .. "xml "u8];
        var e = Assert.Throws<InvalidDataException>(() => Jp2.ReadXmlBox(new ForwardOnlyStream(file)));
        Assert.Contains("at most", e.Message);
    }

    /// <summary>A network-like stream: reads forward, cannot seek or tell its length.</summary>
    private sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
