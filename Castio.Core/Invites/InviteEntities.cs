using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;

namespace Castio.Core.Invites;

/// <summary>
/// One invitation of one person to one meeting. The same fields are kept in two rows of the org's
/// partition: the meeting's row (<see cref="InviteKeys.Meeting"/>, unique per invitee, so a second
/// invite of the same person cannot be added) and the invitee's row (<see cref="InviteKeys.Inbox"/>,
/// so "my invites" is a range read). Both change together in one transaction.
/// </summary>
public sealed class InviteEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string InviteId { get; set; } = "";
    public string MeetingId { get; set; } = "";

    /// <summary>Set when the invitee is a user of the org (invited by id, or by an e-mail a user holds).</summary>
    public string? UserId { get; set; }

    /// <summary>Normalized e-mail; set for e-mail invites (and kept for users invited by e-mail).</summary>
    public string? Email { get; set; }

    public string Rsvp { get; set; } = RsvpStatus.Pending;
    public string InvitedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RespondedAt { get; set; }

    [IgnoreDataMember]
    public Guid Id => Guid.Parse(InviteId);

    /// <summary>The same invite as another row (the meeting's copy or the invitee's).</summary>
    public InviteEntity CopyAs(string rowKey) => new()
    {
        PartitionKey = PartitionKey,
        RowKey = rowKey,
        InviteId = InviteId,
        MeetingId = MeetingId,
        UserId = UserId,
        Email = Email,
        Rsvp = Rsvp,
        InvitedBy = InvitedBy,
        CreatedAt = CreatedAt,
        RespondedAt = RespondedAt,
    };
}

/// <summary>Invite id → the meeting row of the invite, for the RSVP route.</summary>
public sealed class InviteIdEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string MeetingRowKey { get; set; } = "";
    public string InboxRowKey { get; set; } = "";
}

public static class RsvpStatus
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Declined = "declined";
    public const string Tentative = "tentative";

    /// <summary>What an invitee may answer.</summary>
    public static readonly IReadOnlyList<string> Answers = [Accepted, Declined, Tentative];
}

/// <summary>
/// Who an invite is for: a user of the org, or an e-mail address. The key is what makes an invite
/// unique per meeting. E-mails may hold characters row keys forbid, so they key on their SHA-256.
/// </summary>
public readonly record struct Invitee(Guid? UserId, string? Email)
{
    public static Invitee User(Guid userId, string? email = null) => new(userId, email);

    public static Invitee ByEmail(string normalizedEmail) => new(null, normalizedEmail);

    public string Key => UserId is { } id ? "u:" + id.ToString("N") : "e:" + TableKeys.Hash(Email!);
}

/// <summary>
/// Row keys of the <c>meetinginvites</c> table; the partition is the org
/// (<see cref="Orgs.OrgKeys.Partition"/>), so every read is scoped to the caller's org by construction.
/// </summary>
public static class InviteKeys
{
    public const string MeetingPrefix = "m:";
    public const string InboxPrefix = "to:";
    public const string IdPrefix = "id:";

    public static string MeetingRows(Guid meetingId) => MeetingPrefix + meetingId.ToString("N") + "|";

    public static string Meeting(Guid meetingId, string inviteeKey) => MeetingRows(meetingId) + inviteeKey;

    public static string InboxRows(string inviteeKey) => InboxPrefix + inviteeKey + "|";

    public static string Inbox(string inviteeKey, Guid inviteId) => InboxRows(inviteeKey) + inviteId.ToString("N");

    public static string Id(Guid inviteId) => IdPrefix + inviteId.ToString("N");
}
