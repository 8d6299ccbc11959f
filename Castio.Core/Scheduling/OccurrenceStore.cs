using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Storage;

namespace Castio.Core.Scheduling;

/// <summary>
/// The <c>schedules</c> table, partitioned by org id: series rows, materialized occurrences, the
/// occurrence-id index and the agenda (see <see cref="ScheduleKeys"/>). Every read is keyed by the
/// caller's org, so another org's occurrence id simply is not there.
/// </summary>
public sealed class OccurrenceStore
{
    public const string Table = "schedules";

    private readonly TableClient _table;
    private readonly CreateOnce _created;

    public OccurrenceStore(TableServiceClient tables, string namePrefix = "")
    {
        _table = tables.GetTableClient(namePrefix + Table);
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
    }

    public async Task<SeriesEntity?> GetSeriesAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _table.GetEntityIfExistsAsync<SeriesEntity>(ScheduleKeys.Partition(orgId), ScheduleKeys.Series(meetingId), cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>Adds a new series row, or replaces one read earlier if nobody changed it since (412 otherwise).</summary>
    public async Task SaveSeriesAsync(SeriesEntity series, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var response = series.ETag == default
            ? await _table.AddEntityAsync(series, cancellationToken)
            : await _table.UpdateEntityAsync(series, series.ETag, TableUpdateMode.Replace, cancellationToken);
        series.ETag = response.Headers.ETag ?? default;
    }

    /// <summary>The occurrence with this id in this org, or null (also for another org's id).</summary>
    public async Task<OccurrenceEntity?> GetAsync(Guid orgId, Guid occurrenceId, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var partition = ScheduleKeys.Partition(orgId);
        var index = (await _table.GetEntityIfExistsAsync<OccurrenceIdEntity>(partition, ScheduleKeys.OccurrenceId(occurrenceId), cancellationToken: cancellationToken)).ValueOrNull();
        return index is null ? null
            : (await _table.GetEntityIfExistsAsync<OccurrenceEntity>(partition, index.OccurrenceRowKey, cancellationToken: cancellationToken)).ValueOrNull();
    }

    public async Task<OccurrenceEntity?> GetByStartAsync(Guid orgId, Guid meetingId, DateTimeOffset originalStartUtc, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        return (await _table.GetEntityIfExistsAsync<OccurrenceEntity>(
            ScheduleKeys.Partition(orgId), ScheduleKeys.Occurrence(meetingId, originalStartUtc), cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>
    /// Materializes one occurrence with its id index and agenda row, all or nothing. False when the
    /// series already has an occurrence at that original start (materializing twice is a no-op).
    /// </summary>
    public async Task<bool> AddAsync(OccurrenceEntity occurrence, AgendaEntity agenda, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var index = new OccurrenceIdEntity
        {
            PartitionKey = occurrence.PartitionKey,
            RowKey = ScheduleKeys.OccurrenceId(occurrence.Id),
            OccurrenceRowKey = occurrence.RowKey,
        };
        try
        {
            var response = await _table.SubmitTransactionAsync(
                [new(TableTransactionActionType.Add, occurrence), new(TableTransactionActionType.Add, index), new(TableTransactionActionType.UpsertReplace, agenda)],
                cancellationToken);
            occurrence.ETag = response.Value[0].Headers.ETag ?? default;
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>
    /// Saves an occurrence read earlier (ETag; 412 if someone changed it), and in the same transaction
    /// drops <paramref name="removeAgenda"/> and writes <paramref name="putAgenda"/>.
    /// </summary>
    public async Task UpdateAsync(OccurrenceEntity occurrence, string? removeAgenda, AgendaEntity? putAgenda, CancellationToken cancellationToken)
    {
        List<TableTransactionAction> actions = [new(TableTransactionActionType.UpdateReplace, occurrence, occurrence.ETag)];
        if (removeAgenda is not null && removeAgenda != putAgenda?.RowKey)
        {
            actions.Add(new(TableTransactionActionType.Delete, new TableEntity(occurrence.PartitionKey, removeAgenda), ETag.All));
        }

        if (putAgenda is not null)
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, putAgenda));
        }

        try
        {
            var response = await _table.SubmitTransactionAsync(actions, cancellationToken);
            occurrence.ETag = response.Value[0].Headers.ETag ?? default;
        }
        catch (TableTransactionFailedException e) when (e.Status == 404 && e.FailedTransactionActionIndex > 0)
        {
            // The agenda row was already gone: save without it.
            await UpdateAsync(occurrence, null, putAgenda, cancellationToken);
        }
    }

    /// <summary>A series' occurrences whose original start is in [from, to), in order, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<OccurrenceEntity>> ListAsync(Guid orgId, Guid meetingId, DateTimeOffset fromUtc, DateTimeOffset toUtc, int max, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {ScheduleKeys.Partition(orgId)} and RowKey ge {ScheduleKeys.Occurrence(meetingId, fromUtc)} and RowKey lt {ScheduleKeys.Occurrence(meetingId, toUtc)}");
        return await TakeAsync(_table.QueryAsync<OccurrenceEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken), max);
    }

    /// <summary>
    /// The series' running occurrence with its RTK meeting (the latest started, if the sweep has not ended an older one
    /// yet), or null. Running occurrences started at most the org's maximum duration (at most a day) ago.
    /// </summary>
    public async Task<OccurrenceEntity?> FindRunningAsync(Guid orgId, Guid meetingId, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await ListAsync(orgId, meetingId, now - TimeSpan.FromDays(2), now + TimeSpan.FromMinutes(5), 1000, cancellationToken))
            .Where(o => o.Status == OccurrenceStatus.Active && o.RtkMeetingId is not null)
            .MaxBy(o => o.ActualStart ?? o.StartUtc);

    /// <summary>Agenda rows starting in [from, to), in start order, at most <paramref name="max"/>, after <paramref name="afterRowKey"/> when paging.</summary>
    public async Task<IReadOnlyList<AgendaEntity>> ListAgendaAsync(Guid orgId, DateTimeOffset fromUtc, DateTimeOffset toUtc, string? afterRowKey, int max, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var lower = ScheduleKeys.AgendaPrefix + ScheduleKeys.Stamp(fromUtc);
        var filter = afterRowKey is not null && string.CompareOrdinal(afterRowKey, lower) >= 0
            ? TableClient.CreateQueryFilter($"PartitionKey eq {ScheduleKeys.Partition(orgId)} and RowKey gt {afterRowKey} and RowKey lt {ScheduleKeys.AgendaPrefix + ScheduleKeys.Stamp(toUtc)}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {ScheduleKeys.Partition(orgId)} and RowKey ge {lower} and RowKey lt {ScheduleKeys.AgendaPrefix + ScheduleKeys.Stamp(toUtc)}");
        return await TakeAsync(_table.QueryAsync<AgendaEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken), max);
    }

    /// <summary>Removes an occurrence with its id index and agenda row (a series whose rule changed).</summary>
    public async Task DeleteAsync(OccurrenceEntity occurrence, CancellationToken cancellationToken)
    {
        await _table.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Delete, occurrence, occurrence.ETag),
                new(TableTransactionActionType.Delete, new TableEntity(occurrence.PartitionKey, ScheduleKeys.OccurrenceId(occurrence.Id)), ETag.All),
            ],
            cancellationToken);
        await DeleteAgendaAsync(occurrence.OrgId, ScheduleKeys.Agenda(occurrence.StartUtc, occurrence.Id), cancellationToken);
    }

    public async Task PutAgendaAsync(AgendaEntity agenda, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _table.UpsertEntityAsync(agenda, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task DeleteAgendaAsync(Guid orgId, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(ScheduleKeys.Partition(orgId), rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    private static async Task<IReadOnlyList<T>> TakeAsync<T>(AsyncPageable<T> rows, int max) where T : notnull
    {
        var list = new List<T>();
        await foreach (var row in rows)
        {
            list.Add(row);
            if (list.Count >= max)
            {
                break;
            }
        }

        return list;
    }
}
