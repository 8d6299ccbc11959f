using Castio.Core.Joining;

namespace Castio.Core.HostControls;

/// <summary>Stable problem codes of host controls.</summary>
public static class HostControlErrors
{
    public const string Forbidden = "hostcontrols.forbidden";
    public const string ParticipantNotFound = "hostcontrols.participant_not_found";
    public const string NotYourself = "hostcontrols.not_yourself";
    public const string NoActiveSession = "hostcontrols.no_active_session";
    public const string NotInSession = "hostcontrols.not_in_session";
    public const string RecordingRunning = "hostcontrols.recording_running";
    public const string NoRecording = "hostcontrols.no_recording";
    public const string LivestreamRunning = "hostcontrols.livestream_running";
    public const string NoLivestream = "hostcontrols.no_livestream";
    public const string MeetingClosed = "hostcontrols.meeting_closed";
    public const string Concurrent = "hostcontrols.concurrent_change";
}

/// <summary>
/// A participant as the host's list shows it. <c>Connections</c>: their RTK connections (tabs, devices) open now, as
/// RTK's join and leave webhooks reported them; 0 for someone who holds no place or has not connected yet.
/// </summary>
public sealed record ParticipantView(
    Guid ParticipantId,
    Guid? UserId,
    bool IsGuest,
    string DisplayName,
    string Role,
    string PresetName,
    DateTimeOffset FirstJoinedAt,
    DateTimeOffset LastJoinedAt,
    DateTimeOffset? RemovedAt,
    int Connections)
{
    public static ParticipantView From(ParticipantEntity p) =>
        new(p.ParticipantId, p.UserId, p.IsGuest, p.DisplayName, p.Role, p.PresetName, p.FirstJoinedAt, p.LastJoinedAt, p.RemovedAt, ParticipantPresence.Connections(p));
}

public sealed record ParticipantList(IReadOnlyList<ParticipantView> Participants);

/// <summary>A kick's result: the participant (now removed) and whether they were live in the session.</summary>
public sealed record KickResult(ParticipantView Participant, bool WasInSession);

public sealed record LockState(Guid MeetingId, bool Locked);

public sealed record RecordingState(string RecordingId, string? Status, DateTimeOffset? InvokedAt);

/// <summary>The meeting's livestream; the stream key stays with RTK.</summary>
public sealed record LivestreamState(string LivestreamId, string? Status, string? PlaybackUrl);
