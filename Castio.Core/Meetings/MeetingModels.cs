namespace Castio.Core.Meetings;

public static class MeetingTypes
{
    public const string Video = "video";
    public const string Audio = "audio";
    public const string Webinar = "webinar";
    public const string Livestream = "livestream";
    public static readonly IReadOnlyList<string> All = [Video, Audio, Webinar, Livestream];
}

public static class SchedulingTypes
{
    public const string Instant = "instant";
    public const string Scheduled = "scheduled";
    public const string Recurring = "recurring";
    public const string Permanent = "permanent";
    public static readonly IReadOnlyList<string> All = [Instant, Scheduled, Recurring, Permanent];
}

public static class MeetingStatus
{
    public const string Draft = "draft";
    public const string Scheduled = "scheduled";
    public const string Active = "active";
    public const string Ended = "ended";
    public const string Cancelled = "cancelled";
    public static readonly IReadOnlyList<string> All = [Draft, Scheduled, Active, Ended, Cancelled];
}

/// <summary>
/// Which signed-in members may join (and so see) a meeting. <c>org</c> (the default): any member of
/// the org. <c>invited</c>: only invitees (and the host, owners and admins). Guests are governed by
/// guest access, not by this.
/// </summary>
public static class MemberAccess
{
    public const string Org = "org";
    public const string Invited = "invited";
    public static readonly IReadOnlyList<string> All = [Org, Invited];
}

/// <summary>The meeting resource on the wire.</summary>
public sealed record Meeting(
    Guid Id,
    string Slug,
    string JoinUrl,
    string Status,
    string Title,
    string? Description,
    string MeetingType,
    string SchedulingType,
    DateTimeOffset? ScheduledStart,
    DateTimeOffset? ScheduledEnd,
    string Timezone,
    string? Rrule,
    string? Dtstart,
    int? DurationMinutes,
    string? VanitySlug,
    string? GuestAccess,
    bool WaitingRoomEnabled,
    bool RecordingAutoStart,
    bool TranscriptionEnabled,
    int MaxParticipants,
    string MemberAccess,
    string? RtkMeetingId,
    Guid HostUserId,
    bool Locked,
    DateTimeOffset? ActualStart,
    DateTimeOffset? ActualEnd,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static Meeting From(MeetingEntity m, string orgSlug) => new(
        m.Id, m.Slug, JoinPath(orgSlug, m.Slug), m.Status, m.Title, m.Description, m.MeetingType, m.SchedulingType,
        m.ScheduledStart, m.ScheduledEnd, m.Timezone, m.Rrule, m.Dtstart, m.DurationMinutes, m.VanitySlug, m.GuestAccess,
        m.WaitingRoomEnabled, m.RecordingAutoStart, m.TranscriptionEnabled, m.MaxParticipants, m.MemberAccess,
        m.RtkMeetingId, m.HostId, m.Locked, m.ActualStart, m.ActualEnd, m.CreatedAt, m.UpdatedAt);

    public static string JoinPath(string orgSlug, string slug) => $"/{orgSlug}/m/{slug}";
}

public sealed record MeetingPage(IReadOnlyList<Meeting> Meetings, string? NextCursor);

/// <summary>
/// The fields of a create, or of a PATCH (null leaves a field as it is). In a PATCH,
/// <c>guestAccess: "inherit"</c> goes back to the org's default.
/// </summary>
public sealed record MeetingInput(
    string? Title = null,
    string? Description = null,
    string? MeetingType = null,
    string? SchedulingType = null,
    string? ScheduledStart = null,
    string? ScheduledEnd = null,
    string? Timezone = null,
    string? Rrule = null,
    string? Dtstart = null,
    int? DurationMinutes = null,
    string? VanitySlug = null,
    string? GuestAccess = null,
    bool? WaitingRoomEnabled = null,
    bool? RecordingAutoStart = null,
    bool? TranscriptionEnabled = null,
    int? MaxParticipants = null,
    string? MemberAccess = null);

public sealed record MeetingFilter(string? Status = null, string? MeetingType = null, string? SchedulingType = null);

/// <summary>Who owns an RTK meeting: a meeting, or one occurrence of a recurring meeting.</summary>
public sealed record RtkMeetingOwner(Guid OrgId, Guid MeetingId, Guid? OccurrenceId);

/// <summary>What an anonymous join page may know about a join link; nothing else.</summary>
public sealed record PublicMeeting(string Title, string MeetingType, string Status, bool GuestsMayJoin, PublicMeetingBranding Branding);

public sealed record PublicMeetingBranding(string OrgName, string BrandColor, string Theme, string? LogoUrl, string? FaviconUrl, string? BackgroundUrl);
