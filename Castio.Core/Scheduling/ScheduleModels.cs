namespace Castio.Core.Scheduling;

/// <summary>
/// Whether the signed-in caller is invited to the meeting (by user id or the e-mail they hold). Meetings and
/// Scheduling ask it for a member reading an invite-only meeting; Invites answers it, passed in by the function
/// layer, since Invites depends on Meetings and not the reverse.
/// </summary>
public delegate Task<bool> InviteCheck(Guid meetingId, CancellationToken cancellationToken);

/// <summary>Who a schedule belongs to, as the meeting says: Scheduling keeps a copy for the agenda and access checks.</summary>
public sealed record SeriesInfo(Guid OrgId, Guid MeetingId, Guid HostUserId, string Title, bool OpenToOrg = true);

/// <summary>
/// One occurrence on the wire. <c>id</c> is null for an occurrence beyond the materialized horizon
/// (computed from the rule; it gets an id when the timer materializes it). <c>waitingFor</c> is set while a
/// due occurrence cannot start: the problem code holding it back (the org's concurrent-meetings cap).
/// </summary>
public sealed record OccurrenceView(
    Guid? Id,
    Guid MeetingId,
    string Title,
    string StartUtc,
    string EndUtc,
    string StartLocal,
    string OriginalStartLocal,
    string Timezone,
    string Status,
    bool Overridden,
    string? RtkMeetingId,
    string? WaitingFor = null);

public sealed record OccurrenceList(Guid MeetingId, string Timezone, string From, string To, IReadOnlyList<OccurrenceView> Occurrences);

/// <summary>One entry of the org's agenda: a scheduled meeting (<c>occurrenceId</c> null) or one occurrence of a series.</summary>
public sealed record AgendaItem(Guid MeetingId, Guid? OccurrenceId, string Title, string StartUtc, string EndUtc, string Timezone, Guid HostUserId);

public sealed record AgendaPage(IReadOnlyList<AgendaItem> Items, string? NextCursor);

/// <summary>A per-occurrence override; omitted fields stay as they are. Times are ISO 8601 with offset.</summary>
public sealed record OccurrencePatch(string? ScheduledStart = null, string? ScheduledEnd = null, string? Title = null);
