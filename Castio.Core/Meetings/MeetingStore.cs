using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Storage;

namespace Castio.Core.Meetings;

/// <summary>
/// Meetings and their indexes, in the tables Meetings owns:
/// <list type="bullet">
/// <item><c>meetings</c>: partition = org id; meeting rows, the slug/vanity-slug index and the active-meetings counter,
/// so a meeting and its index rows (or its counter) commit in one transaction.</item>
/// <item><c>meetingrtk</c>: partition = RTK meeting id; who owns that RTK meeting.</item>
/// <item><c>meetingintents</c>: partition = UTC hour; RTK creations in flight (see <see cref="MeetingIntentEntity"/>).</item>
/// <item><c>meetingorgs</c>: partition = meeting id; its org, for callers that know only the meeting id (anonymous guest joins).</item>
/// </list>
/// </summary>
public sealed class MeetingStore
{
    public const string MeetingsTable = "meetings";
    public const string RtkIndexTable = "meetingrtk";
    public const string IntentsTable = "meetingintents";
    public const string OrgIndexTable = "meetingorgs";
    public const int MaxPageSize = 100;

    private readonly TableClient _meetings;
    private readonly TableClient _rtk;
    private readonly TableClient _intents;
    private readonly TableClient _orgIndex;
    private readonly CreateOnce _created;

    public MeetingStore(TableServiceClient tables, string namePrefix = "")
    {
        _meetings = tables.GetTableClient(namePrefix + MeetingsTable);
        _rtk = tables.GetTableClient(namePrefix + RtkIndexTable);
        _intents = tables.GetTableClient(namePrefix + IntentsTable);
        _orgIndex = tables.GetTableClient(namePrefix + OrgIndexTable);
        _created = new CreateOnce(ct => Task.WhenAll(
            _meetings.CreateIfNotExistsAsync(ct),
            _orgIndex.CreateIfNotExistsAsync(ct),
            _rtk.CreateIfNotExistsAsync(ct),
            _intents.CreateIfNotExistsAsync(ct)));
    }

    public async Task<MeetingEntity?> GetAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _meetings.GetEntityIfExistsAsync<MeetingEntity>(MeetingKeys.Partition(orgId), MeetingKeys.Meeting(meetingId), cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>The meeting behind a join-link slug (meeting slug or vanity slug) in the org, or null.</summary>
    public async Task<MeetingEntity?> FindBySlugAsync(Guid orgId, string slug, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var index = (await _meetings.GetEntityIfExistsAsync<MeetingSlugEntity>(MeetingKeys.Partition(orgId), MeetingKeys.Slug(slug), cancellationToken: cancellationToken)).ValueOrNull();
        return index is not null && Guid.TryParse(index.MeetingId, out var id) ? await GetAsync(orgId, id, cancellationToken) : null;
    }

    /// <summary>
    /// The org of a meeting known only by its id (an anonymous guest join), or null. Look the meeting up
    /// with <see cref="GetAsync"/> afterwards: the index row is written first, so it may name a meeting
    /// whose creation failed.
    /// </summary>
    public async Task<Guid?> FindOrgAsync(Guid meetingId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var row = (await _orgIndex.GetEntityIfExistsAsync<TableEntity>(meetingId.ToString("D"), MeetingKeys.Org, ["OrgId"], cancellationToken)).ValueOrNull();
        return row is not null && Guid.TryParse(row.GetString("OrgId"), out var orgId) ? orgId : null;
    }

    /// <summary>
    /// Adds the meeting with its slug index rows in one transaction. Returns the slug that was already
    /// taken (nothing is written then), or null on success.
    /// </summary>
    public async Task<string?> AddAsync(MeetingEntity meeting, IReadOnlyList<string> slugs, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        // The meeting id → org row first (another partition): a failure below leaves only a harmless pointer.
        await _orgIndex.UpsertEntityAsync(
            new TableEntity(meeting.Id.ToString("D"), MeetingKeys.Org) { ["OrgId"] = meeting.PartitionKey },
            TableUpdateMode.Replace, cancellationToken);
        var actions = slugs
            .Select(s => new TableTransactionAction(TableTransactionActionType.Add, new MeetingSlugEntity
            {
                PartitionKey = meeting.PartitionKey,
                RowKey = MeetingKeys.Slug(s),
                MeetingId = meeting.Id.ToString("D"),
            }))
            .Append(new TableTransactionAction(TableTransactionActionType.Add, meeting))
            .ToList();
        try
        {
            var response = await _meetings.SubmitTransactionAsync(actions, cancellationToken);
            meeting.ETag = response.Value[^1].Headers.ETag ?? default;
            return null;
        }
        catch (TableTransactionFailedException e) when (e.Status == 409 && e.FailedTransactionActionIndex is { } i && i < slugs.Count)
        {
            return slugs[i];
        }
    }

    /// <summary>Adds and removes slug index rows beside a meeting update (vanity slug changes), all or nothing.</summary>
    public async Task<bool> UpdateWithSlugsAsync(MeetingEntity meeting, string? addSlug, string? removeSlug, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, meeting, meeting.ETag) };
        if (addSlug is not null)
        {
            actions.Add(new(TableTransactionActionType.Add, new MeetingSlugEntity
            {
                PartitionKey = meeting.PartitionKey,
                RowKey = MeetingKeys.Slug(addSlug),
                MeetingId = meeting.Id.ToString("D"),
            }));
        }

