using Azure;
using Azure.Data.Tables;

namespace Castio.Core.Auth;

/// <summary>
/// The <c>sessions</c> table: one partition per user (<c>{orgId}_{userId}</c>) holding that user's
/// families and refresh tokens, so rotation is one transaction in a partition that only this user's
/// own refreshes write to, and the org partition stays for the org's own rows.
/// </summary>
public static class SessionKeys
{
    public const string FamilyPrefix = "family:";
    public const string RefreshPrefix = "refresh:";

    public static string Partition(Guid orgId, Guid userId) => orgId.ToString("D") + "_" + userId.ToString("D");

    public static string Family(Guid familyId) => FamilyPrefix + familyId.ToString("D");

    public static string Refresh(string tokenHash) => RefreshPrefix + tokenHash;
}

/// <summary>
/// One refresh token, row <c>refresh:{sha256}</c> in its user's session partition. A token is used
/// once: rotation stamps <see cref="UsedAt"/>, and presenting a used token again revokes its family.
/// </summary>
public sealed class RefreshTokenEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string FamilyId { get; set; } = "";
    public string UserId { get; set; } = "";
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>
/// A sign-in session: every token rotated from one login. Revoking it ends them all. It lives as long
/// as its newest token (<see cref="ExpiresAt"/> moves with each rotation).
/// </summary>
public sealed class RefreshFamilyEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OrgId { get; set; } = "";
    public string UserId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastRotatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
}

/// <summary>
/// Token hash → owner (partition = hash, row = kind), so an opaque token finds its org (and, for a
/// refresh token, its user's session partition). Written before the token row; an index row whose
/// token row is missing means "invalid".
/// </summary>
public sealed class TokenIndexEntity : ITableEntity
{
    public const string Refresh = "refresh";
    public const string Invite = "invite";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OrgId { get; set; } = "";

    /// <summary>Refresh tokens only: whose session partition holds the token.</summary>
    public string? UserId { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
