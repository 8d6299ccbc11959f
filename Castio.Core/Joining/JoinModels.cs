namespace Castio.Core.Joining;

/// <summary>What the join flow needs to know about a meeting (read through <see cref="JoinMeetings"/>).</summary>
public sealed record JoinMeeting(
    Guid OrgId,
    Guid Id,
    string Title,
    string MeetingType,
    string Status,
    Guid HostUserId,
    string? RtkMeetingId,
    bool RtkActive,
    string? GuestAccess,
    string MemberAccess,
    bool WaitingRoomEnabled,
    bool TranscriptionEnabled,
    bool RecordingAutoStart,
    int MaxParticipants,
    bool Locked,
    bool IsPermanent);

/// <summary>What the client renders with, beside the RTK token.</summary>
public sealed record MeetingConfig(
    string Title,
    string MeetingType,
    bool WaitingRoomEnabled,
    bool TranscriptionEnabled,
    bool RecordingAutoStart,
    /// <summary>Whether this participant's preset puts them in RTK's waiting room until a host admits them.</summary>
    bool WaitingRoom,
    bool Guest);

/// <summary>The answer to a member's join.</summary>
public sealed record JoinResult(string RtkAuthToken, string RtkMeetingId, string PresetName, Guid ParticipantId, MeetingConfig MeetingConfig);

/// <summary>A guest join request: a display name, optionally an e-mail, and the guest token of an earlier join.</summary>
public sealed record GuestJoinRequest(string? DisplayName, string? Email = null, string? GuestToken = null);

/// <summary>
/// The answer to a guest join. <paramref name="GuestToken"/> is present only when a new guest token was issued;
/// a rejoin presenting one keeps it.
/// </summary>
public sealed record GuestJoinResult(
    string RtkAuthToken,
    string RtkMeetingId,
    string PresetName,
    Guid ParticipantId,
    MeetingConfig MeetingConfig,
    string? GuestToken,
    DateTimeOffset GuestTokenExpiresAt);
