using System.IO.Compression;
using HvMirror.Archive;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HvMirror.Fetcher.Tests;

/// <summary>
/// A file body sent with a Content-Encoding is decoded, so that the checksum is over the file's own bytes, or refused
/// naming the encoding (issue 9, item 13).
/// </summary>
public sealed class ContentEncodingTests() : LoopbackUpstreamTests(SampleJp2.Create("encoded", padToBytes: 20_000))
{
    protected override void MapEndpoints(WebApplication app)
    {
        app.MapGet("/jp2/{encoding}.jp2", async (string encoding, HttpContext context) =>
        {
            context.Response.ContentType = "image/jp2";
            context.Response.Headers.ContentEncoding = encoding;
            await context.Response.Body.WriteAsync(encoding switch
            {
                "gzip" => Encode(Jp2File, body => new GZipStream(body, CompressionLevel.Fastest)),
                "deflate" => Encode(Jp2File, body => new ZLibStream(body, CompressionLevel.Fastest)),
                "br" => Encode(Jp2File, body => new BrotliStream(body, CompressionLevel.Fastest)),
                _ => Jp2File,
            });
        });
        app.MapGet("/jp2/broken-gzip.jp2", async (HttpContext context) =>
        {
            context.Response.Headers.ContentEncoding = "gzip";
            await context.Response.Body.WriteAsync(Encode(Jp2File, body => new GZipStream(body, CompressionLevel.Fastest))[..100].Concat(Jp2File[..5000]).ToArray());
        });
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task An_encoded_body_is_decoded_and_its_checksum_is_theJp2Files(string encoding)
    {
        await using var node = new DownloaderNode(Upstream.BaseUrl);

        using var staged = await node.DownloadAsync(Upstream.Url($"/jp2/{encoding}.jp2"));

        Assert.Equal((Checksum.Sha256Of(Jp2File), (long)Jp2File.Length), (staged.Checksum, staged.Size));
        Assert.True(staged.IsJp2, staged.Jp2Problem);
    }

    [Fact]
    public async Task An_encoding_this_node_cannot_decode_is_refused_naming_it()
    {
        await using var node = new DownloaderNode(Upstream.BaseUrl);

        var e = await Assert.ThrowsAsync<PermanentFetchException>(() => node.DownloadAsync(Upstream.Url("/jp2/zstd.jp2")));

        Assert.Contains("Content-Encoding 'zstd'", e.Message);
        Assert.Empty(node.StagedLeftovers());
    }

    [Fact]
    public async Task A_gzip_body_that_does_not_decode_fails_as_transient_naming_the_encoding()
    {
        await using var node = new DownloaderNode(Upstream.BaseUrl);

        var e = await Assert.ThrowsAsync<TransientFetchException>(() => node.DownloadAsync(Upstream.Url("/jp2/broken-gzip.jp2")));

        Assert.Contains("gzip", e.Message);
        Assert.Empty(node.StagedLeftovers());
    }

    private static byte[] Encode(byte[] content, Func<Stream, Stream> encoder)
    {
        var encoded = new MemoryStream();
        using (var encoding = encoder(encoded))
            encoding.Write(content);
        return encoded.ToArray();
    }
}
