using Castio.Core.Common;
using Castio.Core.Invites;
using Castio.Core.Meetings;
using Castio.Core.Orgs;
using Castio.Core.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Core.Joining;

/// <summary>
/// Everything the join flow reads from Meetings and Invites, in one place: the meeting and its org, activation
/// of permanent rooms, the running occurrence of a recurring series, and whether a member is invited.
/// </summary>
public sealed class JoinMeetings(MeetingStore store, InviteStore invites, OccurrenceStore occurrences, JoinReads reads, TimeProvider time, IServiceProvider services)
{
    public const string OrgAccess = MemberAccess.Org;

    /// <summary>The org of a meeting known only by its id (the anonymous guest route).</summary>
    public Task<Guid?> FindOrgAsync(Guid meetingId, CancellationToken cancellationToken) =>
        reads.MeetingOrgs.GetAsync(meetingId, id => store.FindOrgAsync(id, CancellationToken.None), cancellationToken);

    /// <summary>
    /// The meeting as the join flow sees it. A recurring series is never active itself: while one of its occurrences
    /// runs, joining the series joins that occurrence's RTK meeting (each occurrence has its own, so counts and
    /// RTK participants are per occurrence). Overlapping joins share the read.
    /// </summary>
    public Task<JoinMeeting?> GetAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken) =>
        reads.Meetings.GetAsync((orgId, meetingId), key => ReadAsync(key.Org, key.Meeting, CancellationToken.None), cancellationToken);

    private async Task<JoinMeeting?> ReadAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(orgId, meetingId, cancellationToken) is not { } meeting)
        {
            return null;
        }

        var join = ToJoin(meeting);
        if (meeting.SchedulingType != SchedulingTypes.Recurring || meeting.Status is MeetingStatus.Cancelled or MeetingStatus.Ended)
        {
            return join;
        }

        var running = await occurrences.FindRunningAsync(orgId, meetingId, time.GetUtcNow(), cancellationToken);
        return running is null ? join : join with { Status = MeetingStatus.Active, RtkMeetingId = running.RtkMeetingId, RtkActive = true };
    }

    /// <summary>
    /// The meeting ready to join: active with an ACTIVE RTK meeting. A meeting Castio already set ACTIVE needs
    /// nothing more; otherwise Meetings activates it (a permanent room whose session ended, or whose RTK meeting
    /// was never created). Any status but active is a 409 naming it.
    /// </summary>
    public async Task<Outcome<JoinMeeting>> EnsureJoinableAsync(JoinMeeting meeting, CancellationToken cancellationToken)
    {
        if (meeting.Status != MeetingStatus.Active)
        {
            return NotActive(meeting.Status);
        }

        if (meeting.RtkMeetingId is not null && meeting.RtkActive)
        {
            return meeting;
        }

        var activated = await services.GetRequiredService<MeetingService>().EnsureActiveForJoinAsync(meeting.OrgId, meeting.Id, cancellationToken);
        if (activated.Error is { } error)
        {
            return error.Kind == ErrorKind.Conflict && await store.GetAsync(meeting.OrgId, meeting.Id, cancellationToken) is { } now && now.Status != MeetingStatus.Active
                ? NotActive(now.Status)
                : error;
        }

        return ToJoin(activated.Value);
    }

    /// <summary>Whether the member is invited, by user id or by the e-mail they hold, whatever their answer.</summary>
    public Task<bool> IsInvitedAsync(Guid orgId, Guid meetingId, Guid userId, string? email, CancellationToken cancellationToken) =>
        invites.IsInvitedAsync(orgId, meetingId, userId, email, cancellationToken);

    private static Error NotActive(string status) =>
        new(ErrorKind.Conflict, JoinErrors.NotActive, $"The meeting is {status}; only an active meeting can be joined.");

    private static JoinMeeting ToJoin(MeetingEntity m) => new(
        m.OrgId, m.Id, m.Title, m.MeetingType, m.Status, Guid.TryParse(m.HostUserId, out var host) ? host : Guid.Empty,
        m.RtkMeetingId, m.RtkStatus == MeetingRtk.Active, m.GuestAccess, m.MemberAccess, m.WaitingRoomEnabled, m.TranscriptionEnabled,
        m.RecordingAutoStart, m.MaxParticipants, m.Locked, m.IsPermanent);
}

/// <summary>The join flow's shared reads, one set per process so that overlapping joins share them (see <see cref="SharedReads{TKey, TValue}"/>).</summary>
public sealed class JoinReads
{
    public SharedReads<(Guid Org, Guid Meeting), JoinMeeting?> Meetings { get; } = new();

    public SharedReads<Guid, Guid?> MeetingOrgs { get; } = new();

    public SharedReads<Guid, OrgEntity?> Orgs { get; } = new();
}
