using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Storage;

namespace Castio.Core.Users;

/// <summary>
/// Users of an org, their e-mail index and their invites, always addressed by (org id, ...). They live
/// in their org's partition of the <c>orgs</c> table (<see cref="OrgStore.OrgsTable"/>), so a user and
/// its index commit in one transaction.
/// </summary>
public sealed class UserStore
{
    public const int MaxPageSize = 100;

    private readonly TableClient _orgs;
    private readonly CreateOnce _created;

    public UserStore(TableServiceClient tables, string namePrefix = "")
    {
        _orgs = tables.GetTableClient(namePrefix + OrgStore.OrgsTable);
        _created = new CreateOnce(ct => _orgs.CreateIfNotExistsAsync(ct));
    }

    public async Task<UserEntity?> GetAsync(Guid orgId, Guid userId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _orgs.GetEntityIfExistsAsync<UserEntity>(OrgKeys.Partition(orgId), UserKeys.User(userId), cancellationToken: cancellationToken)).ValueOrNull();
    }

    public async Task<UserEntity?> FindByEmailAsync(Guid orgId, string normalizedEmail, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var index = (await _orgs.GetEntityIfExistsAsync<EmailIndexEntity>(OrgKeys.Partition(orgId), UserKeys.Email(normalizedEmail), cancellationToken: cancellationToken)).ValueOrNull();
        return index is not null && Guid.TryParse(index.UserId, out var userId)
            ? await GetAsync(orgId, userId, cancellationToken)
            : null;
    }

    /// <summary>One page in creation order (ids are time-ordered); <paramref name="after"/> is the last id seen.</summary>
    public async Task<(IReadOnlyList<UserEntity> Users, Guid? Next)> ListAsync(Guid orgId, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var from = after is { } a ? UserKeys.User(a) : UserKeys.UserPrefix;
        var end = TableKeys.PrefixEnd(UserKeys.UserPrefix);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {OrgKeys.Partition(orgId)} and RowKey gt {from} and RowKey lt {end}");
        var users = new List<UserEntity>(limit + 1);
        await foreach (var user in _orgs.QueryAsync<UserEntity>(filter, maxPerPage: limit + 1, cancellationToken: cancellationToken))
        {
            users.Add(user);
            if (users.Count > limit)
            {
                break;
            }
        }

        if (users.Count > limit)
        {
            users.RemoveAt(limit);
            return (users, users[^1].Id);
        }

        return (users, null);
    }

    /// <summary>
    /// Adds a user with its e-mail index (and any rows that belong with it, such as an invite) in
    /// one transaction. False when the e-mail is already taken in the org; nothing is written then.
    /// </summary>
    public async Task<bool> AddAsync(UserEntity user, IEnumerable<ITableEntity> alongside, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, EmailIndex(user)),
            new(TableTransactionActionType.Add, user),
        };
        actions.AddRange(alongside.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)));
        try
        {
            await _orgs.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status == 409 && e.FailedTransactionActionIndex is 0 or null)
        {
            return false;
        }
    }

    /// <summary>Replaces the user if nobody changed it since it was read; 412 otherwise.</summary>
    public async Task<ETag> UpdateAsync(UserEntity user, CancellationToken cancellationToken)
    {
        var response = await _orgs.UpdateEntityAsync(user, user.ETag, TableUpdateMode.Replace, cancellationToken);
        user.ETag = response.Headers.ETag ?? default;
        return user.ETag;
    }

    /// <summary>A one-time invite, or null.</summary>
    public async Task<InviteEntity?> GetInviteAsync(Guid orgId, string tokenHash, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _orgs.GetEntityIfExistsAsync<InviteEntity>(OrgKeys.Partition(orgId), UserKeys.Invite(tokenHash), cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>Saves an accepted invite and its user together, if neither changed since they were read; 412 or 404 otherwise.</summary>
    public async Task AcceptInviteAsync(UserEntity user, InviteEntity invite, CancellationToken cancellationToken)
    {
        await _orgs.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.UpdateReplace, user, user.ETag),
                new(TableTransactionActionType.UpdateReplace, invite, invite.ETag),
            ],
            cancellationToken);
    }

    /// <summary>A new user's rows, as <see cref="OrgStore.CreateAsync"/> writes them beside a new org.</summary>
    public static IReadOnlyList<ITableEntity> Rows(UserEntity user) => [user, EmailIndex(user)];

    public static EmailIndexEntity EmailIndex(UserEntity user) => new()
    {
        PartitionKey = user.PartitionKey,
        RowKey = UserKeys.Email(user.Email),
        UserId = user.Id.ToString("D"),
    };
}
