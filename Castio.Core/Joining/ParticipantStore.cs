using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Retention;
using Castio.Core.Storage;

namespace Castio.Core.Joining;

/// <summary>
/// The tables Joining owns: <c>participants</c> (participants, their index and counters, partition = org id),
/// <c>participantevents</c> (partition = org id) and <c>guesttokens</c> (partition = token hash).
/// </summary>
public sealed class ParticipantStore
{
    public const string ParticipantsTable = "participants";
    public const string EventsTable = "participantevents";
    public const string GuestTokensTable = "guesttokens";

    private readonly TableClient _participants;
    private readonly TableClient _events;
    private readonly TableClient _guestTokens;
    private readonly ExpiryStore _expiries;
    private readonly CreateOnce _created;

    // A join storm writes one org partition: participant rows and events are group-committed.
    private readonly TableBatcher _batcher = new();

    public ParticipantStore(TableServiceClient tables, ExpiryStore expiries, string namePrefix = "")
    {
        _participants = tables.GetTableClient(namePrefix + ParticipantsTable);
        _events = tables.GetTableClient(namePrefix + EventsTable);
        _guestTokens = tables.GetTableClient(namePrefix + GuestTokensTable);
        _expiries = expiries;
        _created = new CreateOnce(ct => Task.WhenAll(
            _participants.CreateIfNotExistsAsync(ct), _events.CreateIfNotExistsAsync(ct), _guestTokens.CreateIfNotExistsAsync(ct)));
    }

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => _created.EnsureAsync(cancellationToken);

    public async Task<ParticipantEntity?> GetRowAsync(Guid orgId, string rowKey, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var row = (await _participants.GetEntityIfExistsAsync<ParticipantEntity>(ParticipantKeys.Partition(orgId), rowKey, cancellationToken: cancellationToken)).ValueOrNull();
        if (row is not null)
        {
            Remember(orgId, row);
        }

        return row;
    }

    public Task<ParticipantEntity?> GetByUserAsync(Guid orgId, Guid meetingId, Guid userId, CancellationToken cancellationToken) =>
        GetRowAsync(orgId, ParticipantKeys.User(meetingId, userId), cancellationToken);

    /// <summary>A participant by its Castio participant id (member or guest); null if none in this meeting.</summary>
    public async Task<ParticipantEntity?> FindAsync(Guid orgId, Guid meetingId, Guid participantId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        string rowKey;
        if (_latest.TryGetValue((orgId, meetingId, participantId), out var known))
        {
            rowKey = known.RowKey;
        }
        else
        {
            var index = (await _participants.GetEntityIfExistsAsync<ParticipantIndexEntity>(
                ParticipantKeys.Partition(orgId), ParticipantKeys.Index(meetingId, participantId), cancellationToken: cancellationToken)).ValueOrNull();
            if (index is null)
            {
                return null;
            }

            rowKey = index.ParticipantRow;
        }

        return await GetRowAsync(orgId, rowKey, cancellationToken);
    }

    /// <summary>
    /// A copy of the participant's row as this process last read or wrote it, with that version's ETag; null if it has
    /// not seen it lately. It may be stale: only for a write under its ETag, which fails if anyone changed the row since.
    /// </summary>
    public ParticipantEntity? Latest(Guid orgId, Guid meetingId, Guid participantId) =>
        _latest.TryGetValue((orgId, meetingId, participantId), out var row) ? row.Copy() : null;

    /// <summary>Remembers the row as read or written (a copy: callers change theirs), which also tells where it is.</summary>
    private void Remember(Guid orgId, ParticipantEntity row)
    {
        if (_latest.Count >= MaxCachedRows)
        {
            _latest.Clear();
        }

        _latest[(orgId, row.MeetingId, row.ParticipantId)] = row.Copy();
    }

    // Participant id → the row's last version seen here. Its row key never changes once written (the index row is only
    // ever added), so a participant's join and leave webhooks read just their row, or write it straight away.
    private const int MaxCachedRows = 20_000;
    private readonly ConcurrentDictionary<(Guid Org, Guid Meeting, Guid Participant), ParticipantEntity> _latest = new();

