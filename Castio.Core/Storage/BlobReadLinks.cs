using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace Castio.Core.Storage;

/// <summary>
/// Short-lived read-only links to blobs. In Azure shared keys are off, so a link is a
/// user-delegation SAS signed with a key the app's identity obtains; with a shared key
/// (the Azurite connection string) it is a service SAS.
/// </summary>
public sealed class BlobReadLinks(BlobServiceClient service, TimeProvider time)
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(7);

    // Start a little in the past: the service and this machine do not share a clock.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private UserDelegationKey? _key;

    public async Task<Uri> CreateAsync(BlobClient blob, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lifetime, MaxLifetime);
        var now = time.GetUtcNow();
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, now + lifetime)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = now - ClockSkew,
        };
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(sas);
        }

        var key = await DelegationKeyAsync(now, sas.ExpiresOn, cancellationToken);
        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key, service.AccountName) }.ToUri();
    }

    /// <summary>One key serves many links: it is reused while it covers the link's lifetime.</summary>
    private async Task<UserDelegationKey> DelegationKeyAsync(DateTimeOffset now, DateTimeOffset neededUntil, CancellationToken cancellationToken)
    {
        if (_key is { } cached && cached.SignedExpiresOn >= neededUntil && cached.SignedStartsOn <= now)
        {
            return cached;
        }

        // A day more than needed, within the service's 7-day maximum.
        var expiry = neededUntil.AddDays(1) < now + MaxLifetime ? neededUntil.AddDays(1) : now + MaxLifetime;
        var key = (await service.GetUserDelegationKeyAsync(now - ClockSkew, expiry, cancellationToken)).Value;
        _key = key;
        return key;
    }
}
