using System.Net;
using System.Net.Http.Headers;
using HvMirror.Testing;

namespace HvMirror.HapiServer.Tests;

[Collection(HapiServerCollection.Name)]
public sealed class Jp2FileTests(HapiServerFixture fixture)
{
    private HttpClient Client => fixture.Client;
    private SeededFile File0 => fixture.Aia[0];
    private string Url0 => "/jp2/" + File0.ArchivePath;

    [Fact]
    public async Task Serves_the_file_bytes_as_image_jp2_with_the_checksum_as_strong_etag()
    {
        using var response = await Client.GetAsync(Url0);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jp2", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(File0.Bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{File0.Checksum}\"", response.Headers.ETag!.Tag);
        Assert.False(response.Headers.ETag.IsWeak);
        Assert.Contains("bytes", response.Headers.AcceptRanges);
        Assert.NotNull(response.Content.Headers.LastModified);
    }

    [Fact]
    public async Task A_range_request_gets_206_with_exactly_those_bytes()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url0);
        request.Headers.Range = new RangeHeaderValue(12, 99);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(File0.Bytes[12..100], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(File0.Bytes.Length, response.Content.Headers.ContentRange!.Length);

        var suffix = new HttpRequestMessage(HttpMethod.Get, Url0);
        suffix.Headers.Range = new RangeHeaderValue(null, 10);
        using var tail = await Client.SendAsync(suffix);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(File0.Bytes[^10..], await tail.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_unsatisfiable_range_gets_416()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url0);
        request.Headers.Range = new RangeHeaderValue(File0.Bytes.Length + 10, File0.Bytes.Length + 20);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal(File0.Bytes.Length, response.Content.Headers.ContentRange!.Length);
    }

    [Fact]
    public async Task If_none_match_with_the_checksum_etag_gets_304()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url0);
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{File0.Checksum}\""));
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);

        var other = new HttpRequestMessage(HttpMethod.Get, Url0);
        other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"sha256:0000\""));
        using var changed = await Client.SendAsync(other);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
    }

    [Fact]
    public async Task An_unregistered_jp2_is_served_with_a_length_and_mtime_etag()
    {
        var path = "AIA/2024/03/01/171/unregistered.jp2";
        var bytes = HvMirror.Archive.SampleJp2.Create("unregistered");
        await File.WriteAllBytesAsync(Path.Combine(fixture.Archive, path), bytes);
        using var response = await Client.GetAsync("/jp2/" + path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.StartsWith($"\"{bytes.Length:x}-", response.Headers.ETag!.Tag);
    }

    [Theory]
    [InlineData("/jp2/../secret.txt")]
    [InlineData("/jp2/%2e%2e/secret.txt")]
    [InlineData("/jp2/..%2fsecret.txt")]
    [InlineData("/jp2/..%2Fsecret.txt")]
    [InlineData("/jp2/AIA/..%2F..%2Fsecret.txt")]
    [InlineData("/jp2/%2E%2E%2Fsecret.txt")]
    [InlineData("/jp2/..%5csecret.txt")]
    [InlineData("/jp2//etc/passwd")]
    [InlineData("/jp2/%2fetc%2fpasswd")]
    [InlineData("/jp2/notes.txt")]
    [InlineData("/jp2/catalog.db")]
    [InlineData("/jp2/AIA/2024/03/01/171/missing.jp2")]
    [InlineData("/jp2/")]
    public async Task Paths_that_leave_the_archive_or_are_not_jp2_files_are_refused(string url)
    {
        using var response = await Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.NotFound });
        Assert.DoesNotContain("TOP-SECRET", body);
        Assert.DoesNotContain("root:", body);
    }
}
