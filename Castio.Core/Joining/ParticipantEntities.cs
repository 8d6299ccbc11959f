using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace Castio.Core.Joining;

/// <summary>
/// Row keys of the <c>participants</c> table (partition = org id). A meeting's rows share the prefix
/// <c>{meetingId}|</c>: <c>u|{userId}</c> a member's participant, <c>g|{participantId}</c> a guest's,
/// <c>p|{participantId}</c> the index from participant id to either, <c>c|{rtkMeetingId}</c> the counters.
/// </summary>
public static class ParticipantKeys
{
    public static string Partition(Guid orgId) => orgId.ToString("D");

    public static string MeetingPrefix(Guid meetingId) => meetingId.ToString("N") + "|";

    public static string User(Guid meetingId, Guid userId) => MeetingPrefix(meetingId) + "u|" + userId.ToString("N");

    public static string Guest(Guid meetingId, Guid participantId) => MeetingPrefix(meetingId) + "g|" + participantId.ToString("N");

    public static string Index(Guid meetingId, Guid participantId) => MeetingPrefix(meetingId) + "p|" + participantId.ToString("N");

    public static string Counter(Guid meetingId, string rtkMeetingId) => MeetingPrefix(meetingId) + "c|" + rtkMeetingId;
}

/// <summary>
/// One person in one meeting: the stable Castio participant id, the RTK participant behind it (per RTK
/// meeting, so a new occurrence gets a new one) and the sealed RTK token a rejoin reuses.
/// </summary>
public sealed class ParticipantEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public Guid MeetingId { get; set; }
    public Guid ParticipantId { get; set; }
    public Guid? UserId { get; set; }
    public bool IsGuest { get; set; }
    public string DisplayName { get; set; } = "";
    public string? Email { get; set; }

    /// <summary>Platform role at first join (guest for guests), lower-case.</summary>
    public string Role { get; set; } = "";
    public string PresetName { get; set; } = "";
    public string? RtkMeetingId { get; set; }
    public string? RtkParticipantId { get; set; }

    /// <summary>AES-GCM sealed RTK token (see <see cref="ParticipantTokenVault"/>); never the token itself.</summary>
    public string? SealedToken { get; set; }
    public DateTimeOffset? TokenReusableUntil { get; set; }

    /// <summary>The RTK meeting whose counters count this participant.</summary>
    public string? CountedRtkMeetingId { get; set; }

    /// <summary>The RTK meeting <see cref="OpenPeers"/> and <see cref="ClosedPeers"/> are of (see <see cref="ParticipantPresence"/>).</summary>
    public string? PeersRtkMeetingId { get; set; }

    /// <summary>RTK peer ids (space-separated) connected now; the place is held while any is.</summary>
    public string? OpenPeers { get; set; }

    /// <summary>RTK peer ids (space-separated) that left lately, so their late join deliveries reopen nothing.</summary>
    public string? ClosedPeers { get; set; }
    public DateTimeOffset FirstJoinedAt { get; set; }
    public DateTimeOffset LastJoinedAt { get; set; }
    public int JoinCount { get; set; }

    /// <summary>Set by host controls when the participant may not come back.</summary>
    public DateTimeOffset? RemovedAt { get; set; }

    [IgnoreDataMember]
    public Guid OrgId => Guid.Parse(PartitionKey);

    public Participant ToParticipant() => new(
        ParticipantId, MeetingId, UserId, IsGuest, DisplayName, Role, PresetName, RtkMeetingId, RtkParticipantId, FirstJoinedAt, LastJoinedAt, RemovedAt);

    /// <summary>A separate copy (every property is a value or an immutable string).</summary>
    public ParticipantEntity Copy() => (ParticipantEntity)MemberwiseClone();

    /// <summary>What binds a sealed token to this row.</summary>
    public string TokenBinding() => $"{PartitionKey}|{ParticipantId:N}|{RtkParticipantId}";
}

/// <summary>Participant id → the row key of the participant (member or guest).</summary>
public sealed class ParticipantIndexEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ParticipantRow { get; set; } = "";
}

/// <summary>People admitted to one RTK meeting of a Castio meeting; changed only under its ETag.</summary>
public sealed class ParticipantCounterEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int Participants { get; set; }
    public int Guests { get; set; }
}

/// <summary>
/// The <c>participantevents</c> table: partition = org id, row = <c>{meetingId}|{eventId}</c> (version-7 ids,
/// so a meeting's events read in time order). Every join writes one, saying how its RTK token was obtained.
/// </summary>
public sealed class ParticipantEventEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public Guid MeetingId { get; set; }
    public Guid ParticipantId { get; set; }
    public Guid? UserId { get; set; }
    public bool IsGuest { get; set; }

    /// <summary><see cref="ParticipantEvents"/>: joined, rejoined.</summary>
    public string EventType { get; set; } = "";
    public string PresetName { get; set; } = "";
    public string? RtkMeetingId { get; set; }
    public string? RtkParticipantId { get; set; }

    /// <summary><see cref="TokenSources"/>: how the RTK token handed out was obtained.</summary>
    public string TokenSource { get; set; } = "";
    public DateTimeOffset At { get; set; }
}

public static class ParticipantEvents
{
    public const string Joined = "joined";
    public const string Rejoined = "rejoined";
}

public static class TokenSources
{
    /// <summary>A new RTK participant was added.</summary>
    public const string Added = "added";

    /// <summary>RTK's refresh-token endpoint issued a new token for the existing RTK participant.</summary>
    public const string Refreshed = "refreshed";

    /// <summary>The stored token was still valid; no RTK call.</summary>
    public const string Reused = "reused";
}

/// <summary>The <c>guesttokens</c> index: partition = SHA-256 of the guest token, one row.</summary>
public sealed class GuestTokenEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public Guid OrgId { get; set; }
    public Guid MeetingId { get; set; }
    public Guid ParticipantId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>A participant as other features (host controls, diagnostics) see it.</summary>
public sealed record Participant(
    Guid ParticipantId,
    Guid MeetingId,
    Guid? UserId,
    bool IsGuest,
    string DisplayName,
    string Role,
    string PresetName,
    string? RtkMeetingId,
    string? RtkParticipantId,
    DateTimeOffset FirstJoinedAt,
    DateTimeOffset LastJoinedAt,
    DateTimeOffset? RemovedAt);

/// <summary>One participant event, for diagnostics (token issuance: who, when, preset, RTK participant).</summary>
public sealed record ParticipantEventView(
    Guid ParticipantId,
    Guid? UserId,
    bool IsGuest,
    string EventType,
    string PresetName,
    string? RtkMeetingId,
    string? RtkParticipantId,
    string TokenSource,
    DateTimeOffset At);
