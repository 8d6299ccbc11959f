using Azure;

namespace Castio.Core.Storage;

/// <summary>Result of an upload.</summary>
public sealed record BlobContentInfo(ETag ETag, DateTimeOffset? LastModified);

/// <summary>A downloaded blob (or range of it).</summary>
public sealed record BlobDownloadResult(BinaryData Content, string? ContentType, ETag ETag, DateTimeOffset? LastModified, string? ContentRange);

/// <summary>Blob properties from a HEAD request.</summary>
public sealed record BlobProperties(string? ContentType, long ContentLength, ETag ETag, DateTimeOffset? LastModified, string? ContentDisposition, string? CacheControl);

/// <summary>One entry of a blob listing.</summary>
public sealed record BlobItem(string Name, string? ContentType, long? ContentLength, ETag ETag, DateTimeOffset? LastModified);

/// <summary>A user delegation key (spec §6.2): signs user-delegation SAS links; obtained with a token credential.</summary>
public sealed record UserDelegationKey(string SignedObjectId, string SignedTenantId, DateTimeOffset SignedStartsOn, DateTimeOffset SignedExpiresOn,
    string SignedService, string SignedVersion, string Value);
