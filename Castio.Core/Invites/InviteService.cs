using System.Text.RegularExpressions;
using Azure;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Meetings;
using Castio.Core.Orgs;
using Castio.Core.Users;

namespace Castio.Core.Invites;

/// <summary>
/// Invites to a meeting and the invitees' answers. The meeting's host, owners and admins invite and see
/// who is invited; an invitee answers their own invite and lists their own. Everything is read in the
/// caller's org partition, so another org's meeting or invite is simply not found.
/// </summary>
public sealed partial class InviteService(InviteStore invites, MeetingStore meetings, UserStore users, TimeProvider time)
{
    /// <summary>People per invite request; a bigger audience is several requests.</summary>
    public const int MaxPerRequest = 100;

    private const int MaxAttempts = 3;
    private const int ParallelWrites = 8;

    private static readonly Error MeetingNotFound = new(ErrorKind.NotFound, MeetingErrors.NotFound, "Meeting not found.");
    private static readonly Error InviteNotFound = new(ErrorKind.NotFound, InviteErrors.NotFound, "Invite not found.");
    private static readonly Error NotManager = new(ErrorKind.Forbidden, InviteErrors.Forbidden, "Only the meeting's host, owners and admins manage its invites.");
    private static readonly Error Closed = new(ErrorKind.Conflict, InviteErrors.MeetingClosed, "The meeting has ended or was cancelled.");

