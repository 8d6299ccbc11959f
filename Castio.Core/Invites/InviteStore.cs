using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Storage;
using Castio.Core.Users;

namespace Castio.Core.Invites;

/// <summary>
/// Meeting invites, in the <c>meetinginvites</c> table partitioned by org. Each invite is three rows
/// written in one transaction: the meeting's row (unique per invitee), the invitee's inbox row and the
/// invite-id index. Listing a meeting's invites and "my invites" are both range reads of one partition.
/// </summary>
public sealed class InviteStore
{
    public const string InvitesTable = "meetinginvites";
    public const int MaxPageSize = 100;

    private readonly TableClient _table;
    private readonly CreateOnce _created;

    public InviteStore(TableServiceClient tables, string namePrefix = "")
    {
        _table = tables.GetTableClient(namePrefix + InvitesTable);
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
    }

    /// <summary>
    /// Whether the person is invited to the meeting, whatever their answer: a user by id, and by the
    /// e-mail they hold (someone invited by address before they had an account). Point reads only.
    /// </summary>
    public async Task<bool> IsInvitedAsync(Guid orgId, Guid meetingId, Guid? userId, string? email, CancellationToken cancellationToken)
    {
        var keys = new List<string>(2);
        if (userId is { } id)
        {
            keys.Add(Invitee.User(id).Key);
        }

        if (!string.IsNullOrWhiteSpace(email))
        {
            keys.Add(Invitee.ByEmail(EmailAddress.Normalize(email)).Key);
        }

        foreach (var key in keys)
        {
            if (await GetAsync(orgId, meetingId, key, cancellationToken) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a user is invited to the meeting by their id.</summary>
    public Task<bool> IsInvitedAsync(Guid orgId, Guid meetingId, Guid userId, CancellationToken cancellationToken) =>
        IsInvitedAsync(orgId, meetingId, userId, null, cancellationToken);

    /// <summary>Whether an e-mail address is invited to the meeting.</summary>
    public Task<bool> IsInvitedAsync(Guid orgId, Guid meetingId, string email, CancellationToken cancellationToken) =>
        IsInvitedAsync(orgId, meetingId, null, email, cancellationToken);

    /// <summary>The meeting's row of an invite, by invitee key (<see cref="Invitee.Key"/>).</summary>
    public async Task<InviteEntity?> GetAsync(Guid orgId, Guid meetingId, string inviteeKey, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _table.GetEntityIfExistsAsync<InviteEntity>(OrgKeys.Partition(orgId), InviteKeys.Meeting(meetingId, inviteeKey), cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>The meeting's row of an invite, by invite id; null when the org has no such invite.</summary>
    public async Task<InviteEntity?> FindAsync(Guid orgId, Guid inviteId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var partition = OrgKeys.Partition(orgId);
        var index = (await _table.GetEntityIfExistsAsync<InviteIdEntity>(partition, InviteKeys.Id(inviteId), cancellationToken: cancellationToken)).ValueOrNull();
        return index is null
            ? null
            : (await _table.GetEntityIfExistsAsync<InviteEntity>(partition, index.MeetingRowKey, cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>
    /// Adds the invite (meeting row, inbox row, id index) in one transaction. False when the invitee is
    /// already invited to the meeting; nothing is written then.
    /// </summary>
    public async Task<bool> AddAsync(InviteEntity invite, string inviteeKey, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var meetingId = Guid.Parse(invite.MeetingId);
        invite.RowKey = InviteKeys.Meeting(meetingId, inviteeKey);
        var inbox = invite.CopyAs(InviteKeys.Inbox(inviteeKey, invite.Id));
        var index = new InviteIdEntity
        {
            PartitionKey = invite.PartitionKey,
            RowKey = InviteKeys.Id(invite.Id),
            MeetingRowKey = invite.RowKey,
            InboxRowKey = inbox.RowKey,
        };
        try
        {
            var response = await _table.SubmitTransactionAsync(
                [
                    new(TableTransactionActionType.Add, invite),
                    new(TableTransactionActionType.Add, inbox),
                    new(TableTransactionActionType.Add, index),
                ],
                cancellationToken);
            invite.ETag = response.Value[0].Headers.ETag ?? default;
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status == 409 && e.FailedTransactionActionIndex is 0 or null)
        {
            return false;
        }
    }

    /// <summary>
    /// Saves an answer on both rows of the invite, if nobody changed the meeting's row since it was read;
    /// a <see cref="RequestFailedException"/> with status 412 otherwise.
    /// </summary>
    public async Task UpdateRsvpAsync(InviteEntity invite, string inviteeKey, CancellationToken cancellationToken)
    {
        var inbox = invite.CopyAs(InviteKeys.Inbox(inviteeKey, invite.Id));
        await _table.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.UpdateReplace, invite, invite.ETag),
                new(TableTransactionActionType.UpsertReplace, inbox),
            ],
            cancellationToken);
    }

    /// <summary>One page of a meeting's invites in invitee-key order; <paramref name="after"/> is the last key seen.</summary>
    public async Task<(IReadOnlyList<InviteEntity> Invites, string? Next)> ListForMeetingAsync(Guid orgId, Guid meetingId, string? after, int limit, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var prefix = InviteKeys.MeetingRows(meetingId);
        var page = await RangeAsync(orgId, prefix, after is null ? prefix : prefix + after, inclusive: after is null, limit, cancellationToken);
        return page.Count > limit
            ? (page[..limit], page[limit - 1].RowKey[prefix.Length..])
            : (page, null);
    }

    /// <summary>
    /// One page of a person's invites, oldest first, merged from their user inbox and their e-mail inbox;
    /// <paramref name="after"/> is the last invite id seen. Two range reads of one partition.
    /// </summary>
    public async Task<(IReadOnlyList<InviteEntity> Invites, Guid? Next)> ListForInviteeAsync(Guid orgId, IReadOnlyList<string> inviteeKeys, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var reads = inviteeKeys.Select(key =>
        {
            var prefix = InviteKeys.InboxRows(key);
            return RangeAsync(orgId, prefix, after is { } a ? prefix + a.ToString("N") : prefix, inclusive: after is null, limit, cancellationToken);
        });
        var merged = (await Task.WhenAll(reads)).SelectMany(p => p).OrderBy(i => i.Id.ToString("N"), StringComparer.Ordinal).ToList();
        return merged.Count > limit
            ? (merged[..limit], merged[limit - 1].Id)
            : (merged, null);
    }

    /// <summary>Up to <paramref name="limit"/> + 1 rows of one prefix, from <paramref name="from"/>.</summary>
    private async Task<List<InviteEntity>> RangeAsync(Guid orgId, string prefix, string from, bool inclusive, int limit, CancellationToken cancellationToken)
    {
        var end = TableKeys.PrefixEnd(prefix);
        var partition = OrgKeys.Partition(orgId);
        var filter = inclusive
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {end}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {from} and RowKey lt {end}");
        var rows = new List<InviteEntity>(limit + 1);
        await foreach (var row in _table.QueryAsync<InviteEntity>(filter, maxPerPage: limit + 1, cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count > limit)
            {
                break;
            }
        }

        return rows;
    }
}
