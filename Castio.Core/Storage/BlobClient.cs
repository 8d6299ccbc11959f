using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace Castio.Core.Storage;

/// <summary>Entry point to the Blob service of one account.</summary>
public class BlobServiceClient
{
    private readonly StoragePipeline _pipeline = null!;
    private UserDelegationKey? _cachedKey;

    /// <summary>For mocking only.</summary>
    protected BlobServiceClient() { }

    internal BlobServiceClient(StoragePipeline pipeline) => _pipeline = pipeline;

    internal StoragePipeline Pipeline => _pipeline;

    /// <summary>A client for one container (no request is sent).</summary>
    public virtual BlobContainerClient GetBlobContainerClient(string containerName) => new(this, containerName);

    /// <summary>Gets a user delegation key (≤ 7 days; start defaults to now) for user-delegation SAS links. Needs a token credential.</summary>
    public virtual async Task<Response<UserDelegationKey>> GetUserDelegationKeyAsync(DateTimeOffset? startsOn, DateTimeOffset expiresOn, CancellationToken cancellationToken = default)
    {
        if (_pipeline.Credential.Token is null)
        {
            throw new InvalidOperationException("A user delegation key needs a token credential (Entra ID); this account uses a key or SAS.");
        }
        // Azurite answers 400 without <Start>; default it to now.
        var start = startsOn ?? TimeProvider.System.GetUtcNow();
        var body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><KeyInfo>" +
                   $"<Start>{BlobSas.FormatTime(start)}</Start><Expiry>{BlobSas.FormatTime(expiresOn)}</Expiry></KeyInfo>";
        using var message = _pipeline.CreateMessage(RequestMethod.Post, _pipeline.Url("", "restype=service&comp=userdelegationkey"));
        message.Request.Headers.SetValue("Content-Type", "application/xml");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(body));
        var response = await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var root = XDocument.Parse(response.Content.ToString()).Root ?? throw new RequestFailedException(response.Status, "Empty user delegation key response.", null, null);
        string T(string name) => root.Element(name)?.Value ?? "";
        var key = new UserDelegationKey(T("SignedOid"), T("SignedTid"),
            DateTimeOffset.Parse(T("SignedStart"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            DateTimeOffset.Parse(T("SignedExpiry"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            T("SignedService"), T("SignedVersion"), T("Value"));
        return Response.FromValue(key, response);
    }

    /// <summary>A cached delegation key valid until at least <paramref name="neededUntil"/>.</summary>
    internal async Task<UserDelegationKey> GetCachedDelegationKeyAsync(DateTimeOffset now, DateTimeOffset neededUntil, CancellationToken cancellationToken)
    {
        var key = _cachedKey;
        if (key is not null && key.SignedExpiresOn >= neededUntil && key.SignedStartsOn <= now) return key;
        // Ask for a day more than needed (capped at the 7-day maximum) so one key serves many links.
        var expiry = neededUntil.AddDays(1);
        if (expiry > now.AddDays(7)) expiry = now.AddDays(7);
        key = (await GetUserDelegationKeyAsync(now.AddMinutes(-5), expiry, cancellationToken).ConfigureAwait(false)).Value;
        _cachedKey = key;
        return key;
    }
}

/// <summary>Operations on one container.</summary>
public partial class BlobContainerClient
{
    private readonly BlobServiceClient _service = null!;

    /// <summary>For mocking only.</summary>
    protected BlobContainerClient() { Name = ""; }

    internal BlobContainerClient(BlobServiceClient service, string containerName)
    {
        if (containerName is null || !ContainerNameRegex().IsMatch(containerName) || containerName.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("Container names are 3-63 lowercase letters, digits or single hyphens, starting with a letter or digit.", nameof(containerName));
        }
        _service = service;
        Name = containerName;
    }

    /// <summary>The container name.</summary>
    public string Name { get; }

    internal StoragePipeline Pipeline => _service.Pipeline;
    internal BlobServiceClient Service => _service;

    /// <summary>Creates the (private) container unless it exists.</summary>
    public virtual async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Put, Pipeline.Url(Name, "restype=container"));
        await Pipeline.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 201) return;
        var error = StoragePipeline.CreateException(response);
        if (response.Status == 409 && error.ErrorCode == "ContainerAlreadyExists") return;
        throw error;
    }

