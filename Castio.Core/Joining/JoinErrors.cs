namespace Castio.Core.Joining;

/// <summary>Stable problem codes of the join flow.</summary>
public static class JoinErrors
{
    public const string MeetingNotFound = "join.meeting_not_found";
    public const string NotInvited = "join.not_invited";
    public const string GuestsDisabled = "join.guests_disabled";
    public const string Locked = "join.meeting_locked";
    public const string Removed = "join.participant_removed";
    public const string NotActive = "join.meeting_not_active";
    public const string GuestTokenInvalid = "join.guest_token_invalid";
    public const string RateLimited = "join.rate_limited";
    public const string InProgress = "join.in_progress";
    public const string RtkUnavailable = "join.rtk_unavailable";

    /// <summary>Capacity caps: the code names the cap that was reached.</summary>
    public const string ParticipantsPerMeeting = "capacity.participants_per_meeting";
    public const string GuestsPerMeeting = "capacity.guests_per_meeting";
}
