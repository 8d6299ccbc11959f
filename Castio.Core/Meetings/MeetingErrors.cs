namespace Castio.Core.Meetings;

/// <summary>Stable problem codes of meetings.</summary>
public static class MeetingErrors
{
    public const string NotFound = "meeting.not_found";
    public const string Forbidden = "meeting.forbidden";
    public const string IllegalTransition = "meeting.illegal_transition";
    public const string TransitionInProgress = "meeting.transition_in_progress";
    public const string Concurrent = "meeting.concurrent_change";
    public const string VanitySlugTaken = "meeting.vanity_slug_taken";
    public const string ConcurrentMeetingsCap = "meeting.concurrent_meetings_cap";
    public const string RtkUnavailable = "meeting.rtk_unavailable";
    public const string RtkRejected = "meeting.rtk_rejected";
    public const string NotEditable = "meeting.not_editable";
}