    /// <summary>Every participant a meeting has had, members and guests; or only those holding a place in <paramref name="countedIn"/>.</summary>
    public async Task<IReadOnlyList<ParticipantEntity>> ListAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken, string? countedIn = null)
    {
        await _created.EnsureAsync(cancellationToken);
        var prefix = ParticipantKeys.MeetingPrefix(meetingId);
        var rows = new List<ParticipantEntity>();
        foreach (var kind in new[] { "g|", "u|" })
        {
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {ParticipantKeys.Partition(orgId)} and RowKey ge {prefix + kind} and RowKey lt {TableKeys.PrefixEnd(prefix + kind)}");
            if (countedIn is not null)
            {
                // Filtered by the service: a room's history of participants stays out of the answer.
                filter += " and " + TableClient.CreateQueryFilter($"CountedRtkMeetingId eq {countedIn}");
            }

            await foreach (var row in _participants.QueryAsync<ParticipantEntity>(filter, cancellationToken: cancellationToken))
            {
                rows.Add(row);
                Remember(orgId, row);
            }
        }

        return [.. rows.OrderBy(r => r.FirstJoinedAt)];
    }

    /// <summary>Adds the participant and its index in one transaction; false when the person already has a row.</summary>
    public async Task<bool> CreateAsync(ParticipantEntity participant, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var index = new ParticipantIndexEntity
        {
            PartitionKey = participant.PartitionKey,
            RowKey = ParticipantKeys.Index(participant.MeetingId, participant.ParticipantId),
            ParticipantRow = participant.RowKey,
        };
        try
        {
            var etags = await _batcher.SubmitGroupAsync(_participants,
                [new(TableTransactionActionType.Add, participant), new(TableTransactionActionType.Add, index)], cancellationToken: cancellationToken);
            participant.ETag = etags[0];
            Remember(participant.OrgId, participant);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Replaces the row if nobody changed it since it was read; false otherwise.</summary>
    public async Task<bool> SaveAsync(ParticipantEntity participant, CancellationToken cancellationToken)
    {
        try
        {
            participant.ETag = await _batcher.SubmitAsync(_participants, new TableTransactionAction(TableTransactionActionType.UpdateReplace, participant, participant.ETag), cancellationToken: cancellationToken);
            Remember(participant.OrgId, participant);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    public async Task<ParticipantCounterEntity?> GetCounterAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _participants.GetEntityIfExistsAsync<ParticipantCounterEntity>(partition, rowKey, cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>Writes counters under the ETag they were read with (insert when new); false when someone else wrote first.</summary>
    public async Task<bool> TryWriteCounterAsync(ParticipantCounterEntity counter, CancellationToken cancellationToken)
    {
        try
        {
            var response = counter.ETag == default
                ? await _participants.AddEntityAsync(counter, cancellationToken)
                : await _participants.UpdateEntityAsync(counter, counter.ETag, TableUpdateMode.Replace, cancellationToken);
            counter.ETag = response.Headers.ETag ?? default;
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 or 404)
        {
            return false;
        }
    }

    public async Task AddEventAsync(ParticipantEventEntity e, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _batcher.SubmitAsync(_events, new TableTransactionAction(TableTransactionActionType.Add, e), cancellationToken: cancellationToken);
    }

    /// <summary>A meeting's participant events, oldest first.</summary>
    public async Task<IReadOnlyList<ParticipantEventView>> ListEventsAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var prefix = ParticipantKeys.MeetingPrefix(meetingId);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {ParticipantKeys.Partition(orgId)} and RowKey ge {prefix} and RowKey lt {TableKeys.PrefixEnd(prefix)}");
        var events = new List<ParticipantEventView>();
        await foreach (var e in _events.QueryAsync<ParticipantEventEntity>(filter, cancellationToken: cancellationToken))
        {
            events.Add(new(e.ParticipantId, e.UserId, e.IsGuest, e.EventType, e.PresetName, e.RtkMeetingId, e.RtkParticipantId, e.TokenSource, e.At));
        }

        return events;
    }

    /// <summary>Files the guest token's expiry first, then its index row.</summary>
    public async Task AddGuestTokenAsync(GuestTokenEntity token, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _expiries.AddAsync(token.ExpiresAt, token.PartitionKey, [new(GuestTokensTable, token.PartitionKey, token.RowKey)], cancellationToken);
        await _guestTokens.AddEntityAsync(token, cancellationToken);
    }

    public async Task<GuestTokenEntity?> GetGuestTokenAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _guestTokens.GetEntityIfExistsAsync<GuestTokenEntity>(tokenHash, "", cancellationToken: cancellationToken)).ValueOrNull();
    }
}
