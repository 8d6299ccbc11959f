using Azure;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Rtk;
using Castio.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Meetings;

/// <summary>What one sweep found and did. <c>AtCap</c>: occurrences left due because the org is at its concurrent-meetings cap.</summary>
public sealed record SweepResult(int Due, int Activated, int Ended, int Materialized, int Dropped, int Retried, int AtCap = 0);

/// <summary>
/// The activation sweep, run every minute: takes what <see cref="DueIndex"/> says is due and
/// activates scheduled meetings and occurrences (an RTK meeting each, set ACTIVE), ends meetings and
/// occurrences past the org's maximum duration, and extends recurring series. Each item is checked
/// against the current rows first (a moved or cancelled meeting leaves stale items behind), and is
/// removed only once handled, so an interrupted sweep is simply repeated; a transient failure (RTK
/// down, a concurrent change) leaves the item for the next minute.
/// <para>
/// An occurrence takes one of the org's concurrent-meeting slots as it starts, like a meeting does, and gives it
/// back when it ends. When the org is at its cap at the occurrence's start, the occurrence is not dropped: its
/// item stays due and is tried every minute (not subject to <see cref="GiveUpAfter"/>), the occurrence row says
/// what it waits for (<c>waitingFor</c> on the wire), and it starts as soon as a slot frees within its scheduled
/// time. Only once its scheduled end has passed is it given up, with a warning naming the cap.
/// </para>
/// </summary>
public sealed partial class MeetingActivation(
    DueIndex due,
    OccurrenceStore occurrences,
    ScheduleService schedules,
    MeetingService meetings,
    MeetingStore store,
    MeetingRtk rtk,
    OrgStore orgs,
    TimeProvider time,
    ILogger<MeetingActivation> logger)
{
    /// <summary>Items one sweep takes; the rest wait a minute.</summary>
    public const int MaxPerSweep = 500;

    /// <summary>Items handled at once (each is a few storage and RTK calls).</summary>
    public const int Parallelism = 8;

    /// <summary>An item still failing this long after it fell due is given up (and logged).</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromHours(1);

    /// <summary>Slack for a start moved a moment later than the item that woke us.</summary>
    private static readonly TimeSpan Early = TimeSpan.FromMinutes(1);

    private enum Handled
    {
        Activated,
        Ended,
        Materialized,
        Dropped,
        Retry,
        AtCap,
    }

    public async Task<SweepResult> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var items = await due.TakeDueAsync(now, MaxPerSweep, cancellationToken);
        var counts = new int[Enum.GetValues<Handled>().Length];
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            Handled handled;
            try
            {
                handled = await HandleAsync(item, now, ct);
            }
            catch (Exception e) when (e is RtkException or RequestFailedException && !ct.IsCancellationRequested)
            {
                LogFailed(logger, item.Kind, item.OrgId, item.MeetingId, item.OccurrenceId, e);
                handled = Handled.Retry;
            }

            if (handled == Handled.Retry && now - item.DueAt > GiveUpAfter)
            {
                LogGaveUp(logger, item.Kind, item.OrgId, item.MeetingId, item.OccurrenceId);
                handled = Handled.Dropped;
            }

            if (handled is not (Handled.Retry or Handled.AtCap))
            {
                await due.RemoveAsync(item, ct);
            }

            Interlocked.Increment(ref counts[(int)handled]);
        });

        return new SweepResult(items.Count, counts[(int)Handled.Activated], counts[(int)Handled.Ended], counts[(int)Handled.Materialized],
            counts[(int)Handled.Dropped], counts[(int)Handled.Retry], counts[(int)Handled.AtCap]);
    }

    private Task<Handled> HandleAsync(DueItem item, DateTimeOffset now, CancellationToken cancellationToken) => (item.Kind, item.OccurrenceId) switch
    {
        (DueKind.Activate, null) => ActivateMeetingAsync(item, now, cancellationToken),
        (DueKind.Activate, { } occurrenceId) => ActivateOccurrenceAsync(item, occurrenceId, now, cancellationToken),
        (DueKind.EndOverdue, null) => EndMeetingAsync(item, now, cancellationToken),
        (DueKind.EndOverdue, { } occurrenceId) => EndOccurrenceAsync(item, occurrenceId, now, cancellationToken),
        (DueKind.Materialize, _) => MaterializeAsync(item, cancellationToken),
        _ => Task.FromResult(Handled.Dropped),
    };

    private async Task<Handled> ActivateMeetingAsync(DueItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var meeting = await store.GetAsync(item.OrgId, item.MeetingId, cancellationToken);
        if (meeting is null || meeting.Status != MeetingStatus.Scheduled || meeting.SchedulingType != SchedulingTypes.Scheduled
            || meeting.ScheduledStart is not { } start || start > now + Early || meeting.ScheduledEnd <= now)
        {
            // Gone, started by hand, cancelled, moved later (its new start has its own item), or already over.
            return Handled.Dropped;
        }

        var outcome = await meetings.ActivateAsync(item.OrgId, item.MeetingId, cancellationToken);
        if (!outcome.Succeeded)
        {
            return IsTransient(outcome.Error!) ? Handled.Retry : Handled.Dropped;
        }

        // ActivateAsync booked its end-overdue item itself.
        LogActivated(logger, item.OrgId, item.MeetingId, null);
        return Handled.Activated;
    }

    private async Task<Handled> ActivateOccurrenceAsync(DueItem item, Guid occurrenceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var occurrence = await occurrences.GetAsync(item.OrgId, occurrenceId, cancellationToken);
        if (occurrence is null || occurrence.Status != OccurrenceStatus.Scheduled || occurrence.StartUtc > now + Early || occurrence.EndUtc <= now)
        {
            // Gone, cancelled, started, moved later, or its whole slot passed while the sweep was not running (or the org was at its cap).
            if (occurrence is { Status: OccurrenceStatus.Scheduled, WaitingFor: { } waitingFor } && occurrence.EndUtc <= now)
            {
                LogMissed(logger, item.OrgId, item.MeetingId, occurrenceId, waitingFor);
            }

            if (occurrence?.Status != OccurrenceStatus.Active)
            {
                // An earlier attempt may have taken a slot before the occurrence went away.
                await meetings.ReleaseOccurrenceSlotAsync(item.OrgId, occurrenceId, cancellationToken);
            }

            return Handled.Dropped;
        }

        var meeting = await store.GetAsync(item.OrgId, item.MeetingId, cancellationToken);
        var org = await orgs.GetAsync(item.OrgId, cancellationToken);
        if (meeting is null || org is null || meeting.Status is MeetingStatus.Cancelled)
        {
            await meetings.ReleaseOccurrenceSlotAsync(item.OrgId, occurrenceId, cancellationToken);
            return Handled.Dropped;
        }

        // One start at a time (another sweep may hold the same item): the slot taken below is this attempt's to give back.
        if (occurrence.ActivatingUntil > time.GetUtcNow())
        {
            return Handled.Retry;
        }

        occurrence.ActivatingUntil = time.GetUtcNow() + MeetingService.TransitionLease;
        try
        {
            await occurrences.UpdateAsync(occurrence, null, null, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return Handled.Retry;
        }

        // Counted against the org's concurrent-meetings cap like any meeting; at the cap it waits (see the class summary).
        if (await meetings.TakeOccurrenceSlotAsync(org, item.MeetingId, occurrenceId, cancellationToken) is { } full)
        {
            occurrence.ActivatingUntil = null;
            var atCap = full.Kind == ErrorKind.TooManyRequests && occurrence.WaitingFor != full.Code;
            if (atCap)
            {
                occurrence.WaitingFor = full.Code;
                occurrence.WaitingSince = now;
                occurrence.UpdatedAt = time.GetUtcNow();
            }

            await occurrences.UpdateAsync(occurrence, null, null, cancellationToken);
            if (atCap)
            {
                LogAtCap(logger, item.OrgId, item.MeetingId, occurrenceId, org.MaxConcurrentMeetings);
            }

            return full.Kind == ErrorKind.TooManyRequests ? Handled.AtCap : Handled.Retry;
        }

        try
        {
            await StartOccurrenceAsync(org, meeting, occurrence, now, cancellationToken);
        }
        catch (Exception e) when (e is RtkException or RequestFailedException)
        {
            // Not started: the slot goes back and the claim is dropped, so the next minute's attempt starts afresh.
            await meetings.ReleaseOccurrenceSlotAsync(item.OrgId, occurrenceId, CancellationToken.None);
            occurrence.ActivatingUntil = null;
            await TryAsync(() => occurrences.UpdateAsync(occurrence, null, null, CancellationToken.None));
            throw;
        }

        await due.AddAsync(new DueItem(DueKind.EndOverdue, item.OrgId, item.MeetingId, occurrenceId, now + TimeSpan.FromMinutes(org.MaxMeetingDurationMinutes)), cancellationToken);
        LogActivated(logger, item.OrgId, item.MeetingId, occurrenceId);
        return Handled.Activated;
    }

    private async Task StartOccurrenceAsync(OrgEntity org, MeetingEntity meeting, OccurrenceEntity occurrence, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var occurrenceId = occurrence.Id;
        if (occurrence.RtkMeetingId is null)
        {
            // The id is stored on the occurrence before the RTK meeting goes ACTIVE; a failure in between
            // leaves MeetingRtk's intent row for the reconciler, and the retry below reuses the stored id.
            await rtk.CreateActiveAsync(org.RtkAppId, meeting, occurrenceId, async (rtkMeetingId, ct) =>
            {
                occurrence.RtkMeetingId = rtkMeetingId;
                occurrence.UpdatedAt = time.GetUtcNow();
                await occurrences.UpdateAsync(occurrence, null, null, ct);
            }, cancellationToken);
        }
        else
        {
            await rtk.SetStatusAsync(org.RtkAppId, occurrence.RtkMeetingId, MeetingRtk.Active, cancellationToken);
        }

        occurrence.Status = OccurrenceStatus.Active;
        occurrence.ActualStart = now;
        occurrence.WaitingFor = null;
        occurrence.WaitingSince = null;
        occurrence.ActivatingUntil = null;
        occurrence.UpdatedAt = time.GetUtcNow();
        await occurrences.UpdateAsync(occurrence, null, null, cancellationToken);
    }

    private async Task<Handled> EndMeetingAsync(DueItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var meeting = await store.GetAsync(item.OrgId, item.MeetingId, cancellationToken);
        var max = await MaxDurationAsync(item.OrgId, cancellationToken);
        if (meeting is null || meeting.Status != MeetingStatus.Active || meeting.ActualStart is not { } started || started + max > now + Early)
        {
            // Ended already, or started again later (that start booked its own item).
            return Handled.Dropped;
        }

        var outcome = await meetings.EndBySystemAsync(item.OrgId, item.MeetingId, callRtk: true, cancellationToken);
        if (!outcome.Succeeded)
        {
            return IsTransient(outcome.Error!) ? Handled.Retry : Handled.Dropped;
        }

        LogEnded(logger, item.OrgId, item.MeetingId, null);
        return Handled.Ended;
    }

    private async Task<Handled> EndOccurrenceAsync(DueItem item, Guid occurrenceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Ends RTK's session, marks the occurrence ended and gives back its slot; one not active (ended by its host or
        // by RTK meanwhile) only makes sure its slot is back.
        var outcome = await meetings.EndOccurrenceAsync(item.OrgId, occurrenceId, callRtk: true, cancellationToken);
        if (!outcome.Succeeded)
        {
            return IsTransient(outcome.Error!) ? Handled.Retry : Handled.Dropped;
        }

        LogEnded(logger, item.OrgId, item.MeetingId, occurrenceId);
        return Handled.Ended;
    }

    private async Task<Handled> MaterializeAsync(DueItem item, CancellationToken cancellationToken)
    {
        await schedules.MaterializeAsync(item.OrgId, item.MeetingId, cancellationToken);
        return Handled.Materialized;
    }

    private async Task<TimeSpan> MaxDurationAsync(Guid orgId, CancellationToken cancellationToken) =>
        TimeSpan.FromMinutes((await orgs.GetAsync(orgId, cancellationToken))?.MaxMeetingDurationMinutes ?? OrgSettings.Defaults.MaxMeetingDurationMinutes);

    private static async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (RequestFailedException)
        {
            // Changed meanwhile: whoever changed it decides; a claim left behind lapses.
        }
    }

    /// <summary>Worth another try next minute: RTK down, a concurrent change, or the org at its concurrent-meetings cap.</summary>
    private static bool IsTransient(Error error) =>
        error.Kind is ErrorKind.Unavailable or ErrorKind.TooManyRequests
        || error.Code is MeetingErrors.Concurrent or MeetingErrors.TransitionInProgress;

    [LoggerMessage(EventId = 5300, Level = LogLevel.Information, Message = "Activated org {OrgId} meeting {MeetingId} occurrence {OccurrenceId}")]
    private static partial void LogActivated(ILogger logger, Guid orgId, Guid meetingId, Guid? occurrenceId);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "Ended overdue org {OrgId} meeting {MeetingId} occurrence {OccurrenceId}")]
    private static partial void LogEnded(ILogger logger, Guid orgId, Guid meetingId, Guid? occurrenceId);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "Due {Kind} for org {OrgId} meeting {MeetingId} occurrence {OccurrenceId} failed; retried next minute")]
    private static partial void LogFailed(ILogger logger, DueKind kind, Guid orgId, Guid meetingId, Guid? occurrenceId, Exception exception);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Warning, Message = "Occurrence {OccurrenceId} of org {OrgId} meeting {MeetingId} is due but the org is at its concurrent-meetings cap ({Cap}); retried every minute")]
    private static partial void LogAtCap(ILogger logger, Guid orgId, Guid meetingId, Guid occurrenceId, int cap);

    [LoggerMessage(EventId = 5305, Level = LogLevel.Warning, Message = "Occurrence {OccurrenceId} of org {OrgId} meeting {MeetingId} never started: its scheduled time passed while it waited for {WaitingFor}")]
    private static partial void LogMissed(ILogger logger, Guid orgId, Guid meetingId, Guid occurrenceId, string waitingFor);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Error, Message = "Due {Kind} for org {OrgId} meeting {MeetingId} occurrence {OccurrenceId} still failing an hour late; given up")]
    private static partial void LogGaveUp(ILogger logger, DueKind kind, Guid orgId, Guid meetingId, Guid? occurrenceId);
}
