using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Orgs;

namespace Castio.Core.Users;

/// <summary>Users of an org and their e-mail index, always addressed by (org id, ...).</summary>
public sealed class UserStore(OrgTables tables)
{
    public const int MaxPageSize = 100;

    public async Task<UserEntity?> GetAsync(Guid orgId, Guid userId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        return (await tables.Orgs.GetEntityIfExistsAsync<UserEntity>(OrgKeys.Partition(orgId), OrgKeys.User(userId), cancellationToken: cancellationToken)).ValueOrNull();
    }

    public async Task<UserEntity?> FindByEmailAsync(Guid orgId, string normalizedEmail, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var index = (await tables.Orgs.GetEntityIfExistsAsync<EmailIndexEntity>(OrgKeys.Partition(orgId), OrgKeys.Email(normalizedEmail), cancellationToken: cancellationToken)).ValueOrNull();
        return index is not null && Guid.TryParse(index.UserId, out var userId)
            ? await GetAsync(orgId, userId, cancellationToken)
            : null;
    }

    /// <summary>One page in creation order (ids are time-ordered); <paramref name="after"/> is the last id seen.</summary>
    public async Task<(IReadOnlyList<UserEntity> Users, Guid? Next)> ListAsync(Guid orgId, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var from = after is { } a ? OrgKeys.User(a) : OrgKeys.UserPrefix;
        var end = OrgKeys.PrefixEnd(OrgKeys.UserPrefix);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {OrgKeys.Partition(orgId)} and RowKey gt {from} and RowKey lt {end}");
        var users = new List<UserEntity>(limit + 1);
        await foreach (var user in tables.Orgs.QueryAsync<UserEntity>(filter, maxPerPage: limit + 1, cancellationToken: cancellationToken))
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
        await tables.EnsureCreatedAsync(cancellationToken);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, EmailIndex(user)),
            new(TableTransactionActionType.Add, user),
        };
        actions.AddRange(alongside.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)));
        try
        {
            await tables.Orgs.SubmitTransactionAsync(actions, cancellationToken);
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
        var response = await tables.Orgs.UpdateEntityAsync(user, user.ETag, TableUpdateMode.Replace, cancellationToken);
        user.ETag = response.Headers.ETag ?? default;
        return user.ETag;
    }

    public static EmailIndexEntity EmailIndex(UserEntity user) => new()
    {
        PartitionKey = user.PartitionKey,
        RowKey = OrgKeys.Email(user.Email),
        UserId = user.Id.ToString("D"),
    };
}
