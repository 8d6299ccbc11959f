using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Meetings;
using Castio.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Castio.Core.Joining;

/// <summary>
/// Everything the join flow reads from Meetings and Invites, in one place: the meeting, activation of
/// permanent rooms, and whether a member is invited.
/// </summary>
public sealed class JoinMeetings(MeetingStore store, IServiceProvider services)
{
    public const string OrgAccess = MemberAccess.Org;

    /// <summary>
    /// The org of a meeting known only by id (the anonymous guest route). Interim: a query on the meeting's row key
    /// across partitions, until Meetings keeps a meeting id → org index.
    /// </summary>
    public async Task<Guid?> FindOrgAsync(Guid meetingId, CancellationToken cancellationToken)
    {
        var table = services.GetRequiredService<TableServiceClient>()
            .GetTableClient(services.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix + MeetingStore.MeetingsTable);
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {MeetingKeys.Meeting(meetingId)}"), select: ["PartitionKey"], cancellationToken: cancellationToken))
            {
                return Guid.TryParse(row.PartitionKey, out var orgId) ? orgId : null;
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            // No meeting was ever created here.
        }

        return null;
    }

    public async Task<JoinMeeting?> GetAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken) =>
        await store.GetAsync(orgId, meetingId, cancellationToken) is { } meeting ? ToJoin(meeting) : null;

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

    /// <summary>Whether the member is invited; the invite list belongs to Invites (host controls), not yet merged here.</summary>
    public Task<bool> IsInvitedAsync(Guid orgId, Guid meetingId, Guid userId, CancellationToken cancellationToken) =>
        Task.FromResult(false);

    private static Error NotActive(string status) =>
        new(ErrorKind.Conflict, JoinErrors.NotActive, $"The meeting is {status}; only an active meeting can be joined.");

    private static JoinMeeting ToJoin(MeetingEntity m) => new(
        m.OrgId, m.Id, m.Title, m.MeetingType, m.Status, Guid.TryParse(m.HostUserId, out var host) ? host : Guid.Empty,
        m.RtkMeetingId, m.RtkStatus == MeetingRtk.Active, m.GuestAccess, m.MemberAccess, m.WaitingRoomEnabled, m.TranscriptionEnabled,
        m.RecordingAutoStart, m.MaxParticipants, m.Locked, m.IsPermanent);
}
