using System.Net;
using Azure;
using Castio.Core.Storage;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Storage;

public sealed class BlobClientTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = azurite.CreateAccount().Blobs.GetBlobContainerClient(AzuriteFixture.UniqueName("c"));
        await container.CreateIfNotExistsAsync(Ct);
        return container;
    }

    [Fact]
    public async Task UploadedBlobDownloadsWithItsContentType()
    {
        var container = await NewContainerAsync();
        await container.CreateIfNotExistsAsync(Ct);
        var blob = container.GetBlobClient("docs/hello world.txt");
        var uploaded = await blob.UploadAsync(BinaryData.FromString("hello, blob storage"), "text/plain; charset=utf-8", cancellationToken: Ct);
        Assert.Equal(201, uploaded.GetRawResponse().Status);
        Assert.NotEqual(default, uploaded.Value.ETag);

        var download = (await blob.DownloadContentAsync(cancellationToken: Ct)).Value;
        Assert.Equal("hello, blob storage", download.Content.ToString());
        Assert.Equal("text/plain; charset=utf-8", download.ContentType);
        Assert.Equal(uploaded.Value.ETag, download.ETag);
        Assert.Contains("/docs/hello%20world.txt", blob.Uri.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RangeDownloadAnswers206WithOnlyTheRange()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("range.bin");
        await blob.UploadAsync(BinaryData.FromString("0123456789abcdefghijklmnopq"), "application/octet-stream", cancellationToken: Ct);
        var response = await blob.DownloadContentAsync(new HttpRange(5, 5), Ct);
        Assert.Equal(206, response.GetRawResponse().Status);
        Assert.Equal("56789", response.Value.Content.ToString());
        Assert.Equal("bytes 5-9/27", response.Value.ContentRange);
        var tail = await blob.DownloadContentAsync(new HttpRange(20), Ct);
        Assert.Equal("klmnopq", tail.Value.Content.ToString());
    }

    [Fact]
    public async Task PropertiesComeFromAHeadRequestAndMissingBlobsAre404()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("props.json");
        var uploaded = await blob.UploadAsync(BinaryData.FromString("{\"a\":1}"), "application/json", cancellationToken: Ct);
        var props = (await blob.GetPropertiesAsync(Ct)).Value;
        Assert.Equal("application/json", props.ContentType);
        Assert.Equal(7, props.ContentLength);
        Assert.Equal(uploaded.Value.ETag, props.ETag);
        Assert.NotNull(props.LastModified);

        await blob.DeleteAsync(Ct);
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => blob.GetPropertiesAsync(Ct));
        Assert.Equal(404, missing.Status);
        Assert.Equal("BlobNotFound", missing.ErrorCode);
        Assert.False((await blob.DeleteIfExistsAsync(Ct)).Value);
        var deleteAgain = await Assert.ThrowsAsync<RequestFailedException>(() => blob.DeleteAsync(Ct));
        Assert.Equal(404, deleteAgain.Status);
    }

    [Fact]
    public async Task UploadWithoutOverwriteFailsWith409WhenTheBlobExists()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("once.txt");
        await blob.UploadAsync(BinaryData.FromString("first"), "text/plain", overwrite: false, cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => blob.UploadAsync(BinaryData.FromString("second"), "text/plain", overwrite: false, cancellationToken: Ct));
        Assert.Equal(409, error.Status);
        Assert.Equal("BlobAlreadyExists", error.ErrorCode);
        await blob.UploadAsync(BinaryData.FromString("third"), "text/plain", cancellationToken: Ct);
        Assert.Equal("third", (await blob.DownloadContentAsync(cancellationToken: Ct)).Value.Content.ToString());
        Assert.True((await blob.DeleteIfExistsAsync(Ct)).Value);
    }

    [Fact]
    public async Task ListingFiltersByPrefixAndPagesWithContinuation()
    {
        var container = await NewContainerAsync();
        foreach (var name in new[] { "p/1.txt", "p/2.txt", "p/3 three.txt", "p/sub/4.txt", "p/5.txt", "q/1.txt", "q/2.txt" })
        {
            await container.GetBlobClient(name).UploadAsync(BinaryData.FromString(name), "text/plain", cancellationToken: Ct);
        }

        var all = new List<BlobItem>();
        await foreach (var item in container.GetBlobsAsync("p/", Ct)) all.Add(item);
        Assert.Equal(["p/1.txt", "p/2.txt", "p/3 three.txt", "p/5.txt", "p/sub/4.txt"], all.Select(b => b.Name).Order(StringComparer.Ordinal));
        Assert.All(all, b => Assert.Equal("text/plain", b.ContentType));
        Assert.Equal("p/1.txt".Length, all.Single(b => b.Name == "p/1.txt").ContentLength);

        var pages = new List<Page<BlobItem>>();
        await foreach (var page in container.GetBlobsAsync("p/", Ct).AsPages(pageSizeHint: 2)) pages.Add(page);
        Assert.Equal(5, pages.Sum(p => p.Values.Count));
        Assert.True(pages.Count >= 3);
        Assert.All(pages.SkipLast(1), p => Assert.NotNull(p.ContinuationToken));
        Assert.Null(pages[^1].ContinuationToken);

        var resumed = new List<BlobItem>();
        await foreach (var page in container.GetBlobsAsync("p/", Ct).AsPages(pages[0].ContinuationToken, 1)) resumed.AddRange(page.Values);
        Assert.Equal(3, resumed.Count);
    }

    [Fact]
    public async Task ReadLinkDownloadsWithAPlainHttpClient()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("shared/a b.txt");
        await blob.UploadAsync(BinaryData.FromString("shared content"), "text/plain", cancellationToken: Ct);
        var link = await blob.CreateReadLinkAsync(TimeSpan.FromMinutes(5), Ct);
        Assert.Contains("sp=r", link.Query, StringComparison.Ordinal);

        using var http = new HttpClient();
        using var response = await http.GetAsync(link, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("shared content", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);

        // Read-only: the same link cannot overwrite the blob.
        using var put = new HttpRequestMessage(HttpMethod.Put, link) { Content = new StringContent("overwritten") };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var putResponse = await http.SendAsync(put, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, putResponse.StatusCode);
    }

    [Fact]
    public async Task ExpiredOrTamperedReadLinksAreRefused()
    {
        var container = await NewContainerAsync();
        var blob = container.GetBlobClient("secret.txt");
        await blob.UploadAsync(BinaryData.FromString("secret"), "text/plain", cancellationToken: Ct);
        using var http = new HttpClient();

        var expired = blob.CreateServiceSasUri(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(-1));
        using var expiredResponse = await http.GetAsync(expired, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, expiredResponse.StatusCode);

        var valid = await blob.CreateReadLinkAsync(TimeSpan.FromMinutes(5), Ct);
        var tampered = new Uri(valid.AbsoluteUri.Replace("secret.txt", "other.txt", StringComparison.Ordinal));
        await container.GetBlobClient("other.txt").UploadAsync(BinaryData.FromString("other"), "text/plain", cancellationToken: Ct);
        using var tamperedResponse = await http.GetAsync(tampered, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, tamperedResponse.StatusCode);

        using var anonymous = await http.GetAsync(blob.Uri, Ct);
        Assert.False(anonymous.IsSuccessStatusCode);
    }

    [Fact]
    public async Task ReadLinkLifetimeMustBePositive()
    {
        var blob = (await NewContainerAsync()).GetBlobClient("x.txt");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => blob.CreateReadLinkAsync(TimeSpan.Zero, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => blob.CreateReadLinkAsync(TimeSpan.FromDays(8), Ct));
    }

    [Fact]
    public async Task DeletedContainerAnswers404()
    {
        var container = await NewContainerAsync();
        await container.DeleteIfExistsAsync(Ct);
        await container.DeleteIfExistsAsync(Ct);
        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            container.GetBlobClient("x").UploadAsync(BinaryData.FromString("x"), "text/plain", cancellationToken: Ct));
        Assert.Equal(404, error.Status);
        Assert.Equal("ContainerNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task UserDelegationKeyNeedsATokenCredential()
    {
        var blobs = azurite.CreateAccount().Blobs;
        await Assert.ThrowsAsync<InvalidOperationException>(() => blobs.GetUserDelegationKeyAsync(null, DateTimeOffset.UtcNow.AddHours(1), Ct));
    }
}
