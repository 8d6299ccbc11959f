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
    public async Task<bool> LeftAsync(Guid orgId, Guid meetingId, string rtkMeetingId, string? customParticipantId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(customParticipantId, out var participantId))
        {
            return false;
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var row = await store.FindAsync(orgId, meetingId, participantId, cancellationToken);
            if (row is null || row.CountedRtkMeetingId != rtkMeetingId)
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

        LogContended(logger, meetingId, participantId);
        throw new InvalidOperationException("The participant row kept changing; the leave was not applied.");
    }

    [LoggerMessage(EventId = 5102, EventName = "DepartureContended", Level = LogLevel.Warning,
        Message = "Could not release the place of participant {ParticipantId} in meeting {MeetingId}: its row kept changing")]
    private static partial void LogContended(ILogger logger, Guid meetingId, Guid participantId);
}