        if (removeSlug is not null)
        {
            actions.Add(new(TableTransactionActionType.Delete, new TableEntity(meeting.PartitionKey, MeetingKeys.Slug(removeSlug)), ETag.All));
        }

        try
        {
            var response = await _meetings.SubmitTransactionAsync(actions, cancellationToken);
            meeting.ETag = response.Value[0].Headers.ETag ?? default;
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status == 409 && e.FailedTransactionActionIndex == 1)
        {
            return false;
        }
    }

    /// <summary>Replaces the meeting if nobody changed it since it was read; 412 otherwise.</summary>
    public async Task UpdateAsync(MeetingEntity meeting, CancellationToken cancellationToken)
    {
        var response = await _meetings.UpdateEntityAsync(meeting, meeting.ETag, TableUpdateMode.Replace, cancellationToken);
        meeting.ETag = response.Headers.ETag ?? default;
    }

    /// <summary>The org's active-meetings counter (a fresh, unsaved one when there is none yet).</summary>
    public async Task<ActiveMeetingsEntity> GetActiveCountAsync(Guid orgId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _meetings.GetEntityIfExistsAsync<ActiveMeetingsEntity>(MeetingKeys.Partition(orgId), MeetingKeys.ActiveCount, cancellationToken: cancellationToken)).ValueOrNull()
            ?? new ActiveMeetingsEntity { PartitionKey = MeetingKeys.Partition(orgId) };
    }

    /// <summary>
    /// Saves the meeting and the org's counter together, each only if unchanged since read (a counter never
    /// saved is added). Throws <see cref="TableTransactionFailedException"/> (412/409) when either moved.
    /// </summary>
    public async Task UpdateWithCounterAsync(MeetingEntity meeting, ActiveMeetingsEntity counter, CancellationToken cancellationToken)
    {
        var counterAction = counter.ETag == default
            ? new TableTransactionAction(TableTransactionActionType.Add, counter)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, counter, counter.ETag);
        var response = await _meetings.SubmitTransactionAsync(
            [new(TableTransactionActionType.UpdateReplace, meeting, meeting.ETag), counterAction], cancellationToken);
        meeting.ETag = response.Value[0].Headers.ETag ?? default;
        counter.ETag = response.Value[1].Headers.ETag ?? default;
    }

    /// <summary>Whether the occurrence holds one of the org's concurrent-meeting slots.</summary>
    public async Task<bool> HoldsOccurrenceSlotAsync(Guid orgId, Guid occurrenceId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _meetings.GetEntityIfExistsAsync<OccurrenceSlotEntity>(MeetingKeys.Partition(orgId), MeetingKeys.OccurrenceSlot(occurrenceId), cancellationToken: cancellationToken)).HasValue;
    }

    /// <summary>
    /// Adds the occurrence's slot row with the counter (already moved by the caller), both or neither. Throws
    /// <see cref="TableTransactionFailedException"/>: index 0 (409) when the slot is already held, index 1 when the counter moved.
    /// </summary>
    public async Task AddOccurrenceSlotAsync(OccurrenceSlotEntity slot, ActiveMeetingsEntity counter, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var response = await _meetings.SubmitTransactionAsync([new(TableTransactionActionType.Add, slot), CounterAction(counter)], cancellationToken);
        counter.ETag = response.Value[1].Headers.ETag ?? default;
    }

    /// <summary>
    /// Deletes the occurrence's slot row with the counter (already moved by the caller), both or neither. Throws
    /// <see cref="TableTransactionFailedException"/>: index 0 (404) when the slot is not held, index 1 when the counter moved.
    /// </summary>
    public async Task RemoveOccurrenceSlotAsync(Guid orgId, Guid occurrenceId, ActiveMeetingsEntity counter, CancellationToken cancellationToken)
    {
        var slot = new TableEntity(MeetingKeys.Partition(orgId), MeetingKeys.OccurrenceSlot(occurrenceId));
        var response = await _meetings.SubmitTransactionAsync([new(TableTransactionActionType.Delete, slot, ETag.All), CounterAction(counter)], cancellationToken);
        counter.ETag = response.Value[1].Headers.ETag ?? default;
    }

    private static TableTransactionAction CounterAction(ActiveMeetingsEntity counter) => counter.ETag == default
        ? new TableTransactionAction(TableTransactionActionType.Add, counter)
        : new TableTransactionAction(TableTransactionActionType.UpdateReplace, counter, counter.ETag);

    /// <summary>
    /// One page of the org's meetings in creation order (ids are time-ordered), filtered server-side;
    /// <paramref name="after"/> is the last id seen.
    /// </summary>
    public async Task<(IReadOnlyList<MeetingEntity> Meetings, Guid? Next)> ListAsync(
        Guid orgId, MeetingFilter filter, bool orgOpenOnly, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var from = after is { } a ? MeetingKeys.Meeting(a) : MeetingKeys.MeetingPrefix;
        var end = TableKeys.PrefixEnd(MeetingKeys.MeetingPrefix);
        var query = TableClient.CreateQueryFilter($"PartitionKey eq {MeetingKeys.Partition(orgId)} and RowKey gt {from} and RowKey lt {end}");
        if (filter.Status is { } status)
        {
            query += " and " + TableClient.CreateQueryFilter($"Status eq {status}");
        }

        if (filter.MeetingType is { } type)
        {
            query += " and " + TableClient.CreateQueryFilter($"MeetingType eq {type}");
        }

        if (filter.SchedulingType is { } scheduling)
        {
            query += " and " + TableClient.CreateQueryFilter($"SchedulingType eq {scheduling}");
        }

        if (orgOpenOnly)
        {
            query += " and " + TableClient.CreateQueryFilter($"MemberAccess eq {MemberAccess.Org}");
        }

        var meetings = new List<MeetingEntity>(limit + 1);
        await foreach (var meeting in _meetings.QueryAsync<MeetingEntity>(query, maxPerPage: limit + 1, cancellationToken: cancellationToken))
        {
            meetings.Add(meeting);
            if (meetings.Count > limit)
            {
                break;
            }
        }

        if (meetings.Count > limit)
        {
            meetings.RemoveAt(limit);
            return (meetings, meetings[^1].Id);
        }

        return (meetings, null);
    }

    // ---- RTK meeting id index

    /// <summary>Who owns an RTK meeting (a meeting, or one occurrence of a series), or null for an id Castio does not know.</summary>
    public async Task<RtkMeetingOwner?> FindByRtkMeetingIdAsync(string rtkMeetingId, CancellationToken cancellationToken)
    {
        var row = await GetRtkIndexAsync(rtkMeetingId, cancellationToken);
        return row is not null && Guid.TryParse(row.OrgId, out var orgId) && Guid.TryParse(row.MeetingId, out var meetingId)
            ? new RtkMeetingOwner(orgId, meetingId, Guid.TryParse(row.OccurrenceId, out var occurrenceId) ? occurrenceId : null)
            : null;
    }

    public async Task<RtkMeetingIndexEntity?> GetRtkIndexAsync(string rtkMeetingId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return string.IsNullOrEmpty(rtkMeetingId) || rtkMeetingId.AsSpan().ContainsAny("/\\#?")
            ? null
            : (await _rtk.GetEntityIfExistsAsync<RtkMeetingIndexEntity>(rtkMeetingId, MeetingKeys.Rtk, cancellationToken: cancellationToken)).ValueOrNull();
    }

    public async Task PutRtkIndexAsync(string rtkMeetingId, RtkMeetingOwner owner, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _rtk.UpsertEntityAsync(new RtkMeetingIndexEntity
        {
            PartitionKey = rtkMeetingId,
            OrgId = owner.OrgId.ToString("D"),
            MeetingId = owner.MeetingId.ToString("D"),
            OccurrenceId = owner.OccurrenceId?.ToString("D"),
        }, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task DeleteRtkIndexAsync(string rtkMeetingId, CancellationToken cancellationToken) =>
        await _rtk.DeleteEntityAsync(rtkMeetingId, MeetingKeys.Rtk, ETag.All, cancellationToken);

    // ---- Intents

    public async Task AddIntentAsync(MeetingIntentEntity intent, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var response = await _intents.AddEntityAsync(intent, cancellationToken);
        intent.ETag = response.Headers.ETag ?? default;
    }

    public async Task SaveIntentAsync(MeetingIntentEntity intent, CancellationToken cancellationToken)
    {
        var response = await _intents.UpsertEntityAsync(intent, TableUpdateMode.Replace, cancellationToken);
        intent.ETag = response.Headers.ETag ?? default;
    }

    public async Task DeleteIntentAsync(MeetingIntentEntity intent, CancellationToken cancellationToken)
    {
        try
        {
            await _intents.DeleteEntityAsync(intent.PartitionKey, intent.RowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>The intents filed in one hour bucket.</summary>
    public async Task<IReadOnlyList<MeetingIntentEntity>> ListIntentsAsync(string bucket, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var rows = new List<MeetingIntentEntity>();
        await foreach (var row in _intents.QueryAsync<MeetingIntentEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {bucket}"), cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }
}
