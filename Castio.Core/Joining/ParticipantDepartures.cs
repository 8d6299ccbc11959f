using Microsoft.Extensions.Logging;

namespace Castio.Core.Joining;

/// <summary>
/// Gives a participant's place back when RTK reports them gone (<c>meeting.participantLeft</c>), so a permanent room,
/// whose RTK meeting lives for ever, does not fill up with people who left long ago. The participant row's
/// <see cref="ParticipantEntity.CountedRtkMeetingId"/> says whether they hold a place; it is cleared under the row's
/// ETag and only the write that clears it releases, so a repeated, replayed or racing leave releases once. A later
/// join finds the row uncounted and counts it again (<see cref="JoinService"/>).
/// </summary>
public sealed partial class ParticipantDepartures(ParticipantStore store, ParticipantCounters counters, ILogger<ParticipantDepartures> logger)
{
    private const int MaxAttempts = 5;

    /// <summary>
    /// Releases the place the participant holds in <paramref name="rtkMeetingId"/>. <paramref name="customParticipantId"/>
    /// is RTK's <c>custom_participant_id</c>, which Castio sets to its participant id. True when this call released;
    /// false when there was nothing to release (not Castio's participant, counted in another RTK meeting, or already released).
    /// </summary>
    public Task<bool> LeftAsync(Guid orgId, Guid meetingId, string rtkMeetingId, string? customParticipantId, CancellationToken cancellationToken) =>
        Guid.TryParse(customParticipantId, out var participantId)
            ? ReleaseAsync(orgId, meetingId, rtkMeetingId, () => store.FindAsync(orgId, meetingId, participantId, cancellationToken), _ => true, cancellationToken)
            : Task.FromResult(false);

    /// <summary>
    /// RTK's session in <paramref name="rtkMeetingId"/> ended at <paramref name="endedAt"/>, so nobody counted in it
    /// before then is still there: gives back the places whose leave never arrived (a lost webhook), which would
    /// otherwise stay taken for as long as the RTK meeting lives (a permanent room's: for ever). Someone counted after
    /// the end keeps their place. Returns how many places were given back.
    /// </summary>
    public async Task<int> SessionEndedAsync(Guid orgId, Guid meetingId, string rtkMeetingId, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        var released = 0;
        foreach (var row in await store.ListAsync(orgId, meetingId, cancellationToken))
        {
            if (row.CountedRtkMeetingId == rtkMeetingId
                && await ReleaseAsync(orgId, meetingId, rtkMeetingId, () => store.GetRowAsync(orgId, row.RowKey, cancellationToken), r => CountedAt(r) <= endedAt, cancellationToken))
            {
                released++;
            }
        }

        return released;
    }

    /// <summary>When the row was last counted: a join counts a person and stamps the time (a first join has only the first).</summary>
    private static DateTimeOffset CountedAt(ParticipantEntity row) => row.LastJoinedAt > row.FirstJoinedAt ? row.LastJoinedAt : row.FirstJoinedAt;

    /// <summary>Clears the row's place in <paramref name="rtkMeetingId"/> under its ETag; only the write that clears it releases.</summary>
    private async Task<bool> ReleaseAsync(
        Guid orgId, Guid meetingId, string rtkMeetingId, Func<Task<ParticipantEntity?>> read, Func<ParticipantEntity, bool> gone, CancellationToken cancellationToken)
    {
        ParticipantEntity? row = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            row = await read();
            if (row is null || row.CountedRtkMeetingId != rtkMeetingId || !gone(row))
            {
                return false;
            }

            row.CountedRtkMeetingId = null;
            if (await store.SaveAsync(row, cancellationToken))
            {
                // After the row: a crash in between leaves one place taken (until the meeting gets a new RTK meeting), never releases one twice.
                await counters.ReleaseAsync(orgId, meetingId, rtkMeetingId, row.IsGuest);
                return true;
            }

            // The row changed since it was read (a join of the same person, or another copy of this leave): decide again.
        }

        LogContended(logger, meetingId, row!.ParticipantId);
        throw new InvalidOperationException("The participant row kept changing; the leave was not applied.");
    }

    [LoggerMessage(EventId = 5102, EventName = "DepartureContended", Level = LogLevel.Warning,
        Message = "Could not release the place of participant {ParticipantId} in meeting {MeetingId}: its row kept changing")]
    private static partial void LogContended(ILogger logger, Guid meetingId, Guid participantId);
}
