using System.Globalization;

namespace Castio.Core.Storage;

/// <summary>
/// Read-only blob SAS (spec §6.2). Pinned to sv=2024-11-04: the 16-line service layout and the 24-line
/// user-delegation layout; newer versions insert lines.
/// </summary>
internal static class BlobSas
{
    public const string Version = StoragePipeline.BlobQueueVersion;
    private const string Permissions = "r";
    private const string Resource = "b";

    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string CanonicalResource(string account, string container, string blobName) => $"/blob/{account}/{container}/{blobName}";

    public static string ServiceStringToSign(string account, string container, string blobName, DateTimeOffset? startsOn, DateTimeOffset expiresOn, string protocol) =>
        string.Join('\n',
            Permissions,
            startsOn is { } s ? FormatTime(s) : "",
            FormatTime(expiresOn),
            CanonicalResource(account, container, blobName),
            "", // signedIdentifier
            "", // signedIP
            protocol,
            Version,
            Resource,
            "", // signedSnapshotTime
            "", // signedEncryptionScope
            "", "", "", "", ""); // rscc rscd rsce rscl rsct

    public static string ServiceSas(string account, byte[] accountKey, string container, string blobName, DateTimeOffset? startsOn, DateTimeOffset expiresOn, string protocol)
    {
        var signature = StorageSigning.Sign(accountKey, ServiceStringToSign(account, container, blobName, startsOn, expiresOn, protocol));
        return Query(startsOn, expiresOn, protocol, null, signature);
    }

    public static string UserDelegationStringToSign(string account, UserDelegationKey key, string container, string blobName, DateTimeOffset? startsOn, DateTimeOffset expiresOn, string protocol) =>
        string.Join('\n',
            Permissions,
            startsOn is { } s ? FormatTime(s) : "",
            FormatTime(expiresOn),
            CanonicalResource(account, container, blobName),
            key.SignedObjectId,
            key.SignedTenantId,
            FormatTime(key.SignedStartsOn),
            FormatTime(key.SignedExpiresOn),
            key.SignedService,
            key.SignedVersion,
            "", // saoid
            "", // suoid
            "", // scid
            "", // signedIP
            protocol,
            Version,
            Resource,
            "", // signedSnapshotTime
            "", // signedEncryptionScope
            "", "", "", "", ""); // rscc rscd rsce rscl rsct

    public static string UserDelegationSas(string account, UserDelegationKey key, string container, string blobName, DateTimeOffset? startsOn, DateTimeOffset expiresOn, string protocol)
    {
        var signature = StorageSigning.Sign(Convert.FromBase64String(key.Value),
            UserDelegationStringToSign(account, key, container, blobName, startsOn, expiresOn, protocol));
        return Query(startsOn, expiresOn, protocol, key, signature);
    }

    private static string Query(DateTimeOffset? startsOn, DateTimeOffset expiresOn, string protocol, UserDelegationKey? key, string signature)
    {
        var parts = new List<(string, string)> { ("sv", Version) };
        if (startsOn is { } s) parts.Add(("st", FormatTime(s)));
        parts.Add(("se", FormatTime(expiresOn)));
        parts.Add(("sr", Resource));
        parts.Add(("sp", Permissions));
        parts.Add(("spr", protocol));
        if (key is not null)
        {
            parts.Add(("skoid", key.SignedObjectId));
            parts.Add(("sktid", key.SignedTenantId));
            parts.Add(("skt", FormatTime(key.SignedStartsOn)));
            parts.Add(("ske", FormatTime(key.SignedExpiresOn)));
            parts.Add(("sks", key.SignedService));
            parts.Add(("skv", key.SignedVersion));
        }
        parts.Add(("sig", signature));
        return string.Join('&', parts.Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2)));
    }
}
