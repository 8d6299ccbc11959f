using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Joining;
using Castio.Core.Meetings;
using Castio.Core.Orgs;
using Castio.Core.Presets;
using Castio.Core.Rtk;

namespace Castio.Core.HostControls;

/// <summary>
/// What the meeting's host, owners and admins do to a meeting while it runs: list and kick participants,
/// change their role (RTK preset), lock the meeting to new joins, record and livestream. Each attempt on a
/// meeting of the caller's org is written to the <see cref="AuditLog"/>, including refusals; another
/// org's meeting is not found and leaves no trace.
/// </summary>
public sealed class HostControlService(
    MeetingStore meetings,
    MeetingService meetingService,
    ParticipantStore participants,
    ParticipantPresence presence,
    OrgStore orgs,
    RtkClient rtk,
    AuditLog audit,
    TimeProvider time)
{
    private const int MaxAttempts = 3;

    /// <summary>Role names a host may give a participant; each maps to a preset through the preset resolver.</summary>
    public static readonly IReadOnlyList<string> AssignableRoles = ["host", "member", "guest"];

    private static readonly Error MeetingNotFound = new(ErrorKind.NotFound, MeetingErrors.NotFound, "Meeting not found.");
    private static readonly Error NotManager = new(ErrorKind.Forbidden, HostControlErrors.Forbidden, "Only the meeting's host, owners and admins control it.");
    private static readonly Error ParticipantNotFound = new(ErrorKind.NotFound, HostControlErrors.ParticipantNotFound, "Participant not found in this meeting.");
    private static readonly Error NoSession = new(ErrorKind.Conflict, HostControlErrors.NoActiveSession, "The meeting has no live session.");
    private static readonly Error Busy = new(ErrorKind.Conflict, HostControlErrors.Concurrent, "The participant is being changed by someone else; try again.");

    public async Task<Outcome<ParticipantList>> ListParticipantsAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var meeting = await meetings.GetAsync(caller.OrgId, meetingId, cancellationToken);
        if (meeting is null)
        {
            return MeetingNotFound;
        }

        if (!MeetingAccess.CanManage(caller, meeting))
        {
            return NotManager;
        }

        var rows = await participants.ListAsync(caller.OrgId, meetingId, cancellationToken);
        return new ParticipantList([.. rows.Select(ParticipantView.From)]);
    }

    /// <summary>
    /// Removes a participant: they may not join again through Castio, their live peers leave the session,
    /// and their RTK participant is deleted so a token they kept cannot bring them back either.
    /// </summary>
    public Task<Outcome<KickResult>> KickAsync(CurrentUser caller, Guid meetingId, Guid participantId, CancellationToken cancellationToken) =>
        AuditedAsync<KickResult>(caller, meetingId, AuditActions.Kick, participantId.ToString("D"), null, async (meeting, ct) =>
        {
            var participant = await participants.FindAsync(caller.OrgId, meetingId, participantId, ct);
            if (participant is null)
            {
                return ParticipantNotFound;
            }

            if (participant.UserId == caller.UserId)
            {
                return new Error(ErrorKind.Conflict, HostControlErrors.NotYourself, "You cannot remove yourself; leave the meeting instead.");
            }

            // Marked first, so a rejoin racing with the kick is refused; their place goes back with the same write.
            for (var attempt = 1; participant.RemovedAt is null; attempt++)
            {
                participant.RemovedAt = time.GetUtcNow();
                var vacated = ParticipantPresence.Vacate(participant);
                if (await participants.SaveAsync(participant, ct))
                {
                    await presence.GiveBackAsync(participant, vacated);
                    break;
                }

                if (attempt >= MaxAttempts || await participants.FindAsync(caller.OrgId, meetingId, participantId, ct) is not { } fresh)
                {
                    return Busy;
                }

                participant = fresh;
            }

            var wasInSession = false;
            if (participant is { RtkMeetingId: { } rtkMeetingId, RtkParticipantId: { } rtkParticipantId })
            {
                var appId = await AppIdAsync(caller.OrgId, ct);
                try
                {
                    await rtk.ActiveSession.KickAsync(appId, rtkMeetingId, [rtkParticipantId], [], ct);
                    wasInSession = true;
                }
                catch (RtkException e) when (e.IsNotFound)
                {
                    // No live session, or they are not in it: nothing to kick, the removal stands.
                }

                try
                {
                    await rtk.Participants.DeleteAsync(appId, rtkMeetingId, rtkParticipantId, ct);
                }
                catch (RtkException e) when (e.IsNotFound)
                {
                    // Already gone: a kick repeated after a failure half-way.
                }
            }

            return new KickResult(ParticipantView.From(participant), wasInSession);
        }, cancellationToken);

    /// <summary>
    /// Promotes or demotes a participant: the preset for the new role (through the preset resolver) is set on
    /// their RTK participant, and their stored role and preset follow, with no reusable token left behind
    /// (the next join fetches one for the new preset).
    /// </summary>
    public async Task<Outcome<ParticipantView>> ChangeRoleAsync(CurrentUser caller, Guid meetingId, Guid participantId, string? role, CancellationToken cancellationToken)
    {
        if (role is null || !AssignableRoles.Contains(role))
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, new FieldErrors().Add("role", "Role must be one of: host, member, guest."));
        }

        return await AuditedAsync<ParticipantView>(caller, meetingId, AuditActions.ChangeRole, participantId.ToString("D"), role, async (meeting, ct) =>
        {
            var participant = await participants.FindAsync(caller.OrgId, meetingId, participantId, ct);
            if (participant is null || participant.RemovedAt is not null)
            {
                return ParticipantNotFound;
            }

            var preset = PresetFor(role, meeting.MeetingType);
            if (participant is { RtkMeetingId: { } rtkMeetingId, RtkParticipantId: { } rtkParticipantId })
            {
                await rtk.Participants.UpdatePresetAsync(await AppIdAsync(caller.OrgId, ct), rtkMeetingId, rtkParticipantId, preset, ct);
            }

            for (var attempt = 1; ; attempt++)
            {
                participant.Role = role;
                participant.PresetName = preset;
                participant.SealedToken = null;
                participant.TokenReusableUntil = null;
                if (await participants.SaveAsync(participant, ct))
                {
                    return ParticipantView.From(participant);
                }

                if (attempt >= MaxAttempts || await participants.FindAsync(caller.OrgId, meetingId, participantId, ct) is not { } fresh)
                {
                    return Busy;
                }

                participant = fresh;
            }
        }, cancellationToken);
    }

    public Task<Outcome<RecordingState>> StartRecordingAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken) =>
        AuditedAsync<RecordingState>(caller, meetingId, AuditActions.RecordingStart, null, null, async (meeting, ct) =>
        {
            if (await LiveAsync(caller.OrgId, meeting, ct) is not { } live)
            {
                return NoSession;
            }

            if (await ActiveRecordingAsync(live.AppId, live.RtkMeetingId, ct) is not null)
            {
                return new Error(ErrorKind.Conflict, HostControlErrors.RecordingRunning, "A recording is already running.");
            }

            var recording = await rtk.Recordings.StartAsync(live.AppId, new RtkStartRecordingRequest { MeetingId = live.RtkMeetingId }, ct);
            return new RecordingState(recording.Id, recording.Status, recording.InvokedTime);
        }, cancellationToken);

    public Task<Outcome<RecordingState>> StopRecordingAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken) =>
        AuditedAsync<RecordingState>(caller, meetingId, AuditActions.RecordingStop, null, null, async (meeting, ct) =>
        {
            var noRecording = new Error(ErrorKind.Conflict, HostControlErrors.NoRecording, "No recording is running.");
            if (meeting.RtkMeetingId is not { } rtkMeetingId)
            {
                return noRecording;
            }

            var appId = await AppIdAsync(caller.OrgId, ct);
            if (await ActiveRecordingAsync(appId, rtkMeetingId, ct) is not { } active)
            {
                return noRecording;
            }

            var stopped = await rtk.Recordings.StopAsync(appId, active.Id, ct);
            return new RecordingState(stopped.Id, stopped.Status, stopped.InvokedTime);
        }, cancellationToken);

    public Task<Outcome<LivestreamState>> StartLivestreamAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken) =>
        AuditedAsync<LivestreamState>(caller, meetingId, AuditActions.LivestreamStart, null, null, async (meeting, ct) =>
        {
            if (await LiveAsync(caller.OrgId, meeting, ct) is not { } live)
            {
                return NoSession;
            }

            if (await ActiveLivestreamAsync(live.AppId, live.RtkMeetingId, ct) is not null)
            {
                return new Error(ErrorKind.Conflict, HostControlErrors.LivestreamRunning, "A livestream is already running.");
            }

            var stream = await rtk.Livestreams.StartAsync(live.AppId, live.RtkMeetingId, null, ct);
            return new LivestreamState(stream.Id, stream.Status, stream.PlaybackUrl);
        }, cancellationToken);

    public Task<Outcome<LivestreamState>> StopLivestreamAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken) =>
        AuditedAsync<LivestreamState>(caller, meetingId, AuditActions.LivestreamStop, null, null, async (meeting, ct) =>
        {
            var noStream = new Error(ErrorKind.Conflict, HostControlErrors.NoLivestream, "No livestream is running.");
            if (meeting.RtkMeetingId is not { } rtkMeetingId)
            {
                return noStream;
            }

            var appId = await AppIdAsync(caller.OrgId, ct);
            if (await ActiveLivestreamAsync(appId, rtkMeetingId, ct) is not { } active)
            {
                return noStream;
            }

            try
            {
                await rtk.Livestreams.StopAsync(appId, rtkMeetingId, ct);
            }
            catch (RtkException e) when (e.IsNotFound)
            {
                return noStream; // it ended between the two calls
            }

            return new LivestreamState(active.Id, LivestreamStopped, active.PlaybackUrl);
        }, cancellationToken);

    /// <summary>Locks the meeting to new joins (people already in stay), or opens it again.</summary>
    public Task<Outcome<LockState>> SetLockedAsync(CurrentUser caller, Guid meetingId, bool locked, CancellationToken cancellationToken) =>
        AuditedAsync<LockState>(caller, meetingId, locked ? AuditActions.Lock : AuditActions.Unlock, null, null, async (meeting, ct) =>
        {
            var changed = await meetingService.SetLockedAsync(caller, meetingId, locked, ct);
            return changed.Succeeded ? new LockState(meetingId, changed.Value.Locked) : changed.Error!;
        }, cancellationToken);

    /// <summary>
    /// Ends the meeting for everyone: the meetings lifecycle's end (kick-all, RTK inactive) with its own answers,
    /// audited like every host control. A meeting the caller cannot see leaves no entry.
    /// </summary>
    public async Task<Outcome<Meeting>> EndForEveryoneAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var outcome = await meetingService.EndAsync(caller, meetingId, cancellationToken);
        if (outcome.Error is { Kind: ErrorKind.NotFound })
        {
            return outcome;
        }

        var result = outcome.Error switch
        {
            null => AuditOutcomes.Succeeded,
            { Kind: ErrorKind.Forbidden } => AuditOutcomes.Denied,
            _ => AuditOutcomes.Failed,
        };
        await audit.WriteAsync(new AuditRecord(caller.OrgId, meetingId, caller.UserId, caller.Role.ToWire(), AuditActions.End), result, outcome.Error?.Code, cancellationToken);
        return outcome;
    }

    /// <summary>The meeting's audit log, newest first (owners, admins and the meeting's host).</summary>
    public async Task<Outcome<AuditPage>> ListAuditAsync(CurrentUser caller, Guid meetingId, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Check(cursor, AuditLog.IsCursor, limit, AuditLog.MaxPageSize);

        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        var meeting = await meetings.GetAsync(caller.OrgId, meetingId, cancellationToken);
        if (meeting is null)
        {
            return MeetingNotFound;
        }

        if (!MeetingAccess.CanManage(caller, meeting))
        {
            return NotManager;
        }

        var (page, next) = await audit.ListAsync(caller.OrgId, meetingId, string.IsNullOrEmpty(cursor) ? null : cursor, limit ?? 50, cancellationToken);
        return new AuditPage([.. page.Select(AuditEntryView.From)], next);
    }

    /// <summary>The status RTK's webhooks give a stopped livestream; its stop call answers only a message.</summary>
    public const string LivestreamStopped = "OFFLINE";

    /// <summary>
    /// Loads the meeting in the caller's org, checks the caller may control it, runs the action and writes
    /// one audit entry however it ends: succeeded, denied, or failed with the problem code the caller got.
    /// </summary>
    private async Task<Outcome<T>> AuditedAsync<T>(
        CurrentUser caller, Guid meetingId, string action, string? target, string? detail,
        Func<MeetingEntity, CancellationToken, Task<Outcome<T>>> run, CancellationToken cancellationToken)
    {
        var meeting = await meetings.GetAsync(caller.OrgId, meetingId, cancellationToken);
        if (meeting is null)
        {
            return MeetingNotFound;
        }

        var record = new AuditRecord(caller.OrgId, meetingId, caller.UserId, caller.Role.ToWire(), action, target, detail);
        if (!MeetingAccess.CanManage(caller, meeting))
        {
            await audit.WriteAsync(record, AuditOutcomes.Denied, NotManager.Code, cancellationToken);
            return NotManager;
        }

        Outcome<T> outcome;
        try
        {
            outcome = await run(meeting, cancellationToken);
        }
        catch (RtkException e)
        {
            outcome = e.IsUnavailable
                ? new Error(ErrorKind.Unavailable, RtkProblemCodes.Unavailable, "The meeting service is not answering; try again shortly.", RetryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(5))
                : new Error(ErrorKind.Unavailable, RtkProblemCodes.Rejected, "The meeting service refused the request.");
        }

        await audit.WriteAsync(record, outcome.Succeeded ? AuditOutcomes.Succeeded : AuditOutcomes.Failed, outcome.Error?.Code, cancellationToken);
        return outcome;
    }

    /// <summary>The RTK app and meeting of a meeting with a live session, or null when none is live.</summary>
    private async Task<(string AppId, string RtkMeetingId)?> LiveAsync(Guid orgId, MeetingEntity meeting, CancellationToken cancellationToken)
    {
        if (meeting.Status is MeetingStatus.Ended or MeetingStatus.Cancelled || meeting.RtkMeetingId is not { } rtkMeetingId)
        {
            return null;
        }

        var appId = await AppIdAsync(orgId, cancellationToken);
        try
        {
            await rtk.ActiveSession.GetAsync(appId, rtkMeetingId, cancellationToken);
            return (appId, rtkMeetingId);
        }
        catch (RtkException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    private async Task<RtkRecording?> ActiveRecordingAsync(string appId, string rtkMeetingId, CancellationToken cancellationToken)
    {
        try
        {
            return await rtk.Recordings.GetActiveAsync(appId, rtkMeetingId, cancellationToken);
        }
        catch (RtkException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    private async Task<RtkLivestream?> ActiveLivestreamAsync(string appId, string rtkMeetingId, CancellationToken cancellationToken)
    {
        try
        {
            return await rtk.Livestreams.GetActiveAsync(appId, rtkMeetingId, cancellationToken);
        }
        catch (RtkException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    private async Task<string> AppIdAsync(Guid orgId, CancellationToken cancellationToken) =>
        (await orgs.GetAsync(orgId, cancellationToken))?.RtkAppId is { Length: > 0 } appId
            ? appId
            : rtk.DefaultAppId;

    private static string PresetFor(string role, string meetingType)
    {
        var type = meetingType switch
        {
            MeetingTypes.Audio => MeetingType.Audio,
            MeetingTypes.Webinar => MeetingType.Webinar,
            MeetingTypes.Livestream => MeetingType.Livestream,
            _ => MeetingType.Video,
        };
        return role switch
        {
            "host" => PresetResolver.Resolve(CastioRole.Host, type, isCreator: true),
            "guest" => PresetResolver.Resolve(CastioRole.Guest, type, isCreator: false),
            _ => PresetResolver.Resolve(CastioRole.Member, type, isCreator: false),
        };
    }
}