    /// <summary>Deletes the container if it exists.</summary>
    public virtual async Task DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Delete, Pipeline.Url(Name, "restype=container"));
        await Pipeline.SendAsync(message, cancellationToken, 202, 404).ConfigureAwait(false);
    }

    /// <summary>A client for one blob (no request is sent).</summary>
    public virtual BlobClient GetBlobClient(string blobName) => new(this, blobName);

    /// <summary>Lists blobs (flat) whose names start with <paramref name="prefix"/>; pages follow NextMarker.</summary>
    public virtual AsyncPageable<BlobItem> GetBlobsAsync(string? prefix = null, CancellationToken cancellationToken = default) =>
        new StoragePageable<BlobItem>((marker, pageSize, ct) => ListPageAsync(prefix, marker, pageSize, ct), null, cancellationToken);

    private async Task<Page<BlobItem>> ListPageAsync(string? prefix, string? marker, int? pageSize, CancellationToken cancellationToken)
    {
        var query = "restype=container&comp=list";
        if (!string.IsNullOrEmpty(prefix)) query += "&prefix=" + Uri.EscapeDataString(prefix);
        if (!string.IsNullOrEmpty(marker)) query += "&marker=" + Uri.EscapeDataString(marker);
        if (pageSize is { } size) query += "&maxresults=" + Math.Clamp(size, 1, 5000).ToString(CultureInfo.InvariantCulture);
        using var message = Pipeline.CreateMessage(RequestMethod.Get, Pipeline.Url(Name, query));
        var response = await Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var root = XDocument.Parse(response.Content.ToString()).Root;
        var items = new List<BlobItem>();
        foreach (var blob in root?.Element("Blobs")?.Elements("Blob") ?? [])
        {
            var props = blob.Element("Properties");
            string? P(string name) => props?.Element(name)?.Value;
            items.Add(new BlobItem(blob.Element("Name")?.Value ?? "",
                P("Content-Type"),
                long.TryParse(P("Content-Length"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var length) ? length : null,
                P("Etag") is { } etag ? new ETag(etag) : default,
                QueueClient.ParseDate(P("Last-Modified"))));
        }
        var next = root?.Element("NextMarker")?.Value;
        return Page<BlobItem>.FromValues(items, string.IsNullOrEmpty(next) ? null : next, response);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerNameRegex();
}

/// <summary>Operations on one block blob.</summary>
public class BlobClient
{
    private readonly BlobContainerClient _container = null!;

    /// <summary>For mocking only.</summary>
    protected BlobClient() { Name = ""; BlobContainerName = ""; Uri = new Uri("http://localhost/"); }

    internal BlobClient(BlobContainerClient container, string blobName)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        if (blobName.Length > 1024) throw new ArgumentException("Blob names are at most 1024 characters.", nameof(blobName));
        _container = container;
        Name = blobName;
        BlobContainerName = container.Name;
        Uri = new Uri(Pipeline.Url(EncodedPath));
    }

    /// <summary>The blob name.</summary>
    public string Name { get; }

    /// <summary>The container name.</summary>
    public string BlobContainerName { get; }

    /// <summary>The blob's URI (no credentials).</summary>
    public Uri Uri { get; }

    private StoragePipeline Pipeline => _container.Pipeline;

    // Each segment percent-encoded, '/' kept (spec §6.1).
    private string EncodedPath => BlobContainerName + "/" + string.Join('/', Name.Split('/').Select(Uri.EscapeDataString));

    /// <summary>Uploads a block blob with the given content type; with <paramref name="overwrite"/> false an existing blob gives 409 BlobAlreadyExists.</summary>
    public virtual async Task<Response<BlobContentInfo>> UploadAsync(BinaryData content, string contentType, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        using var message = Pipeline.CreateMessage(RequestMethod.Put, Uri.AbsoluteUri);
        message.Request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        message.Request.Headers.SetValue("x-ms-blob-content-type", contentType);
        message.Request.Headers.SetValue("Content-Type", contentType);
        if (!overwrite) message.Request.Headers.SetValue("If-None-Match", "*");
        message.Request.Content = RequestContent.Create(content);
        var response = await Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(new BlobContentInfo(ETagOf(response), LastModifiedOf(response)), response);
    }

    /// <summary>Downloads the blob, or a range of it (206).</summary>
    public virtual async Task<Response<BlobDownloadResult>> DownloadContentAsync(HttpRange range = default, CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Get, Uri.AbsoluteUri);
        if (range != default) message.Request.Headers.SetValue("Range", FormatRange(range));
        var response = await Pipeline.SendAsync(message, cancellationToken, 200, 206).ConfigureAwait(false);
        response.Headers.TryGetValue("Content-Range", out var contentRange);
        var result = new BlobDownloadResult(response.Content, response.Headers.ContentType, ETagOf(response), LastModifiedOf(response), contentRange);
        return Response.FromValue(result, response);
    }

    /// <summary>Reads the blob's properties (HEAD); 404 throws with ErrorCode BlobNotFound.</summary>
    public virtual async Task<Response<BlobProperties>> GetPropertiesAsync(CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Head, Uri.AbsoluteUri);
        var response = await Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        response.Headers.TryGetValue("Content-Disposition", out var disposition);
        response.Headers.TryGetValue("Cache-Control", out var cacheControl);
        var props = new BlobProperties(response.Headers.ContentType, response.Headers.ContentLength ?? 0, ETagOf(response),
            LastModifiedOf(response), disposition, cacheControl);
        return Response.FromValue(props, response);
    }

    /// <summary>Deletes the blob; 404 throws.</summary>
    public virtual async Task<Response> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Delete, Uri.AbsoluteUri);
        return await Pipeline.SendAsync(message, cancellationToken, 202).ConfigureAwait(false);
    }

    /// <summary>Deletes the blob if it exists; the value says whether it did.</summary>
    public virtual async Task<Response<bool>> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = Pipeline.CreateMessage(RequestMethod.Delete, Uri.AbsoluteUri);
        var response = await Pipeline.SendAsync(message, cancellationToken, 202, 404).ConfigureAwait(false);
        return Response.FromValue(response.Status == 202, response);
    }

    /// <summary>
    /// A read-only link valid for <paramref name="lifetime"/>: a service SAS when the account has a key, a
    /// user-delegation SAS when it uses a token credential.
    /// </summary>
    public virtual async Task<Uri> CreateReadLinkAsync(TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lifetime, TimeSpan.FromDays(7));
        var now = TimeProvider.System.GetUtcNow();
        var expiresOn = now + lifetime;
        var credential = Pipeline.Credential;
        if (credential.AccountKey is not null) return CreateServiceSasUri(null, expiresOn);
        if (credential.Token is not null)
        {
            var key = await _container.Service.GetCachedDelegationKeyAsync(now, expiresOn, cancellationToken).ConfigureAwait(false);
            return CreateUserDelegationSasUri(key, null, expiresOn);
        }
        throw new InvalidOperationException("Read links need an account key or a token credential; this account only has a SAS.");
    }

    internal Uri CreateServiceSasUri(DateTimeOffset? startsOn, DateTimeOffset expiresOn)
    {
        var credential = Pipeline.Credential;
        var sas = BlobSas.ServiceSas(credential.AccountName, credential.AccountKey!, BlobContainerName, Name, startsOn, expiresOn, Protocol);
        return new Uri(Uri.AbsoluteUri + "?" + sas);
    }

    internal Uri CreateUserDelegationSasUri(UserDelegationKey key, DateTimeOffset? startsOn, DateTimeOffset expiresOn)
    {
        var sas = BlobSas.UserDelegationSas(Pipeline.Credential.AccountName, key, BlobContainerName, Name, startsOn, expiresOn, Protocol);
        return new Uri(Uri.AbsoluteUri + "?" + sas);
    }

    private string Protocol => Uri.Scheme == "https" ? "https" : "https,http";

    private static string FormatRange(HttpRange range) =>
        range.Length is { } length
            ? $"bytes={range.Offset.ToString(CultureInfo.InvariantCulture)}-{(range.Offset + length - 1).ToString(CultureInfo.InvariantCulture)}"
            : $"bytes={range.Offset.ToString(CultureInfo.InvariantCulture)}-";

    private static ETag ETagOf(Response response) => response.Headers.ETag ?? default;

    private static DateTimeOffset? LastModifiedOf(Response response) =>
        response.Headers.TryGetValue("Last-Modified", out var value) ? QueueClient.ParseDate(value) : null;
}
