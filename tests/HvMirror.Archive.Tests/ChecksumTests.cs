using System.Security.Cryptography;
using System.Text;
using HvMirror.Archive;

namespace HvMirror.Archive.Tests;

public class ChecksumTests
{
    // SHA-256 of the empty input, from FIPS 180-4's test vectors.
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Fact]
    public void Sha256_of_a_digest_prints_in_the_OCI_form()
    {
        var checksum = Checksum.Sha256(SHA256.HashData([]));
        Assert.Equal("sha256", checksum.Algorithm);
        Assert.Equal(EmptySha256, checksum.Hex);
        Assert.Equal("sha256:" + EmptySha256, checksum.ToString());
    }

    [Fact]
    public void Sha256Of_matches_the_known_vector_for_abc()
    {
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            Checksum.Sha256Of(Encoding.ASCII.GetBytes("abc")).ToString());
    }

    [Fact]
    public async Task Sha256OfAsync_hashes_a_stream_like_the_bytes()
    {
        var bytes = SampleJp2.Create("stream hashing");
        await using var stream = new MemoryStream(bytes);
        Assert.Equal(Checksum.Sha256Of(bytes), await Checksum.Sha256OfAsync(stream));
    }

    [Fact]
    public void Sha256_rejects_a_digest_of_the_wrong_size()
    {
        var e = Assert.Throws<ArgumentException>(() => Checksum.Sha256(new byte[20]));
        Assert.Contains("32 bytes, not 20", e.Message);
    }

    [Fact]
    public void Round_trip_through_text()
    {
        var original = Checksum.Sha256Of(Encoding.UTF8.GetBytes("a file"));
        Assert.True(Checksum.TryParse(original.ToString(), out var parsed, out var error), error);
        Assert.Equal(original, parsed);
        Assert.Equal(original, Checksum.Parse(original.ToString()));
    }

    [Theory]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported checksum algorithm 'md5'; only sha256 is supported")]
    [InlineData("sha512:" + EmptySha256, "unsupported checksum algorithm 'sha512'; only sha256 is supported")]
    [InlineData("blake3:" + EmptySha256, "unsupported checksum algorithm 'blake3'")]
    [InlineData("SHA256:" + EmptySha256, "must be written in lowercase: 'sha256'")]
    [InlineData(EmptySha256, "has no algorithm prefix")]
    [InlineData("", "checksum is empty")]
    [InlineData(null, "checksum is empty")]
    [InlineData("sha256:", "has 0 hex digits; it must have exactly 64")]
    [InlineData("sha256:" + EmptySha256 + "00", "has 66 hex digits; it must have exactly 64")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb924", "has 32 hex digits; it must have exactly 64")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "uppercase hex digit 'E' at position 0; hex digits must be lowercase")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g", "'g' at position 63, which is not a hex digit")]
    [InlineData("sha256: 3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "' ' at position 0, which is not a hex digit")]
    public void TryParse_explains_what_is_wrong(string? text, string reason)
    {
        Assert.False(Checksum.TryParse(text, out var checksum, out var error));
        Assert.Equal(default, checksum);
        Assert.Contains(reason, error);
        var e = Assert.Throws<FormatException>(() => Checksum.Parse(text!));
        Assert.Equal(error, e.Message);
    }

    [Fact]
    public void Different_content_gives_different_checksums()
    {
        Assert.NotEqual(Checksum.Sha256Of([1]), Checksum.Sha256Of([2]));
    }
}
