using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Storage;

namespace Castio.Core.Scheduling;

/// <summary>What a due item asks the activation sweep to do.</summary>
public enum DueKind
{
    /// <summary>Start a scheduled meeting (no occurrence) or one occurrence of a series.</summary>
    Activate,

    /// <summary>End a meeting or occurrence that has run past the org's maximum duration.</summary>
    EndOverdue,

    /// <summary>Extend a series' materialized occurrences.</summary>
    Materialize,
}

/// <summary>One piece of work found by time. Identity is (kind, org, meeting, occurrence, minute).</summary>
public sealed record DueItem(DueKind Kind, Guid OrgId, Guid MeetingId, Guid? OccurrenceId, DateTimeOffset DueAt);

/// <summary>
/// Work found by time, in minute buckets: partition <c>due-yyyyMMddHHmm</c> (UTC) of the
/// <c>scheduledue</c> table. The sweep reads every bucket up to now with one partition-key range
/// read, so its cost follows what is due; processed items are deleted, so the range holds only
/// what is due and not yet done. Adding the same item twice is one item.
/// </summary>
public sealed class DueIndex
{
    public const string Table = "scheduledue";
    private const string BucketPrefix = "due-";

    private readonly TableClient _table;
    private readonly CreateOnce _created;

    public DueIndex(TableServiceClient tables, string namePrefix)
    {
        _table = tables.GetTableClient(namePrefix + Table);
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
    }

    public static string Bucket(DateTimeOffset dueAt) => BucketPrefix + dueAt.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    public async Task AddAsync(DueItem item, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        await _table.UpsertEntityAsync(ToEntity(item), TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Adds many, grouped into one transaction per minute bucket (at most 100 each).</summary>
    public async Task AddManyAsync(IEnumerable<DueItem> items, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        foreach (var bucket in items.Select(ToEntity).GroupBy(e => e.PartitionKey))
        {
            foreach (var chunk in bucket.DistinctBy(e => e.RowKey).Chunk(100))
            {
                await _table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Items due at or before <paramref name="now"/> (whole minute buckets up to now's), oldest first,
    /// at most <paramref name="max"/>. They stay until <see cref="RemoveAsync"/>, so an interrupted
    /// sweep finds them again.
    /// </summary>
    public async Task<IReadOnlyList<DueItem>> TakeDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {BucketPrefix} and PartitionKey le {Bucket(now)}");
        var items = new List<DueItem>();
        await foreach (var row in _table.QueryAsync<DueEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
        {
            if (FromEntity(row) is { } item)
            {
                items.Add(item);
            }

            if (items.Count >= max)
            {
                break;
            }
        }

        return items;
    }

    /// <summary>Done with an item; already gone is fine.</summary>
    public async Task RemoveAsync(DueItem item, CancellationToken cancellationToken)
    {
        var entity = ToEntity(item);
        try
        {
            await _table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    private static DueEntity ToEntity(DueItem item) => new()
    {
        PartitionKey = Bucket(item.DueAt),
        RowKey = string.Join('-', item.Kind.ToString().ToLowerInvariant(), item.OrgId.ToString("N"), item.MeetingId.ToString("N"), (item.OccurrenceId ?? Guid.Empty).ToString("N")),
        Kind = item.Kind.ToString(),
        OrgId = item.OrgId.ToString("D"),
        MeetingId = item.MeetingId.ToString("D"),
        OccurrenceId = item.OccurrenceId?.ToString("D"),
        DueAt = item.DueAt,
    };

    private static DueItem? FromEntity(DueEntity row) =>
        Enum.TryParse<DueKind>(row.Kind, out var kind) && Guid.TryParse(row.OrgId, out var orgId) && Guid.TryParse(row.MeetingId, out var meetingId)
            ? new DueItem(kind, orgId, meetingId, Guid.TryParse(row.OccurrenceId, out var occurrenceId) ? occurrenceId : null, row.DueAt)
            : null;

    private sealed class DueEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";
        public string RowKey { get; set; } = "";
        public DateTimeOffset? Timestamp { get; set; }
        public ETag ETag { get; set; }

        public string Kind { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string MeetingId { get; set; } = "";
        public string? OccurrenceId { get; set; }
        public DateTimeOffset DueAt { get; set; }
    }
}
