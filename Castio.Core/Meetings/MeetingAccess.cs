using Castio.Core.Auth;

namespace Castio.Core.Meetings;

/// <summary>
/// Who may see and who may manage a meeting of their own org (another org's meeting is never loaded:
/// every read is keyed by the caller's org id). Owners and admins manage every meeting, hosts their
/// own. Hosts and above see every meeting of the org; members see the meetings they may join, that
/// is those open to the org (<see cref="MemberAccess.Org"/>) — an invite-only meeting reaches its
/// invitees through their invites.
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

    /// <summary>Members see only org-open meetings in lists.</summary>
    public static bool SeesOnlyOrgOpen(CurrentUser caller) => caller.Role < Role.Host;
}