    /// <summary>
    /// Whether the caller is invited to the meeting, whatever their answer: by user id, or by the e-mail they hold
    /// (the join flow's rule). Meetings asks it through a predicate, so an invited member may read an invite-only meeting.
    /// </summary>
    public async Task<bool> IsInvitedAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(caller.OrgId, caller.UserId, cancellationToken);
        return await invites.IsInvitedAsync(caller.OrgId, meetingId, caller.UserId, user?.Email, cancellationToken);
    }

    public async Task<Outcome<InviteBatch>> InviteAsync(CurrentUser caller, Guid meetingId, InviteCommand command, CancellationToken cancellationToken)
    {
        var userIds = new List<(Guid Id, string Field)>();
        var emails = new List<(string Email, string Field)>();
        var errors = new FieldErrors();
        var count = (command.UserIds?.Count ?? 0) + (command.Emails?.Count ?? 0);
        if (count == 0)
        {
            errors.Add("userIds", "Give userIds or emails (or both).");
        }
        else if (count > MaxPerRequest)
        {
            errors.Add(command.UserIds is { Count: > 0 } ? "userIds" : "emails", $"At most {MaxPerRequest} people per request (userIds and emails together).");
        }
        else
        {
            for (var i = 0; i < (command.UserIds?.Count ?? 0); i++)
            {
                if (Guid.TryParse(command.UserIds![i], out var id))
                {
                    userIds.Add((id, $"userIds[{i}]"));
                }
                else
                {
                    errors.Add($"userIds[{i}]", "Must be a user id.");
                }
            }

            for (var i = 0; i < (command.Emails?.Count ?? 0); i++)
            {
                var email = EmailAddress.Normalize(command.Emails![i]);
                if (EmailAddress.Check(email) is { } problem)
                {
                    errors.Add($"emails[{i}]", problem);
                }
                else
                {
                    emails.Add((email, $"emails[{i}]"));
                }
            }
        }

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

        if (IsClosed(meeting))
        {
            return Closed;
        }

        // Who each entry is: users must be in this org; an e-mail a user of the org holds invites that user.
        var invitees = new Dictionary<string, Invitee>(StringComparer.Ordinal);
        var found = await Task.WhenAll(userIds.Select(async u => (u.Id, u.Field, User: await users.GetAsync(caller.OrgId, u.Id, cancellationToken))));
        foreach (var (id, field, user) in found)
        {
            if (user is null || user.Status == UserEntity.Deactivated)
            {
                errors.Add(field, "No such user in this organization.");
                continue;
            }

            invitees.TryAdd(Invitee.User(id).Key, Invitee.User(id, user.Email));
        }

        var holders = await Task.WhenAll(emails.Select(async e => (e.Email, User: await users.FindByEmailAsync(caller.OrgId, e.Email, cancellationToken))));
        foreach (var (email, user) in holders)
        {
            var invitee = user is { Status: not UserEntity.Deactivated } ? Invitee.User(user.Id, email) : Invitee.ByEmail(email);
            invitees.TryAdd(invitee.Key, invitee);
        }

        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        var now = time.GetUtcNow();
        var added = new List<InviteView>();
        var existing = new List<InviteView>();
        var gate = new Lock();
        await Parallel.ForEachAsync(
            invitees,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelWrites, CancellationToken = cancellationToken },
            async (pair, ct) =>
            {
                var (key, invitee) = pair;
                var invite = new InviteEntity
                {
                    PartitionKey = OrgKeys.Partition(caller.OrgId),
                    InviteId = Guid.CreateVersion7(now).ToString("D"),
                    MeetingId = meetingId.ToString("D"),
                    UserId = invitee.UserId?.ToString("D"),
                    Email = invitee.Email,
                    InvitedBy = caller.UserId.ToString("D"),
                    CreatedAt = now,
                };
                if (await invites.AddAsync(invite, key, ct))
                {
                    lock (gate)
                    {
                        added.Add(InviteView.From(invite));
                    }
                }
                else if (await invites.GetAsync(caller.OrgId, meetingId, key, ct) is { } old)
                {
                    lock (gate)
                    {
                        existing.Add(InviteView.From(old));
                    }
                }
            });

        return new InviteBatch([.. added.OrderBy(i => i.Id)], [.. existing.OrderBy(i => i.Id)]);
    }

    public async Task<Outcome<InvitePage>> ListAsync(CurrentUser caller, Guid meetingId, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Check(cursor, InviteeCursor().IsMatch, limit, InviteStore.MaxPageSize);

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

        var (page, next) = await invites.ListForMeetingAsync(caller.OrgId, meetingId, string.IsNullOrEmpty(cursor) ? null : cursor, limit ?? 50, cancellationToken);
        return new InvitePage([.. page.Select(InviteView.From)], next);
    }

    /// <summary>The invitee answers. Someone else's invite reads as not found, as a missing one does.</summary>
    public async Task<Outcome<InviteView>> RsvpAsync(CurrentUser caller, Guid inviteId, string? response, CancellationToken cancellationToken)
    {
        if (response is null || !RsvpStatus.Answers.Contains(response))
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, new FieldErrors().Add("response", "Response must be one of: accepted, declined, tentative."));
        }

        var me = await users.GetAsync(caller.OrgId, caller.UserId, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var invite = await invites.FindAsync(caller.OrgId, inviteId, cancellationToken);
            if (invite is null || me is null || !IsFor(invite, me))
            {
                return InviteNotFound;
            }

            var meeting = await meetings.GetAsync(caller.OrgId, Guid.Parse(invite.MeetingId), cancellationToken);
            if (meeting is null)
            {
                return InviteNotFound;
            }

            if (IsClosed(meeting))
            {
                return Closed;
            }

            invite.Rsvp = response;
            invite.RespondedAt = time.GetUtcNow();
            try
            {
                await invites.UpdateRsvpAsync(invite, invite.RowKey[InviteKeys.MeetingRows(meeting.Id).Length..], cancellationToken);
                return InviteView.From(invite);
            }
            catch (RequestFailedException e) when (e.Status is 412 && attempt < MaxAttempts)
            {
                // Answered twice at once: read again and apply this answer on top.
            }
            catch (RequestFailedException e) when (e.Status is 412)
            {
                return new Error(ErrorKind.Conflict, InviteErrors.Concurrent, "The invite is being answered elsewhere; try again.");
            }
        }
    }

    /// <summary>The caller's invites, by their user id and by their e-mail, oldest first, with the meetings they are for.</summary>
    public async Task<Outcome<MyInvitePage>> ListMineAsync(CurrentUser caller, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var after = errors.CheckIdCursor(cursor, limit, InviteStore.MaxPageSize);

        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        var me = await users.GetAsync(caller.OrgId, caller.UserId, cancellationToken);
        if (me is null)
        {
            return new MyInvitePage([], null);
        }

        var (page, next) = await invites.ListForInviteeAsync(
            caller.OrgId, [Invitee.User(me.Id).Key, Invitee.ByEmail(me.Email).Key], after, limit ?? 50, cancellationToken);
        var meetingIds = page.Select(i => Guid.Parse(i.MeetingId)).Distinct().ToList();
        var found = await Task.WhenAll(meetingIds.Select(id => meetings.GetAsync(caller.OrgId, id, cancellationToken)));
        var byId = found.OfType<MeetingEntity>().ToDictionary(m => m.Id);
        return new MyInvitePage(
            [.. page.Select(i => new MyInvite(InviteView.From(i), byId.TryGetValue(Guid.Parse(i.MeetingId), out var m) ? Summary(m) : null))],
            next?.ToString("N"));
    }

    private static bool IsClosed(MeetingEntity meeting) => meeting.Status is MeetingStatus.Ended or MeetingStatus.Cancelled;

    private static bool IsFor(InviteEntity invite, UserEntity me) =>
        invite.UserId == me.Id.ToString("D") || (invite.UserId is null && invite.Email == me.Email);

    private static InvitedMeeting Summary(MeetingEntity m) =>
        new(m.Id, m.Title, m.Status, m.MeetingType, m.ScheduledStart, m.ScheduledEnd, m.Timezone);

    [GeneratedRegex("^(u:[0-9a-f]{32}|e:[0-9a-f]{64})$")]
    private static partial Regex InviteeCursor();
}
