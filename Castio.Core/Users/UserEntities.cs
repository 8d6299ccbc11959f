using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Orgs;

namespace Castio.Core.Users;

/// <summary>A user of one org: partition = org id (<see cref="OrgKeys.Partition"/>), row = <c>user:{id}</c>.</summary>
public sealed class UserEntity : ITableEntity
{
    public const string Active = "active";
    public const string Invited = "invited";
    public const string Deactivated = "deactivated";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Email { get; set; } = "";
    public string Name { get; set; } = "";
    public string Role { get; set; } = "member";
    public string? PasswordHash { get; set; }
    public string Status { get; set; } = Active;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastLoginAt { get; set; }

    [IgnoreDataMember]
    public Guid Id => Guid.Parse(RowKey.AsSpan(UserKeys.UserPrefix.Length));

    [IgnoreDataMember]
    public Guid OrgId => Guid.Parse(PartitionKey);

    [IgnoreDataMember]
    public bool IsActive => Status == Active;
}

/// <summary>E-mail → user index inside the org partition, written in the same transaction as the user.</summary>
public sealed class EmailIndexEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string UserId { get; set; } = "";
}

/// <summary>A one-time invite (row = <c>invite:{sha256}</c>); the token itself is never stored.</summary>
public sealed class InviteEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string UserId { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>What callers see of a user.</summary>
public sealed record UserView(Guid Id, string Email, string Name, string Role, string Status, DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt)
{
    public static UserView From(UserEntity user) =>
        new(user.Id, user.Email, user.Name, user.Role, user.Status, user.CreatedAt, user.LastLoginAt);
}

public sealed record UserPage(IReadOnlyList<UserView> Users, string? NextCursor);

public sealed record InviteCommand(string? Email, string? Name, string? Role);

public sealed record InvitedUser(UserView User, string InviteToken, DateTimeOffset InviteExpiresAt);

public sealed record UserUpdate(string? Name, string? Role);

/// <summary>Row keys of the user rows kept in their org's partition of the <c>orgs</c> table, one prefix per entity type.</summary>
public static class UserKeys
{
    public const string UserPrefix = "user:";
    public const string EmailPrefix = "email:";
    public const string InvitePrefix = "invite:";

    public static string User(Guid userId) => UserPrefix + userId.ToString("D");

    /// <summary>E-mails may hold characters row keys forbid, so the index keys on their SHA-256.</summary>
    public static string Email(string normalizedEmail) => EmailPrefix + TableKeys.Hash(normalizedEmail);

    public static string Invite(string tokenHash) => InvitePrefix + tokenHash;
}
