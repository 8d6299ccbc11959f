using Azure;
using Castio.Core.Rtk;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Meetings;

/// <summary>What one reconcile pass did.</summary>
public sealed record ReconcileResult(int Attached, int Deactivated, int Cleared, int Left);

/// <summary>
/// Finds intents that outlived their grace period (a failure between "RTK created the meeting" and
/// "Castio stored its id") and settles each: the RTK meeting is attached to its meeting if that
/// meeting still lacks one and is not over, otherwise it is set INACTIVE. Reads only the last
/// <see cref="Lookback"/> of hourly buckets, so its cost follows the number of recent failures.
/// </summary>
public sealed partial class MeetingReconciler(MeetingStore store, MeetingRtk rtk, TimeProvider time, ILogger<MeetingReconciler> logger)
{
    /// <summary>Longer than a transition's claim, so a slow but live start is never second-guessed.</summary>
    public static readonly TimeSpan Grace = MeetingService.TransitionLease + TimeSpan.FromMinutes(1);

    public static readonly TimeSpan Lookback = TimeSpan.FromHours(24);

    /// <summary>How far around an intent's time an RTK meeting it created may carry as its creation time.</summary>
    private static readonly TimeSpan CreationWindow = TimeSpan.FromMinutes(5);

    public async Task<ReconcileResult> ReconcileAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        int attached = 0, deactivated = 0, cleared = 0, left = 0;
        for (var hour = now - Lookback; hour <= now; hour += TimeSpan.FromHours(1))
        {
            foreach (var intent in await store.ListIntentsAsync(MeetingKeys.IntentBucket(hour), cancellationToken))
            {
                if (intent.CreatedAt > now - Grace)
                {
                    continue;
                }

                try
                {
                    switch (await SettleAsync(intent, now, cancellationToken))
                    {
                        case Settled.Attached: attached++; break;
                        case Settled.Deactivated: deactivated++; break;
                        case Settled.Cleared: cleared++; break;
                        default: left++; break;
                    }
                }
                catch (Exception e) when (e is RtkException or RequestFailedException)
                {
                    LogFailed(logger, intent.RowKey, e);
                    left++;
                }
            }
        }

        return new ReconcileResult(attached, deactivated, cleared, left);
    }

    private enum Settled { Attached, Deactivated, Cleared, Left }

    private async Task<Settled> SettleAsync(MeetingIntentEntity intent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var orgId = Guid.Parse(intent.OrgId);
        var meetingId = Guid.Parse(intent.MeetingId);
        Guid? occurrenceId = Guid.TryParse(intent.OccurrenceId, out var o) ? o : null;
        var rtkIds = intent.RtkMeetingId is { } known ? [known] : await LostCreationsAsync(intent, cancellationToken);
        if (rtkIds.Count == 0)
        {
            // RTK never answered and made nothing we can find: once RTK has surely listed it, drop the intent.
            if (intent.CreatedAt < now - Grace - CreationWindow)
            {
                await store.DeleteIntentAsync(intent, cancellationToken);
                return Settled.Cleared;
            }

            return Settled.Left;
        }

        var owner = new RtkMeetingOwner(orgId, meetingId, occurrenceId);
        var result = Settled.Cleared;
        foreach (var rtkId in rtkIds)
        {
            string? held;
            MeetingEntity? meeting = null;
            if (occurrenceId is null)
            {
                meeting = await store.GetAsync(orgId, meetingId, cancellationToken);
                held = meeting?.RtkMeetingId;
            }
            else
            {
                // Occurrences keep their RTK meeting id in the scheduling feature's rows; not settled here yet.
                return Settled.Left;
            }

            if (held == rtkId)
            {
                await store.PutRtkIndexAsync(rtkId, owner, cancellationToken);
                continue;
            }

            if (meeting is { RtkMeetingId: null, Status: not (MeetingStatus.Ended or MeetingStatus.Cancelled) })
            {
                meeting.RtkMeetingId = rtkId;
                await store.UpdateAsync(meeting, cancellationToken);
                await store.PutRtkIndexAsync(rtkId, owner, cancellationToken);
                // ACTIVE only where Castio already believes it so; a start or join sets it ACTIVE otherwise.
                var status = meeting.RtkStatus == MeetingRtk.Active ? MeetingRtk.Active : MeetingRtk.Inactive;
                await rtk.SetStatusAsync(intent.AppId, rtkId, status, cancellationToken);
                LogAttached(logger, rtkId, intent.OrgId, intent.MeetingId);
                result = Settled.Attached;
                continue;
            }

            await rtk.SetStatusAsync(intent.AppId, rtkId, MeetingRtk.Inactive, cancellationToken);
            if (await store.FindByRtkMeetingIdAsync(rtkId, cancellationToken) == owner)
            {
                await store.DeleteRtkIndexAsync(rtkId, cancellationToken);
            }

            LogDeactivated(logger, rtkId, intent.OrgId, intent.MeetingId);
            result = result == Settled.Attached ? result : Settled.Deactivated;
        }

        await store.DeleteIntentAsync(intent, cancellationToken);
        return result;
    }

    /// <summary>
    /// The create's answer was lost: RTK meetings with the intent's title created around its time that no
    /// owner in the index claims are what it left behind.
    /// </summary>
    private async Task<IReadOnlyList<string>> LostCreationsAsync(MeetingIntentEntity intent, CancellationToken cancellationToken)
    {
        var candidates = await rtk.FindCreatedAsync(intent.AppId, intent.Title, intent.CreatedAt - CreationWindow, intent.CreatedAt + CreationWindow, cancellationToken);
        var lost = new List<string>();
        foreach (var candidate in candidates)
        {
            if (await store.GetRtkIndexAsync(candidate.Id, cancellationToken) is null)
            {
                lost.Add(candidate.Id);
            }
        }

        return lost;
    }

    [LoggerMessage(EventId = 5200, Level = LogLevel.Warning, Message = "Reconciled RTK meeting {RtkMeetingId}: attached to {OrgId}/{MeetingId}")]
    private static partial void LogAttached(ILogger logger, string rtkMeetingId, string orgId, string meetingId);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Reconciled RTK meeting {RtkMeetingId}: orphan of {OrgId}/{MeetingId}, set INACTIVE")]
    private static partial void LogDeactivated(ILogger logger, string rtkMeetingId, string orgId, string meetingId);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Reconciling intent {IntentId} failed; it is tried again on the next pass")]
    private static partial void LogFailed(ILogger logger, string intentId, Exception exception);
}
