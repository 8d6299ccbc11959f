using Azure;
using Azure.Data.Tables;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Rtk;
using Castio.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Meetings;

/// <summary>
/// Meetings of the caller's org: create, read, list, edit, and the lifecycle
/// draft/scheduled → active → ended, any → cancelled. Every read is keyed by the caller's org id, so
/// another org's meeting is not found. A transition first claims the meeting (ETag), so two
/// transitions never both run their RTK calls; the loser gets a 409.
/// </summary>
public sealed partial class MeetingService(
    MeetingStore store,
    OrgStore orgs,
    MeetingRtk rtk,
    ScheduleService schedules,
    OccurrenceStore occurrences,
    DueIndex due,
    TimeProvider time,
    ILogger<MeetingService> logger)
{
    private const int MaxAttempts = 5;

    /// <summary>How long a transition may hold its claim before another may take over (covers RTK retries).</summary>
    public static readonly TimeSpan TransitionLease = TimeSpan.FromMinutes(2);

    private static readonly Error NotFound = new(ErrorKind.NotFound, MeetingErrors.NotFound, "Meeting not found.");
    private static readonly Error Forbidden = new(ErrorKind.Forbidden, MeetingErrors.Forbidden, "Only the meeting's host, an admin or the owner may do this.");
    private static readonly Error Busy = new(ErrorKind.Conflict, MeetingErrors.Concurrent, "The meeting is being changed by someone else; try again.");
    private static readonly Error InProgress = new(ErrorKind.Conflict, MeetingErrors.TransitionInProgress, "Another change of this meeting's state is in progress.");

    private static Error Illegal(string from, string action) =>
        new(ErrorKind.Conflict, MeetingErrors.IllegalTransition, $"A {from} meeting cannot be {action}.");

    // ---- Create, read, list, edit

    public async Task<Outcome<Meeting>> CreateAsync(CurrentUser caller, MeetingInput input, CancellationToken cancellationToken)
    {
        var org = await orgs.GetAsync(caller.OrgId, cancellationToken);
        if (org is null)
        {
            return NotFound;
        }

        var settings = org.ToSettings();
        var errors = new FieldErrors();
        MeetingRules.CheckCommon(input, settings, errors, creating: true);
        // The scheduling rules check the type itself, with the other schedule fields.
        var schedulingType = input.SchedulingType ?? SchedulingTypes.Instant;

        string? vanity = null;
        if (input.VanitySlug is not null || schedulingType == SchedulingTypes.Permanent)
        {
            vanity = MeetingRules.NormalizeSlug(input.VanitySlug);
            if (schedulingType != SchedulingTypes.Permanent)
            {
                errors.Add("vanitySlug", "Only permanent rooms have a vanity slug.");
            }
            else if (input.VanitySlug is null)
            {
                errors.Add("vanitySlug", "A permanent room needs a vanity slug.");
            }
            else
            {
                errors.AddIf("vanitySlug", MeetingRules.CheckVanity(vanity));
            }
        }

        var now = time.GetUtcNow();
        var schedule = MeetingSchedule.Check(schedulingType, input, now, errors);
        if (!errors.IsEmpty || schedule is null)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        var meeting = new MeetingEntity
        {
            PartitionKey = MeetingKeys.Partition(caller.OrgId),
            RowKey = MeetingKeys.Meeting(Guid.CreateVersion7()),
            Title = input.Title!.Trim(),
            Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim(),
            MeetingType = input.MeetingType ?? settings.DefaultMeetingType,
            SchedulingType = schedulingType,
            Status = schedulingType switch
            {
                SchedulingTypes.Scheduled or SchedulingTypes.Recurring => MeetingStatus.Scheduled,
                // A permanent room is always open; its RTK meeting goes ACTIVE when someone joins.
                SchedulingTypes.Permanent => MeetingStatus.Active,
                _ => MeetingStatus.Draft,
            },
            HostUserId = caller.UserId.ToString("D"),
            ScheduledStart = schedule.ScheduledStart,
            ScheduledEnd = schedule.ScheduledEnd,
            Timezone = schedule.Timezone,
            Rrule = schedule.Rrule,
            Dtstart = schedule.Dtstart,
            DurationMinutes = schedule.DurationMinutes,
            VanitySlug = vanity,
            GuestAccess = input.GuestAccess,
            WaitingRoomEnabled = input.WaitingRoomEnabled ?? settings.WaitingRoomDefault,
            RecordingAutoStart = input.RecordingAutoStart ?? false,
            TranscriptionEnabled = input.TranscriptionEnabled ?? settings.TranscriptionDefault,
            MaxParticipants = input.MaxParticipants ?? settings.MaxParticipantsPerMeeting,
            MemberAccess = input.MemberAccess ?? MemberAccess.Org,
            CreatedAt = now,
            UpdatedAt = now,
        };

        for (var attempt = 1; ; attempt++)
        {
            meeting.Slug = MeetingRules.NewSlug();
            var taken = await store.AddAsync(meeting, vanity is null ? [meeting.Slug] : [meeting.Slug, vanity], cancellationToken);
            if (taken is null)
            {
                break;
            }

            if (taken == vanity)
            {
                var fields = new FieldErrors().Add("vanitySlug", "This vanity slug is already used in the organization.");
                return new Error(ErrorKind.Conflict, MeetingErrors.VanitySlugTaken, "The vanity slug is taken.", fields.ToDictionary());
            }

            if (attempt >= MaxAttempts)
            {
                return Busy;
            }
        }

        if (meeting.IsPermanent)
        {
            await ProvisionPermanentRoomAsync(org, meeting, cancellationToken);
        }
        else if (IsOnSchedule(meeting))
        {
            // The due activation (scheduled) or the occurrences 4 weeks ahead (recurring).
            await schedules.ScheduleAsync(SeriesOf(meeting), schedule.Schedule, cancellationToken);
        }

        return Meeting.From(meeting, org.Slug);
    }

    /// <summary>
    /// A permanent room's RTK meeting exists from the start, INACTIVE until someone joins. If RTK is
    /// down now, the room is still created: the first join creates it (see <see cref="EnsureActiveForJoinAsync"/>).
    /// </summary>
    private async Task ProvisionPermanentRoomAsync(OrgEntity org, MeetingEntity meeting, CancellationToken cancellationToken)
    {
        try
        {
            var creation = await rtk.CreateAsync(org.RtkAppId, meeting, null, cancellationToken);
            meeting.RtkMeetingId = creation.RtkMeetingId;
            await store.UpdateAsync(meeting, cancellationToken);
            await rtk.CompleteAsync(creation, cancellationToken);
            await rtk.SetStatusAsync(org.RtkAppId, creation.RtkMeetingId, MeetingRtk.Inactive, cancellationToken);
            meeting.RtkStatus = MeetingRtk.Inactive;
            await store.UpdateAsync(meeting, cancellationToken);
        }
        catch (Exception e) when (e is RtkException or RequestFailedException)
        {
            LogPermanentDeferred(logger, meeting.PartitionKey, meeting.Id, e);
        }
    }

    /// <summary>
    /// The meeting, if the caller may see it. A member may also read an invite-only meeting they are invited to:
    /// <paramref name="invited"/> (Invites' rule, passed in by the caller's layer) decides; uninvited is the same 404
    /// as a meeting that does not exist.
    /// </summary>
    public async Task<Outcome<Meeting>> GetAsync(CurrentUser caller, Guid meetingId, InviteCheck? invited, CancellationToken cancellationToken)
    {
        var meeting = await store.GetAsync(caller.OrgId, meetingId, cancellationToken);
        var visible = meeting is not null && (MeetingAccess.CanSee(caller, meeting)
            || (invited is not null && MeetingAccess.SeesIfInvited(caller, meeting) && await invited(meetingId, cancellationToken)));
        return visible ? await ViewAsync(meeting!, cancellationToken) : NotFound;
    }

    /// <summary>The meeting if the caller may see it (other features: join, host controls, invites); 404 otherwise.</summary>
    public async Task<Outcome<MeetingEntity>> GetVisibleAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var meeting = await store.GetAsync(caller.OrgId, meetingId, cancellationToken);
        return meeting is not null && MeetingAccess.CanSee(caller, meeting) ? meeting : NotFound;
    }

    /// <summary>The meeting if the caller may manage it; 404 when they may not see it, 403 when they may only see it.</summary>
    public async Task<Outcome<MeetingEntity>> GetManageableAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var found = await GetVisibleAsync(caller, meetingId, cancellationToken);
        return !found.Succeeded ? found : MeetingAccess.CanManage(caller, found.Value) ? found : Forbidden;
    }

    public async Task<Outcome<MeetingPage>> ListAsync(CurrentUser caller, MeetingFilter filter, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var after = errors.CheckIdCursor(cursor, limit, MeetingStore.MaxPageSize);

        if (filter.Status is not null && !MeetingStatus.All.Contains(filter.Status))
        {
            errors.Add("status", "Status must be one of: " + string.Join(", ", MeetingStatus.All) + ".");
        }

        if (filter.MeetingType is not null && !MeetingTypes.All.Contains(filter.MeetingType))
        {
            errors.Add("meetingType", "Meeting type must be one of: " + string.Join(", ", MeetingTypes.All) + ".");
        }

        if (filter.SchedulingType is not null && !SchedulingTypes.All.Contains(filter.SchedulingType))
        {
            errors.Add("schedulingType", "Scheduling type must be one of: " + string.Join(", ", SchedulingTypes.All) + ".");
        }

        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        var org = await orgs.GetAsync(caller.OrgId, cancellationToken);
        if (org is null)
        {
            return NotFound;
        }

        var (page, next) = await store.ListAsync(caller.OrgId, filter, MeetingAccess.SeesOnlyOrgOpen(caller), after, limit ?? 50, cancellationToken);
        return new MeetingPage([.. page.Select(m => Meeting.From(m, org.Slug))], next?.ToString("N"));
    }

    /// <summary>Edits a draft, scheduled or active meeting; the scheduling type and the state change only through the lifecycle.</summary>
    public async Task<Outcome<Meeting>> UpdateAsync(CurrentUser caller, Guid meetingId, MeetingInput input, CancellationToken cancellationToken)
    {
        var org = await orgs.GetAsync(caller.OrgId, cancellationToken);
        if (org is null)
        {
            return NotFound;
        }

        for (var attempt = 1; ; attempt++)
        {
            var found = await GetManageableAsync(caller, meetingId, cancellationToken);
            if (!found.Succeeded)
            {
                return found.Error!;
            }

            var meeting = found.Value;
            var errors = new FieldErrors();
            MeetingRules.CheckCommon(input, org.ToSettings(), errors, creating: false);
            if (input.SchedulingType is not null && input.SchedulingType != meeting.SchedulingType)
            {
                errors.Add("schedulingType", "The scheduling type cannot change; create a new meeting.");
            }

            string? vanity = null;
            if (input.VanitySlug is not null)
            {
                vanity = MeetingRules.NormalizeSlug(input.VanitySlug);
                errors.AddIf("vanitySlug", meeting.IsPermanent ? MeetingRules.CheckVanity(vanity) : "Only permanent rooms have a vanity slug.");
            }

            var merged = new MeetingInput(
                ScheduledStart: input.ScheduledStart ?? (meeting.ScheduledStart is { } ss ? ScheduleText.Utc(ss) : null),
                ScheduledEnd: input.ScheduledEnd ?? (meeting.ScheduledEnd is { } se ? ScheduleText.Utc(se) : null),
                Timezone: input.Timezone ?? meeting.Timezone,
                Rrule: input.Rrule ?? meeting.Rrule,
                Dtstart: input.Dtstart ?? meeting.Dtstart,
                DurationMinutes: input.DurationMinutes ?? meeting.DurationMinutes);
            var scheduleChanged = input.ScheduledStart is not null || input.ScheduledEnd is not null || input.Timezone is not null
                || input.Rrule is not null || input.Dtstart is not null || input.DurationMinutes is not null;
            var schedule = scheduleChanged ? MeetingSchedule.Check(meeting.SchedulingType, merged, time.GetUtcNow(), errors) : null;
            if (!errors.IsEmpty)
            {
                return Error.Invalid(ValidationCodes.ValidationFailed, errors);
            }

            if (meeting.Status is MeetingStatus.Ended or MeetingStatus.Cancelled)
            {
                return new Error(ErrorKind.Conflict, MeetingErrors.NotEditable, $"A {meeting.Status} meeting cannot be edited.");
            }

            if (scheduleChanged && meeting.Status != MeetingStatus.Scheduled && meeting.SchedulingType != SchedulingTypes.Instant)
            {
                return new Error(ErrorKind.Conflict, MeetingErrors.NotEditable, "The schedule can change only before the meeting starts.");
            }

            var rtkBefore = (meeting.Title, meeting.RecordingAutoStart, meeting.TranscriptionEnabled);
            meeting.Title = input.Title?.Trim() ?? meeting.Title;
            meeting.Description = input.Description is null ? meeting.Description : input.Description.Trim() is { Length: > 0 } d ? d : null;
            meeting.MeetingType = input.MeetingType ?? meeting.MeetingType;
            meeting.GuestAccess = input.GuestAccess == MeetingRules.Inherit ? null : input.GuestAccess ?? meeting.GuestAccess;
            meeting.WaitingRoomEnabled = input.WaitingRoomEnabled ?? meeting.WaitingRoomEnabled;
            meeting.RecordingAutoStart = input.RecordingAutoStart ?? meeting.RecordingAutoStart;
            meeting.TranscriptionEnabled = input.TranscriptionEnabled ?? meeting.TranscriptionEnabled;
            meeting.MaxParticipants = input.MaxParticipants ?? meeting.MaxParticipants;
            meeting.MemberAccess = input.MemberAccess ?? meeting.MemberAccess;
            if (schedule is not null)
            {
                meeting.ScheduledStart = schedule.ScheduledStart;
                meeting.ScheduledEnd = schedule.ScheduledEnd;
                meeting.Timezone = schedule.Timezone;
                meeting.Rrule = schedule.Rrule;
                meeting.Dtstart = schedule.Dtstart;
                meeting.DurationMinutes = schedule.DurationMinutes;
            }

            if (meeting.RtkMeetingId is { } rtkId && rtkBefore != (meeting.Title, meeting.RecordingAutoStart, meeting.TranscriptionEnabled))
            {
                try
                {
                    await rtk.UpdateSettingsAsync(org.RtkAppId, rtkId, meeting, cancellationToken);
                }
                catch (RtkException e)
                {
                    return RtkError(e);
                }
            }

            var oldVanity = meeting.VanitySlug;
            var vanityChanged = vanity is not null && vanity != oldVanity;
            meeting.VanitySlug = vanityChanged ? vanity : oldVanity;
            meeting.UpdatedAt = time.GetUtcNow();
            try
            {
                if (vanityChanged)
                {
                    if (!await store.UpdateWithSlugsAsync(meeting, vanity, oldVanity, cancellationToken))
                    {
                        var fields = new FieldErrors().Add("vanitySlug", "This vanity slug is already used in the organization.");
                        return new Error(ErrorKind.Conflict, MeetingErrors.VanitySlugTaken, "The vanity slug is taken.", fields.ToDictionary());
                    }
                }
                else
                {
                    await store.UpdateAsync(meeting, cancellationToken);
                }

                if (IsOnSchedule(meeting) && meeting.Status == MeetingStatus.Scheduled
                    && (schedule is not null || input.Title is not null || input.MemberAccess is not null))
                {
                    var current = schedule?.Schedule ?? StoredSchedule(meeting);
                    if (current is not null)
                    {
                        await schedules.ScheduleAsync(SeriesOf(meeting), current, cancellationToken);
                    }
                }

                return Meeting.From(meeting, org.Slug);
            }
            catch (Exception e) when (e is RequestFailedException { Status: 412 } or TableTransactionFailedException { Status: 412 })
            {
                if (attempt >= MaxAttempts)
                {
                    return Busy;
                }
            }
        }
    }

    // ---- Lifecycle

    /// <summary>draft/scheduled → active: creates the RTK meeting if there is none, then sets it ACTIVE.</summary>
    public async Task<Outcome<Meeting>> StartAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var outcome = await ActivateCoreAsync(caller.OrgId, meetingId, caller, cancellationToken);
        return outcome.Succeeded ? await ViewAsync(outcome.Value, cancellationToken) : outcome.Error!;
    }

    /// <summary>The same transition for the scheduling sweep (no caller: the schedule says so).</summary>
    public Task<Outcome<MeetingEntity>> ActivateAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken) =>
        ActivateCoreAsync(orgId, meetingId, null, cancellationToken);

    private async Task<Outcome<MeetingEntity>> ActivateCoreAsync(Guid orgId, Guid meetingId, CurrentUser? caller, CancellationToken cancellationToken)
    {
        var org = await orgs.GetAsync(orgId, cancellationToken);
        if (org is null)
        {
            return NotFound;
        }

        var claimed = await ClaimAsync(orgId, meetingId, caller, "start", m =>
            m.SchedulingType is SchedulingTypes.Recurring ? Illegal("recurring series", "started (its occurrences start)")
            : m.SchedulingType is SchedulingTypes.Permanent ? Illegal("permanent room", "started (it opens on join)")
            : m.Status is MeetingStatus.Draft or MeetingStatus.Scheduled ? null
            : Illegal(m.Status, "started"), cancellationToken);
        if (!claimed.Succeeded)
        {
            return claimed;
        }

        var meeting = claimed.Value;
        var cap = CapError(org, await store.GetActiveCountAsync(orgId, cancellationToken));
        if (cap is not null)
        {
            await ReleaseAsync(meeting);
            return cap;
        }

        try
        {
            if (meeting.RtkMeetingId is null)
            {
                var creation = await rtk.CreateAsync(org.RtkAppId, meeting, null, cancellationToken);
                meeting.RtkMeetingId = creation.RtkMeetingId;
                await store.UpdateAsync(meeting, cancellationToken);
                await rtk.CompleteAsync(creation, cancellationToken);
            }

            await rtk.SetStatusAsync(org.RtkAppId, meeting.RtkMeetingId, MeetingRtk.Active, cancellationToken);
        }
        catch (RtkException e)
        {
            // The RTK meeting, if created, is already stored on the meeting: the next start reuses it.
            await ReleaseAsync(meeting);
            return RtkError(e);
        }
        catch (RequestFailedException)
        {
            // Lost the meeting row under us (claim lapsed, or deleted): the intent row lets the reconciler tidy up.
            return Busy;
        }

        var now = time.GetUtcNow();
        meeting.Status = MeetingStatus.Active;
        meeting.RtkStatus = MeetingRtk.Active;
        meeting.ActualStart = now;
        meeting.UpdatedAt = now;
        meeting.PendingTransition = null;
        meeting.PendingUntil = null;
        meeting.HoldsActiveSlot = true;
        var saved = await SaveWithCounterAsync(meeting, +1, org, cancellationToken);
        if (saved is not null)
        {
            // Over the cap after all (a concurrent start took the last slot): undo RTK's side.
            await TryAsync(() => rtk.SetStatusAsync(org.RtkAppId, meeting.RtkMeetingId, MeetingRtk.Inactive, CancellationToken.None));
            var fresh = await store.GetAsync(orgId, meetingId, CancellationToken.None);
            if (fresh is not null)
            {
                await ReleaseAsync(fresh);
            }

            return saved;
        }

        // Past the org's maximum duration the sweep ends it.
        await TryAsync(() => due.AddAsync(new DueItem(DueKind.EndOverdue, orgId, meetingId, null, now + TimeSpan.FromMinutes(org.MaxMeetingDurationMinutes)), CancellationToken.None));
        LogTransition(logger, meeting.PartitionKey, meeting.Id, MeetingStatus.Active);
        return meeting;
    }

    /// <summary>
    /// active → ended: kick everyone, then RTK INACTIVE. A permanent room is not ended for good: its
    /// session ends and it stays open for the next join.
    /// </summary>
    public async Task<Outcome<Meeting>> EndAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var found = await GetManageableAsync(caller, meetingId, cancellationToken);
        if (found.Succeeded && found.Value is { SchedulingType: SchedulingTypes.Recurring } series)
        {
            // A series is never active itself: the host's end ends its running occurrence(s).
            var ended = await EndActiveOccurrencesAsync(series, cancellationToken);
            return ended is null ? await ViewAsync(series, cancellationToken) : ended;
        }

        var outcome = await EndCoreAsync(caller.OrgId, meetingId, caller, callRtk: true, cancellationToken);
        return outcome.Succeeded ? await ViewAsync(outcome.Value, cancellationToken) : outcome.Error!;
    }

    /// <summary>
    /// active → ended without a caller: max duration reached (the sweep, which also ends RTK's session),
    /// or RTK reported the session over (a webhook; <paramref name="callRtk"/> false, RTK already ended it).
    /// A permanent room only has its RTK meeting set INACTIVE.
    /// </summary>
    public Task<Outcome<MeetingEntity>> EndBySystemAsync(Guid orgId, Guid meetingId, bool callRtk, CancellationToken cancellationToken) =>
        EndCoreAsync(orgId, meetingId, null, callRtk, cancellationToken);

    private async Task<Outcome<MeetingEntity>> EndCoreAsync(Guid orgId, Guid meetingId, CurrentUser? caller, bool callRtk, CancellationToken cancellationToken)
    {
        var org = await orgs.GetAsync(orgId, cancellationToken);
        if (org is null)
        {
            return NotFound;
        }

        var claimed = await ClaimAsync(orgId, meetingId, caller, "end", m =>
            m.SchedulingType is SchedulingTypes.Recurring ? Illegal("recurring series", "ended (its occurrences end)")
            : m.Status == MeetingStatus.Active ? null
            : Illegal(m.Status, "ended"), cancellationToken);
        if (!claimed.Succeeded)
        {
            return claimed;
        }

        var meeting = claimed.Value;
        if (meeting.RtkMeetingId is { } rtkId && (callRtk || meeting.IsPermanent))
        {
            try
            {
                if (callRtk)
                {
                    await rtk.EndSessionAsync(org.RtkAppId, rtkId, cancellationToken);
                }
                else
                {
                    await rtk.SetStatusAsync(org.RtkAppId, rtkId, MeetingRtk.Inactive, cancellationToken);
                }
            }
            catch (RtkException e)
            {
                await ReleaseAsync(meeting);
                return RtkError(e);
            }
        }

        var now = time.GetUtcNow();
        meeting.PendingTransition = null;
        meeting.PendingUntil = null;
        meeting.UpdatedAt = now;
        meeting.RtkStatus = meeting.RtkMeetingId is null ? null : MeetingRtk.Inactive;
        if (!meeting.IsPermanent)
        {
            meeting.Status = MeetingStatus.Ended;
            meeting.ActualEnd = now;
        }

        var error = await SaveWithCounterAsync(meeting, meeting.HoldsActiveSlot ? -1 : 0, org, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        LogTransition(logger, meeting.PartitionKey, meeting.Id, meeting.Status);
        return meeting;
    }

    /// <summary>any → cancelled (DELETE): the RTK meeting, if there is one, goes INACTIVE.</summary>
    public async Task<Outcome<Meeting>> CancelAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var org = await orgs.GetAsync(caller.OrgId, cancellationToken);
        if (org is null)
        {
            return NotFound;
        }

        var claimed = await ClaimAsync(caller.OrgId, meetingId, caller, "cancel", m =>
            m.Status == MeetingStatus.Cancelled ? Illegal(m.Status, "cancelled") : null, cancellationToken);
        if (!claimed.Succeeded)
        {
            return claimed.Error!;
        }

        var meeting = claimed.Value;
        if (meeting.RtkMeetingId is { } rtkId)
        {
            try
            {
                await rtk.SetStatusAsync(org.RtkAppId, rtkId, MeetingRtk.Inactive, cancellationToken);
            }
            catch (RtkException e)
            {
                await ReleaseAsync(meeting);
                return RtkError(e);
            }
        }

        var now = time.GetUtcNow();
        meeting.Status = MeetingStatus.Cancelled;
        meeting.RtkStatus = meeting.RtkMeetingId is null ? null : MeetingRtk.Inactive;
        meeting.PendingTransition = null;
        meeting.PendingUntil = null;
        meeting.UpdatedAt = now;
        var error = await SaveWithCounterAsync(meeting, meeting.HoldsActiveSlot ? -1 : 0, org, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (IsOnSchedule(meeting))
        {
            await schedules.UnscheduleAsync(caller.OrgId, meetingId, cancellationToken);
        }

        if (meeting.SchedulingType == SchedulingTypes.Recurring)
        {
            // A cancelled series' running occurrence ends now and gives back its slot (none running is fine).
            await EndActiveOccurrencesAsync(meeting, cancellationToken);
        }

        LogTransition(logger, meeting.PartitionKey, meeting.Id, meeting.Status);
        return Meeting.From(meeting, org.Slug);
    }

    /// <summary>
    /// For the join flow: the meeting's RTK meeting, ACTIVE. A permanent room's RTK meeting is created if it
    /// never was (RTK was down at creation) and set ACTIVE if a session end left it INACTIVE; an active
    /// meeting whose RTK meeting Castio already set ACTIVE costs no RTK call. Other states are a 409.
    /// </summary>
    public async Task<Outcome<MeetingEntity>> EnsureActiveForJoinAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var meeting = await store.GetAsync(orgId, meetingId, cancellationToken);
            if (meeting is null)
            {
                return NotFound;
            }

            if (meeting.Status != MeetingStatus.Active)
            {
                return new Error(ErrorKind.Conflict, MeetingErrors.IllegalTransition, $"The meeting is {meeting.Status}, not active.");
            }

            if (meeting.RtkMeetingId is not null && meeting.RtkStatus == MeetingRtk.Active)
            {
                return meeting;
            }

            var org = await orgs.GetAsync(orgId, cancellationToken);
            if (org is null)
            {
                return NotFound;
            }

            try
            {
                if (meeting.RtkMeetingId is null)
                {
                    var creation = await rtk.CreateAsync(org.RtkAppId, meeting, null, cancellationToken);
                    meeting.RtkMeetingId = creation.RtkMeetingId;
                    await store.UpdateAsync(meeting, cancellationToken);
                    await rtk.CompleteAsync(creation, cancellationToken);
                }

                await rtk.SetStatusAsync(org.RtkAppId, meeting.RtkMeetingId, MeetingRtk.Active, cancellationToken);
                meeting.RtkStatus = MeetingRtk.Active;
                await store.UpdateAsync(meeting, cancellationToken);
                return meeting;
            }
            catch (RtkException e)
            {
                return RtkError(e);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Someone else changed it (perhaps the same join on another instance): look again.
                if (attempt >= MaxAttempts)
                {
                    return Busy;
                }
            }
        }
    }

    /// <summary>
    /// For post-meeting work: RTK's session of <paramref name="rtkMeetingId"/> is over. The occurrence owning that RTK
    /// meeting ends (releasing its concurrent-meeting slot); otherwise the meeting ends as <see cref="EndBySystemAsync"/>.
    /// </summary>
    public async Task<Error?> EndedByRtkAsync(Guid orgId, Guid meetingId, string? rtkMeetingId, CancellationToken cancellationToken)
    {
        var owner = string.IsNullOrEmpty(rtkMeetingId) ? null : await store.FindByRtkMeetingIdAsync(rtkMeetingId, cancellationToken);
        if (owner is { OccurrenceId: { } occurrenceId } && owner.OrgId == orgId && owner.MeetingId == meetingId)
        {
            return (await EndOccurrenceAsync(orgId, occurrenceId, callRtk: false, cancellationToken)).Error;
        }

        return (await EndBySystemAsync(orgId, meetingId, callRtk: false, cancellationToken)).Error;
    }

    /// <summary>
    /// For webhooks: RTK's session of a permanent room ended, so its RTK meeting is INACTIVE again
    /// (Castio sets it; the next join sets it ACTIVE).
    /// </summary>
    public async Task<Outcome<MeetingEntity>> DeactivatePermanentRoomAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        var meeting = await store.GetAsync(orgId, meetingId, cancellationToken);
        if (meeting is null || !meeting.IsPermanent)
        {
            return NotFound;
        }

        return await EndCoreAsync(orgId, meetingId, null, callRtk: false, cancellationToken);
    }

    /// <summary>Locks or unlocks the meeting to new joins (host controls); the caller must manage the meeting.</summary>
    public async Task<Outcome<MeetingEntity>> SetLockedAsync(CurrentUser caller, Guid meetingId, bool locked, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var found = await GetManageableAsync(caller, meetingId, cancellationToken);
            if (!found.Succeeded)
            {
                return found;
            }

            var meeting = found.Value;
            if (meeting.Status is MeetingStatus.Ended or MeetingStatus.Cancelled)
            {
                return new Error(ErrorKind.Conflict, MeetingErrors.NotEditable, $"A {meeting.Status} meeting cannot be locked or unlocked.");
            }

            if (meeting.Locked == locked)
            {
                return meeting;
            }

            meeting.Locked = locked;
            meeting.UpdatedAt = time.GetUtcNow();
            try
            {
                await store.UpdateAsync(meeting, cancellationToken);
                return meeting;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                if (attempt >= MaxAttempts)
                {
                    return Busy;
                }
            }
        }
    }

    /// <summary>The public view of a join link, by meeting slug or vanity slug; nothing else is revealed.</summary>
    public async Task<Outcome<PublicMeeting>> ResolvePublicAsync(string? orgSlug, string? slug, CancellationToken cancellationToken)
    {
        var normalized = MeetingRules.NormalizeSlug(slug);
        var orgId = await orgs.ResolveSlugAsync(OrgSlug.Normalize(orgSlug), cancellationToken);
        var org = orgId is { } id && MeetingRules.IsSlugShaped(normalized) ? await orgs.GetAsync(id, cancellationToken) : null;
        var meeting = org is null ? null : await store.FindBySlugAsync(org.Id, normalized, cancellationToken);
        if (org is null || meeting is null)
        {
            return NotFound;
        }

        var effective = meeting.GuestAccess ?? org.GuestAccessDefault;
        var assets = await orgs.ListBrandingAsync(org.Id, cancellationToken);
        string? Url(BrandingAssetKind kind) => assets.FirstOrDefault(a => a.Kind == kind.ToWire()) is { } a
            ? $"/api/branding/{org.Slug}/{a.Kind}?v={Uri.EscapeDataString(a.Version)}"
            : null;
        // A recurring series is never active itself; its link shows it active while an occurrence runs (joining joins that).
        var status = meeting.SchedulingType == SchedulingTypes.Recurring && meeting.Status == MeetingStatus.Scheduled
            && await occurrences.FindRunningAsync(org.Id, meeting.Id, time.GetUtcNow(), cancellationToken) is not null
            ? MeetingStatus.Active : meeting.Status;
        return new PublicMeeting(
            meeting.Title,
            meeting.MeetingType,
            status,
            effective != GuestAccess.Disabled,
            effective,
            new PublicMeetingBranding(org.Name, org.BrandColor, org.Theme, Url(BrandingAssetKind.Logo), Url(BrandingAssetKind.Favicon), Url(BrandingAssetKind.Background)));
    }

    /// <summary>The wire view (needs the org slug for the join URL).</summary>
    public async Task<Outcome<Meeting>> ViewAsync(MeetingEntity meeting, CancellationToken cancellationToken)
    {
        var org = await orgs.GetAsync(meeting.OrgId, cancellationToken);
        return org is null ? NotFound : Meeting.From(meeting, org.Slug);
    }

    // ---- Occurrences of recurring meetings: each active one holds a concurrent-meeting slot too

    /// <summary>
    /// Takes one of the org's concurrent-meeting slots for an occurrence about to go active (the activation
    /// sweep): the same counter meetings move, written with the occurrence's slot row, so a retried activation
    /// keeps the slot it took. The 429 naming the cap when the org is full; null on success.
    /// </summary>
    public async Task<Error?> TakeOccurrenceSlotAsync(OrgEntity org, Guid meetingId, Guid occurrenceId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var counter = await store.GetActiveCountAsync(org.Id, cancellationToken);
            if (CapError(org, counter) is { } cap)
            {
                return await store.HoldsOccurrenceSlotAsync(org.Id, occurrenceId, cancellationToken) ? null : cap;
            }

            counter.Active++;
            var slot = new OccurrenceSlotEntity
            {
                PartitionKey = MeetingKeys.Partition(org.Id),
                RowKey = MeetingKeys.OccurrenceSlot(occurrenceId),
                MeetingId = meetingId.ToString("D"),
                TakenAt = time.GetUtcNow(),
            };
            try
            {
                await store.AddOccurrenceSlotAsync(slot, counter, cancellationToken);
                return null;
            }
            catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex == 0)
            {
                // Taken by an earlier attempt at this activation.
                return null;
            }
            catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex == 1 && attempt < MaxAttempts * 4)
            {
                // Another meeting or occurrence moved the counter first: count again.
            }
            catch (TableTransactionFailedException)
            {
                return Busy;
            }
        }
    }

    /// <summary>Gives back an occurrence's slot; nothing when it holds none (released already, or never taken).</summary>
    public async Task ReleaseOccurrenceSlotAsync(Guid orgId, Guid occurrenceId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (!await store.HoldsOccurrenceSlotAsync(orgId, occurrenceId, cancellationToken))
            {
                return;
            }

            var counter = await store.GetActiveCountAsync(orgId, cancellationToken);
            counter.Active = Math.Max(0, counter.Active - 1);
            try
            {
                await store.RemoveOccurrenceSlotAsync(orgId, occurrenceId, counter, cancellationToken);
                return;
            }
            catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex == 0)
            {
                return;
            }
            catch (TableTransactionFailedException) when (attempt < MaxAttempts * 4)
            {
            }
        }
    }

    /// <summary>
    /// active occurrence → ended, and its slot released: past the org's maximum (the sweep) or the host's end, both
    /// ending RTK's session too, or RTK reporting the session over (<paramref name="callRtk"/> false). An occurrence
    /// that is not active is left as it is, but never keeps a slot.
    /// </summary>
    public async Task<Outcome<OccurrenceEntity>> EndOccurrenceAsync(Guid orgId, Guid occurrenceId, bool callRtk, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var occurrence = await occurrences.GetAsync(orgId, occurrenceId, cancellationToken);
            if (occurrence is null || occurrence.Status != OccurrenceStatus.Active)
            {
                await ReleaseOccurrenceSlotAsync(orgId, occurrenceId, cancellationToken);
                return occurrence is null ? NotFound : Illegal($"{occurrence.Status} occurrence", "ended");
            }

            if (callRtk && occurrence.RtkMeetingId is { } rtkMeetingId && await orgs.GetAsync(orgId, cancellationToken) is { } org)
            {
                try
                {
                    await rtk.EndSessionAsync(org.RtkAppId, rtkMeetingId, cancellationToken);
                }
                catch (RtkException e)
                {
                    return RtkError(e);
                }
            }

            var now = time.GetUtcNow();
            occurrence.Status = OccurrenceStatus.Ended;
            occurrence.ActualEnd = now;
            occurrence.UpdatedAt = now;
            try
            {
                await occurrences.UpdateAsync(occurrence, null, null, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                if (attempt >= MaxAttempts)
                {
                    return Busy;
                }

                continue;
            }

            await ReleaseOccurrenceSlotAsync(orgId, occurrenceId, cancellationToken);
            LogOccurrenceEnded(logger, occurrence.SeriesId, occurrence.Id);
            return occurrence;
        }
    }

    /// <summary>Ends the series' active occurrences (the host's end); a 409 when none is running. Null on success.</summary>
    private async Task<Error?> EndActiveOccurrencesAsync(MeetingEntity series, CancellationToken cancellationToken)
    {
        // Active occurrences started at most the org's maximum duration (at most a day) ago; their original start may be a little earlier.
        var now = time.GetUtcNow();
        var rows = await occurrences.ListAsync(series.OrgId, series.Id, now - TimeSpan.FromDays(2), now + TimeSpan.FromDays(1), 1000, cancellationToken);
        var active = rows.Where(o => o.Status == OccurrenceStatus.Active).ToList();
        if (active.Count == 0)
        {
            return Illegal("recurring series with no running occurrence", "ended");
        }

        foreach (var occurrence in active)
        {
            var ended = await EndOccurrenceAsync(series.OrgId, occurrence.Id, callRtk: true, cancellationToken);
            if (!ended.Succeeded && ended.Error!.Code != MeetingErrors.IllegalTransition)
            {
                return ended.Error;
            }
        }

        return null;
    }

    // ---- Schedule

    private static bool IsOnSchedule(MeetingEntity meeting) =>
        meeting.SchedulingType is SchedulingTypes.Scheduled or SchedulingTypes.Recurring;

    private static SeriesInfo SeriesOf(MeetingEntity meeting) =>
        new(meeting.OrgId, meeting.Id, meeting.HostId, meeting.Title, OpenToOrg: meeting.MemberAccess == MemberAccess.Org);

    /// <summary>The stored schedule, re-read by the scheduling rules (without the "in the future" check: it was checked when set).</summary>
    private static Schedule? StoredSchedule(MeetingEntity meeting) =>
        ScheduleFields.Validate(new ScheduleInput(
            meeting.SchedulingType,
            meeting.ScheduledStart is { } s ? ScheduleText.Utc(s) : null,
            meeting.ScheduledEnd is { } e ? ScheduleText.Utc(e) : null,
            meeting.Timezone,
            meeting.Rrule,
            meeting.Dtstart,
            meeting.SchedulingType == SchedulingTypes.Recurring ? meeting.DurationMinutes : null), new FieldErrors());

    // ---- Transition plumbing

    /// <summary>
    /// Claims the meeting for one transition: re-reads on a lost race, refuses while another transition
    /// holds an unexpired claim, and checks the transition is legal from the state it finds.
    /// </summary>
    private async Task<Outcome<MeetingEntity>> ClaimAsync(Guid orgId, Guid meetingId, CurrentUser? caller, string transition,
        Func<MeetingEntity, Error?> legal, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var meeting = await store.GetAsync(orgId, meetingId, cancellationToken);
            if (meeting is null || (caller is not null && !MeetingAccess.CanSee(caller, meeting)))
            {
                return NotFound;
            }

            if (caller is not null && !MeetingAccess.CanManage(caller, meeting))
            {
                return Forbidden;
            }

            var now = time.GetUtcNow();
            if (meeting.PendingTransition is not null && meeting.PendingUntil > now)
            {
                return InProgress;
            }

            if (legal(meeting) is { } illegal)
            {
                return illegal;
            }

            meeting.PendingTransition = transition;
            meeting.PendingUntil = now + TransitionLease;
            try
            {
                await store.UpdateAsync(meeting, cancellationToken);
                return meeting;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                if (attempt >= MaxAttempts)
                {
                    return Busy;
                }
            }
        }
    }

    /// <summary>Gives up a claim we hold; if it fails the claim simply lapses.</summary>
    private async Task ReleaseAsync(MeetingEntity meeting)
    {
        meeting.PendingTransition = null;
        meeting.PendingUntil = null;
        await TryAsync(() => store.UpdateAsync(meeting, CancellationToken.None));
    }

    /// <summary>
    /// Saves a meeting we hold the claim on together with the org's active-meetings counter; a counter
    /// moved by another meeting is re-read and the cap re-checked. Null on success.
    /// </summary>
    private async Task<Error?> SaveWithCounterAsync(MeetingEntity meeting, int delta, OrgEntity org, CancellationToken cancellationToken)
    {
        if (delta == 0)
        {
            try
            {
                await store.UpdateAsync(meeting, cancellationToken);
                return null;
            }
            catch (RequestFailedException e) when (e.Status is 412 or 404)
            {
                return Busy;
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            var counter = await store.GetActiveCountAsync(org.Id, cancellationToken);
            if (delta > 0 && CapError(org, counter) is { } cap)
            {
                return cap;
            }

            counter.Active = Math.Max(0, counter.Active + delta);
            meeting.HoldsActiveSlot = delta > 0;
            try
            {
                await store.UpdateWithCounterAsync(meeting, counter, cancellationToken);
                return null;
            }
            catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex == 1 && attempt < MaxAttempts * 4)
            {
                // Another meeting moved the counter first: count again.
            }
            catch (TableTransactionFailedException)
            {
                return Busy;
            }
        }
    }

    private static Error? CapError(OrgEntity org, ActiveMeetingsEntity counter) =>
        counter.Active >= org.MaxConcurrentMeetings
            ? new Error(ErrorKind.TooManyRequests, MeetingErrors.ConcurrentMeetingsCap,
                $"The organization already has {counter.Active} active meetings; its cap (maxConcurrentMeetings) is {org.MaxConcurrentMeetings}.")
            : null;

    private static Error RtkError(RtkException e) => e.IsUnavailable
        ? new Error(ErrorKind.Unavailable, MeetingErrors.RtkUnavailable, "The meeting service is not answering; try again shortly.", RetryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(5))
        : new Error(ErrorKind.Unavailable, MeetingErrors.RtkRejected, "The meeting service refused the request.");

    private static async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is RequestFailedException or RtkException)
        {
        }
    }

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Meeting {OrgId}/{MeetingId} is now {Status}")]
    private static partial void LogTransition(ILogger logger, string orgId, Guid meetingId, string status);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Occurrence {OccurrenceId} of meeting {MeetingId} ended; its concurrent-meeting slot is free")]
    private static partial void LogOccurrenceEnded(ILogger logger, Guid meetingId, Guid occurrenceId);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Permanent room {OrgId}/{MeetingId}: RTK meeting not created now; the first join creates it")]
    private static partial void LogPermanentDeferred(ILogger logger, string orgId, Guid meetingId, Exception exception);
}
