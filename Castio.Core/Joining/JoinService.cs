using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Presets;
using Castio.Core.Rtk;
using Castio.Core.Users;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Joining;

/// <summary>
/// Turns a person into an RTK participant of a meeting: access rules, status, caps and limits, then one RTK
/// participant per person per RTK meeting, whose token a rejoin reuses while it lives (no RTK call) and refreshes
/// after (RTK's refresh-token endpoint, never a second participant).
/// </summary>
public sealed partial class JoinService(
    JoinMeetings meetings,
    OrgStore orgs,
    JoinReads reads,
    ParticipantStore store,
    ParticipantCounters counters,
    ParticipantTokenVault vault,
    RateLimiter limiter,
    RtkClient rtk,
    PresetProvisioner presets,
    TimeProvider time,
    ILogger<JoinService> logger)
{
    public static readonly TimeSpan GuestTokenLifetime = TimeSpan.FromHours(4);

    public async Task<Outcome<JoinResult>> JoinAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var orgId = caller.OrgId;
        var meetingTask = meetings.GetAsync(orgId, meetingId, cancellationToken);
        var orgTask = reads.Orgs.GetAsync(orgId, id => orgs.GetAsync(id, CancellationToken.None), cancellationToken);
        var rowTask = store.GetByUserAsync(orgId, meetingId, caller.UserId, cancellationToken);
        var personTask = limiter.AcquireAsync(RateLimitRules.MeetingJoin, $"{meetingId:N}|u|{caller.UserId:N}", cancellationToken);
        var meeting = await meetingTask;
        if (meeting is null || await orgTask is not { } org)
        {
            return NotFound();
        }

        var max = MaxParticipants(meeting, org);
        if (Limited(await personTask) is { } personLimited)
        {
            return personLimited;
        }

        // Owner, admin and host join any meeting of their org; members one open to the org or one they are invited to.
        var row = await rowTask;
        if (caller.Role < Role.Host && meeting.MemberAccess != JoinMeetings.OrgAccess)
        {
            if (!await meetings.IsInvitedAsync(orgId, meetingId, caller.UserId, caller.Email, cancellationToken))
            {
                return new Error(ErrorKind.Forbidden, JoinErrors.NotInvited, "Only invited members may join this meeting.");
            }
        }

        if (Refused(meeting, row) is { } refused)
        {
            return refused;
        }

        var joinable = await meetings.EnsureJoinableAsync(meeting, cancellationToken);
        if (!joinable.Succeeded)
        {
            return joinable.Error!;
        }

        meeting = joinable.Value;
        if (!JoinPresets.TryParseType(meeting.MeetingType, out var type))
        {
            throw new InvalidOperationException("Unknown meeting type " + meeting.MeetingType);
        }

        var now = time.GetUtcNow();
        if (row is null)
        {
            row = new ParticipantEntity
            {
                PartitionKey = ParticipantKeys.Partition(orgId),
                RowKey = ParticipantKeys.User(meetingId, caller.UserId),
                MeetingId = meetingId,
                ParticipantId = Guid.CreateVersion7(),
                UserId = caller.UserId,
                DisplayName = caller.Name,
                Role = caller.Role.ToWire(),
                // Chosen once: a rejoin keeps this preset (and its RTK participant) even if the meeting's waiting room
                // was switched since; the switch applies to people joining for the first time.
                PresetName = JoinPresets.ForMember(caller.Role, type, meeting.HostUserId == caller.UserId, meeting.WaitingRoomEnabled),
                FirstJoinedAt = now,
            };
        }

        var admitted = await AdmitAsync(meeting, row, max, MaxGuests(max), cancellationToken);
        if (!admitted.Succeeded)
        {
            return admitted.Error!;
        }

        var issued = await IssueAsync(org.RtkAppId, meeting, admitted.Value, now, cancellationToken);
        return issued.Succeeded
            ? new JoinResult(issued.Value, meeting.RtkMeetingId!, admitted.Value.PresetName, admitted.Value.ParticipantId, Config(meeting, admitted.Value))
            : issued.Error!;
    }

    public async Task<Outcome<GuestJoinResult>> GuestJoinAsync(Guid meetingId, GuestJoinRequest request, string clientAddress, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var rejoin = request.GuestToken is not null;
        if (rejoin && !OpaqueToken.LooksValid(request.GuestToken))
        {
            errors.Add("guestToken", "The guest token is not one Castio issued.");
        }

        var name = GuestName.Normalize(request.DisplayName);
        if (!rejoin || request.DisplayName is not null)
        {
            errors.AddIf("displayName", GuestName.Check(name));
        }

        var email = request.Email is null ? null : EmailAddress.Normalize(request.Email);
        if (email is not null)
        {
            errors.AddIf("email", EmailAddress.Check(email));
        }

        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        var tokenTask = rejoin ? store.GetGuestTokenAsync(OpaqueToken.Hash(request.GuestToken!), cancellationToken) : Task.FromResult<GuestTokenEntity?>(null);
        if (await meetings.FindOrgAsync(meetingId, cancellationToken) is not { } orgId)
        {
            return NotFound();
        }

        var meetingTask = meetings.GetAsync(orgId, meetingId, cancellationToken);
        var orgTask = reads.Orgs.GetAsync(orgId, id => orgs.GetAsync(id, CancellationToken.None), cancellationToken);
        var meeting = await meetingTask;
        if (meeting is null || await orgTask is not { } org)
        {
            return NotFound();
        }

        var access = meeting.GuestAccess ?? org.GuestAccessDefault;
        if (access == GuestAccess.Disabled)
        {
            return new Error(ErrorKind.Forbidden, JoinErrors.GuestsDisabled, "Guests may not join this meeting.");
        }

        var now = time.GetUtcNow();
        ParticipantEntity? row = null;
        DateTimeOffset tokenExpiresAt = default;
        if (rejoin)
        {
            var token = await tokenTask;
            if (token is null || token.OrgId != orgId || token.MeetingId != meetingId || token.ExpiresAt <= now
                || await store.GetRowAsync(orgId, ParticipantKeys.Guest(meetingId, token.ParticipantId), cancellationToken) is not { } existing)
            {
                return new Error(ErrorKind.Unauthenticated, JoinErrors.GuestTokenInvalid, "The guest token is unknown, expired or for another meeting; join again without it.");
            }

            row = existing;
            tokenExpiresAt = token.ExpiresAt;
            if (Limited(await limiter.AcquireAsync(RateLimitRules.MeetingJoin, $"{meetingId:N}|g|{row.ParticipantId:N}", cancellationToken)) is { } personLimited)
            {
                return personLimited;
            }
        }

        if (Refused(meeting, row) is { } refused)
        {
            return refused;
        }

        var joinable = await meetings.EnsureJoinableAsync(meeting, cancellationToken);
        if (!joinable.Succeeded)
        {
            return joinable.Error!;
        }

        meeting = joinable.Value;
        var max = MaxParticipants(meeting, org);
        var maxGuests = MaxGuests(max);
        string? newToken = null;
        if (row is null)
        {
            // Only new guests count against the address throttle: a rejoin presents its guest token instead.
            var addressTask = limiter.AcquireAsync(RateLimitRules.GuestJoinAddress, $"{meetingId:N}|{clientAddress}", cancellationToken);
            var guestsTask = limiter.AcquireAsync(RateLimitRules.GuestJoin(maxGuests), meetingId.ToString("N"), cancellationToken);
            if ((Limited(await addressTask) ?? Limited(await guestsTask)) is { } guestLimited)
            {
                return guestLimited;
            }

            if (!JoinPresets.TryParseType(meeting.MeetingType, out var type))
            {
                throw new InvalidOperationException("Unknown meeting type " + meeting.MeetingType);
            }

            var participantId = Guid.CreateVersion7();
            row = new ParticipantEntity
            {
                PartitionKey = ParticipantKeys.Partition(orgId),
                RowKey = ParticipantKeys.Guest(meetingId, participantId),
                MeetingId = meetingId,
                ParticipantId = participantId,
                IsGuest = true,
                DisplayName = name,
                Email = email,
                Role = Role.Guest.ToWire(),
                PresetName = JoinPresets.ForGuest(type, access, meeting.WaitingRoomEnabled),
                FirstJoinedAt = now,
            };
            newToken = OpaqueToken.Create();
            tokenExpiresAt = now + GuestTokenLifetime;
        }

        var admitted = await AdmitAsync(meeting, row, max, maxGuests, cancellationToken);
        if (!admitted.Succeeded)
        {
            return admitted.Error!;
        }

        if (newToken is not null)
        {
            await store.AddGuestTokenAsync(new GuestTokenEntity
            {
                PartitionKey = OpaqueToken.Hash(newToken),
                OrgId = orgId,
                MeetingId = meetingId,
                ParticipantId = row.ParticipantId,
                ExpiresAt = tokenExpiresAt,
            }, cancellationToken);
        }

        var issued = await IssueAsync(org.RtkAppId, meeting, admitted.Value, now, cancellationToken);
        return issued.Succeeded
            ? new GuestJoinResult(issued.Value, meeting.RtkMeetingId!, admitted.Value.PresetName, admitted.Value.ParticipantId, Config(meeting, admitted.Value), newToken, tokenExpiresAt)
            : issued.Error!;
    }

    /// <summary>A participant who was removed never comes back; a locked meeting takes nobody new.</summary>
    private static Error? Refused(JoinMeeting meeting, ParticipantEntity? row)
    {
        if (row?.RemovedAt is not null)
        {
            return new Error(ErrorKind.Forbidden, JoinErrors.Removed, "You were removed from this meeting.");
        }

        return row is null && meeting.Locked
            ? new Error(ErrorKind.Forbidden, JoinErrors.Locked, "The meeting is locked: only people already in it may rejoin.")
            : null;
    }

    /// <summary>
    /// Counts the person in the current RTK meeting if they are not counted there yet (a new person, or a new
    /// occurrence), and stores a new participant. Refused with a 429 that names the full cap.
    /// </summary>
    private async Task<Outcome<ParticipantEntity>> AdmitAsync(JoinMeeting meeting, ParticipantEntity row, int max, int maxGuests, CancellationToken cancellationToken)
    {
        var rtkMeetingId = meeting.RtkMeetingId!;
        if (row.CountedRtkMeetingId == rtkMeetingId)
        {
            return row;
        }

        var admission = await counters.AdmitAsync(meeting.OrgId, meeting.Id, rtkMeetingId, row.IsGuest, max, maxGuests);
        if (!admission.Admitted)
        {
            var (cap, limit) = admission.FullCap == JoinErrors.GuestsPerMeeting ? ("guests_per_meeting", maxGuests) : ("participants_per_meeting", max);
            return new Error(ErrorKind.TooManyRequests, admission.FullCap!, $"The meeting is full: the {cap} cap is {limit}.");
        }

        row.CountedRtkMeetingId = rtkMeetingId;
        // Counted now: the end of an RTK session gives back only places counted before it (ParticipantPresence).
        row.LastJoinedAt = time.GetUtcNow();
        var stored = row.ETag == default ? await store.CreateAsync(row, cancellationToken) : await store.SaveAsync(row, cancellationToken);
        if (stored)
        {
            return row;
        }

        // The same person's other request (a double click) got there first and counted them itself.
        await counters.ReleaseAsync(meeting.OrgId, meeting.Id, rtkMeetingId, row.IsGuest);
        var current = await store.GetRowAsync(meeting.OrgId, row.RowKey, cancellationToken);
        return current is { CountedRtkMeetingId: not null } && current.CountedRtkMeetingId == rtkMeetingId
            ? current
            : new Error(ErrorKind.Conflict, JoinErrors.InProgress, "Another join of yours is in progress; try again.");
    }

    /// <summary>The RTK token for the participant: reused while it lives, else refreshed, else a new RTK participant.</summary>
    private async Task<Outcome<string>> IssueAsync(string appId, JoinMeeting meeting, ParticipantEntity row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rtkMeetingId = meeting.RtkMeetingId!;
        var rejoin = row.JoinCount > 0;
        string token, source;
        if (row.RtkMeetingId == rtkMeetingId && row.RtkParticipantId is not null
            && row.TokenReusableUntil > now && vault.Open(row.SealedToken, row.TokenBinding()) is { } stored)
        {
            token = stored;
            source = TokenSources.Reused;
        }
        else
        {
            try
            {
                (token, source) = await RtkTokenAsync(appId, rtkMeetingId, row, cancellationToken);
            }
            catch (RtkException e)
            {
                LogRtkFailed(logger, meeting.Id, e.Status is { } status ? (int)status : 0, e);
                return new Error(ErrorKind.Unavailable, JoinErrors.RtkUnavailable, "RealtimeKit could not add you to the meeting; try again.", RetryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(5));
            }

            row.RtkMeetingId = rtkMeetingId;
            row.SealedToken = vault.Seal(token, row.TokenBinding());
            row.TokenReusableUntil = ParticipantTokenVault.ReusableUntil(token, now);
        }

        row.LastJoinedAt = now;
        row.JoinCount++;
        var saved = source == TokenSources.Reused ? Task.CompletedTask : store.SaveAsync(row, cancellationToken);
        var logged = store.AddEventAsync(new ParticipantEventEntity
        {
            PartitionKey = row.PartitionKey,
            RowKey = ParticipantKeys.MeetingPrefix(row.MeetingId) + Guid.CreateVersion7().ToString("N"),
            MeetingId = row.MeetingId,
            ParticipantId = row.ParticipantId,
            UserId = row.UserId,
            IsGuest = row.IsGuest,
            EventType = rejoin ? ParticipantEvents.Rejoined : ParticipantEvents.Joined,
            PresetName = row.PresetName,
            RtkMeetingId = rtkMeetingId,
            RtkParticipantId = row.RtkParticipantId,
            TokenSource = source,
            At = now,
        }, cancellationToken);
        await Task.WhenAll(saved, logged);
        return token;
    }

    private async Task<(string Token, string Source)> RtkTokenAsync(string appId, string rtkMeetingId, ParticipantEntity row, CancellationToken cancellationToken)
    {
        if (row.RtkMeetingId == rtkMeetingId && row.RtkParticipantId is { } known)
        {
            try
            {
                return (await rtk.Participants.RefreshTokenAsync(appId, rtkMeetingId, known, cancellationToken), TokenSources.Refreshed);
            }
            catch (RtkException e) when (e.IsNotFound)
            {
                // Deleted in RTK: a new RTK participant below.
            }
        }

        var customId = row.ParticipantId.ToString("D");
        async Task<(string Token, string Source)> AddAsync()
        {
            var added = await rtk.Participants.AddAsync(appId, rtkMeetingId,
                new RtkAddParticipantRequest { CustomParticipantId = customId, PresetName = row.PresetName, Name = row.DisplayName }, cancellationToken);
            row.RtkParticipantId = added.Id;
            return (added.Token ?? throw new RtkException("RTK added a participant without a token.", null, null, isUnavailable: true), TokenSources.Added);
        }

        try
        {
            return await AddAsync();
        }
        catch (RtkException e) when (e.Status is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.NotFound)
        {
            // RTK may not know the preset (UNVERIFIED whether it answers 400 or 404): an app provisioned before a Castio
            // upgrade added it. Provision the app and add again; any other refusal stands.
            if (!await presets.EnsureAsync(appId, row.PresetName, cancellationToken))
            {
                throw;
            }

            return await AddAsync();
        }
        catch (RtkException e) when (e.Status is System.Net.HttpStatusCode.Conflict)
        {
            // An earlier attempt added this participant but did not live to store it: find it and refresh its token.
            if (await FindByCustomIdAsync(appId, rtkMeetingId, customId, cancellationToken) is not { } existing)
            {
                throw;
            }

            row.RtkParticipantId = existing.Id;
            return (await rtk.Participants.RefreshTokenAsync(appId, rtkMeetingId, existing.Id, cancellationToken), TokenSources.Refreshed);
        }
    }

    private async Task<RtkParticipant?> FindByCustomIdAsync(string appId, string rtkMeetingId, string customId, CancellationToken cancellationToken)
    {
        for (var pageNo = 1; pageNo <= 100; pageNo++)
        {
            var page = await rtk.Participants.ListAsync(appId, rtkMeetingId, new RtkPageRequest(pageNo, 100), cancellationToken);
            if (page.Items.FirstOrDefault(p => p.CustomParticipantId == customId) is { } found)
            {
                return found;
            }

            if (page.Items.Count < 100)
            {
                break;
            }
        }

        return null;
    }

    private static MeetingConfig Config(JoinMeeting meeting, ParticipantEntity row) => new(
        meeting.Title, meeting.MeetingType, meeting.WaitingRoomEnabled, meeting.TranscriptionEnabled, meeting.RecordingAutoStart,
        JoinPresets.HasWaitingRoom(row.PresetName), row.IsGuest);

    private static int MaxParticipants(JoinMeeting meeting, OrgEntity org) =>
        meeting.MaxParticipants > 0 ? meeting.MaxParticipants : org.MaxParticipantsPerMeeting;

    /// <summary>Guests may take half the places (at least one).</summary>
    public static int MaxGuests(int maxParticipants) => Math.Max(1, maxParticipants / 2);

    private static Error? Limited(RateLimitDecision decision) => decision.Allowed
        ? null
        : new Error(ErrorKind.TooManyRequests, JoinErrors.RateLimited, "Too many joins; try again shortly.", RetryAfter: decision.RetryAfter);

    private static Error NotFound() => new(ErrorKind.NotFound, JoinErrors.MeetingNotFound, "No such meeting.");

    [LoggerMessage(EventId = 5101, EventName = "JoinRtkFailed", Level = LogLevel.Warning, Message = "RTK call of a join to meeting {MeetingId} failed with status {Status}")]
    private static partial void LogRtkFailed(ILogger logger, Guid meetingId, int status, Exception exception);
}
