using Castio.Core.Auth;
using Castio.Core.Scheduling;

namespace Castio.Core.Meetings;

/// <summary>
/// Who may see and who may manage a meeting of their own org (another org's meeting is never loaded:
/// every read is keyed by the caller's org id). Owners and admins manage every meeting, hosts their
/// own. Hosts and above see every meeting of the org; members see the meetings they may join, that
/// is those open to the org (<see cref="MemberAccess.Org"/>), and an invite-only one they are invited to.
/// Invites depends on Meetings, so "invited" is asked of the caller's layer through an <see cref="InviteCheck"/>.
/// </summary>
public static class MeetingAccess
{
    public static bool CanSee(CurrentUser caller, MeetingEntity meeting) =>
        caller.OrgId == meeting.OrgId
        && (caller.Role >= Role.Host || meeting.HostId == caller.UserId
            || (caller.Role == Role.Member && meeting.MemberAccess == MemberAccess.Org));

    public static bool CanManage(CurrentUser caller, MeetingEntity meeting) =>
        caller.OrgId == meeting.OrgId
        && (caller.Role.Allows(Permission.EditAnyMeeting)
            || (caller.Role.Allows(Permission.EditOwnMeeting) && meeting.HostId == caller.UserId));

    /// <summary>A member who sees the meeting only if invited to it: the one case an <see cref="InviteCheck"/> decides.</summary>
    public static bool SeesIfInvited(CurrentUser caller, MeetingEntity meeting) =>
        caller.OrgId == meeting.OrgId && caller.Role == Role.Member && meeting.MemberAccess == MemberAccess.Invited && !CanSee(caller, meeting);

    /// <summary>Members see only org-open meetings in lists (invite-only ones they are invited to are in <c>GET /api/me/invites</c>).</summary>
    public static bool SeesOnlyOrgOpen(CurrentUser caller) => caller.Role < Role.Host;
}
