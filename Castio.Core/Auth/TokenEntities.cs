using Azure;
using Azure.Data.Tables;

namespace Castio.Core.Auth;

/// <summary>
/// One refresh token (seed §4.4), row <c>refresh:{sha256}</c> in the org partition. A token is
/// used once: rotation stamps <see cref="UsedAt"/>, and presenting a used token again revokes
/// its family.
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

/// <summary>A sign-in session: every token rotated from one login. Revoking it ends them all.</summary>
public sealed class RefreshFamilyEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string UserId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastRotatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
}

/// <summary>
/// Token hash → org (partition = hash, row = kind), so an opaque token finds its org partition.
/// Written before the token row; an index row whose token row is missing means "invalid".
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
    public DateTimeOffset ExpiresAt { get; set; }
}
