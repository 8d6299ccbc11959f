using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Retention;
using Castio.Core.Storage;

namespace Castio.Core.Diagnostics;

/// <summary>
/// A stored snapshot: partition = scope (<see cref="HealthSnapshotStore.DeploymentScope"/> or the org id),
/// row = inverted time + id, so a partition reads newest first and a row key is a paging cursor.
/// </summary>
public sealed class HealthSnapshotEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string CheckType { get; set; } = "";
    public string Status { get; set; } = "";
    public DateTimeOffset CheckedAt { get; set; }

    /// <summary>Read by the expiry sweeper.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Probes, warnings, webhook figures and phone-home record as JSON.</summary>
    public string Details { get; set; } = "";
}

/// <summary>The <c>healthsnapshots</c> table. Every snapshot files its expiry first, so retention finds it by time.</summary>
public sealed class HealthSnapshotStore
{
    public const string TableName = "healthsnapshots";
    public const string DeploymentScope = "deployment";
    public const int MaxPageSize = 100;

    private readonly TableClient _table;
    private readonly ExpiryStore _expiries;
    private readonly CreateOnce _created;

    public HealthSnapshotStore(TableServiceClient tables, ExpiryStore expiries, string namePrefix = "")
    {
        _table = tables.GetTableClient(namePrefix + TableName);
        _expiries = expiries;
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
    }

    public static string Partition(Guid? orgId) => orgId is { } id ? id.ToString("D") : DeploymentScope;

    public static string Row(DateTimeOffset at, Guid id) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "_" + id.ToString("N");

    /// <summary>A cursor is a row key this store wrote.</summary>
    public static bool IsCursor(string value) =>
        value.Length == 52 && value[19] == '_' && value.AsSpan(0, 19).IndexOfAnyExceptInRange('0', '9') < 0
        && Guid.TryParseExact(value.AsSpan(20), "N", out _);

    public async Task AddAsync(Guid? orgId, HealthSnapshot snapshot, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var partition = Partition(orgId);
        var row = Row(snapshot.CheckedAt, snapshot.Id);
        var expiresAt = snapshot.CheckedAt + RetentionPeriods.HealthSnapshots;
        await _expiries.AddAsync(expiresAt, partition, [new ExpiryTarget(TableName, partition, row)], cancellationToken);
        await _table.AddEntityAsync(new HealthSnapshotEntity
        {
            PartitionKey = partition,
            RowKey = row,
            CheckType = snapshot.CheckType,
            Status = snapshot.Status,
            CheckedAt = snapshot.CheckedAt,
            ExpiresAt = expiresAt,
            Details = JsonSerializer.Serialize(
                new SnapshotDetails(snapshot.Probes, snapshot.Warnings, snapshot.Webhooks, snapshot.PhoneHome), DiagnosticsJsonContext.Default.SnapshotDetails),
        }, cancellationToken);
    }

    /// <summary>
    /// The org's snapshots and the deployment's, merged newest first: one query per partition per page,
    /// each starting after the cursor (row keys order by time across both partitions).
    /// </summary>
    public async Task<HealthSnapshotPage> ListAsync(Guid orgId, string? after, int limit, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var pages = await Task.WhenAll(
            TakeAsync(Partition(orgId), after, limit + 1, cancellationToken),
            TakeAsync(DeploymentScope, after, limit + 1, cancellationToken));
        var merged = pages.SelectMany(p => p).OrderBy(e => e.RowKey, StringComparer.Ordinal).ToList();
        var page = merged.Take(limit).ToList();
        var next = merged.Count > limit ? page[^1].RowKey : null;
        return new HealthSnapshotPage([.. page.Select(ToSnapshot)], next);
    }

    private async Task<List<HealthSnapshotEntity>> TakeAsync(string partition, string? after, int count, CancellationToken cancellationToken)
    {
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {after}");
        var rows = new List<HealthSnapshotEntity>(count);
        await foreach (var row in _table.QueryAsync<HealthSnapshotEntity>(filter, maxPerPage: count, cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count == count)
            {
                break;
            }
        }

        return rows;
    }

    private static HealthSnapshot ToSnapshot(HealthSnapshotEntity e)
    {
        var details = JsonSerializer.Deserialize(e.Details, DiagnosticsJsonContext.Default.SnapshotDetails)
            ?? new SnapshotDetails([], [], null, null);
        return new HealthSnapshot(
            Guid.ParseExact(e.RowKey.AsSpan(20), "N"),
            e.PartitionKey == DeploymentScope ? "deployment" : "org",
            e.CheckType,
            e.Status,
            e.CheckedAt,
            details.Probes,
            details.Warnings,
            details.Webhooks,
            details.PhoneHome);
    }
}
