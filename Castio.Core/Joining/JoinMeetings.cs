using Castio.Core.Common;

namespace Castio.Core.Joining;

/// <summary>
/// Everything the join flow reads from Meetings and Invites, in one place: the meeting, its org (for the
/// anonymous guest route), activation of permanent rooms, and whether a member is invited.
/// </summary>
public sealed class JoinMeetings
{
    public const string OrgAccess = "org";

    public Task<JoinMeeting?> GetAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Wired when the meetings branch is merged.");

    public Task<Guid?> FindOrgAsync(Guid meetingId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Wired when the meetings branch is merged.");

    public Task<Outcome<JoinMeeting>> EnsureJoinableAsync(JoinMeeting meeting, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Wired when the meetings branch is merged.");

    public Task<bool> IsInvitedAsync(Guid orgId, Guid meetingId, Guid userId, CancellationToken cancellationToken) =>
        Task.FromResult(false);
}
