namespace Castio.Core.Invites;

/// <summary>Stable problem codes of meeting invites.</summary>
public static class InviteErrors
{
    public const string NotFound = "invite.not_found";
    public const string MeetingNotFound = "meeting.not_found";
    public const string Forbidden = "invite.forbidden";
    public const string MeetingClosed = "invite.meeting_closed";
    public const string Concurrent = "invite.concurrent_change";
}

/// <summary>Whom to invite: users of the org by id, and e-mail addresses.</summary>
public sealed record InviteCommand(IReadOnlyList<string?>? UserIds, IReadOnlyList<string?>? Emails);

/// <summary>What callers see of an invite.</summary>
public sealed record InviteView(Guid Id, Guid MeetingId, Guid? UserId, string? Email, string Rsvp, Guid InvitedBy, DateTimeOffset CreatedAt, DateTimeOffset? RespondedAt)
{
    public static InviteView From(InviteEntity e) => new(
        e.Id,
        Guid.Parse(e.MeetingId),
        e.UserId is { } u ? Guid.Parse(u) : null,
        e.Email,
        e.Rsvp,
        Guid.Parse(e.InvitedBy),
        e.CreatedAt,
        e.RespondedAt);
}

/// <summary>The answer to an invite request: who is newly invited, and who already was (and stays as they were).</summary>
public sealed record InviteBatch(IReadOnlyList<InviteView> Invited, IReadOnlyList<InviteView> AlreadyInvited);

public sealed record InvitePage(IReadOnlyList<InviteView> Invites, string? NextCursor);

/// <summary>The meeting an invite is for, as its invitee sees it in their list.</summary>
public sealed record InvitedMeeting(Guid Id, string Title, string Status, string MeetingType, DateTimeOffset? ScheduledStart, DateTimeOffset? ScheduledEnd, string Timezone);

/// <summary>One of the caller's invites; <see cref="Meeting"/> is null when the meeting is gone.</summary>
public sealed record MyInvite(InviteView Invite, InvitedMeeting? Meeting);

public sealed record MyInvitePage(IReadOnlyList<MyInvite> Invites, string? NextCursor);
