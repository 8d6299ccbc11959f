using Castio.Core.Retention;
using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Storage;

namespace Castio.Core.Webhooks;

/// <summary>Statuses of a delivery in the ledger.</summary>
public static class WebhookDeliveryStatus
{
    /// <summary>Not applied yet: a delivery's state until its outcome is known (a delivery is stored with its outcome).</summary>
    public const string Received = "received";

    /// <summary>Being applied again (a replay).</summary>
    public const string Processing = "processing";

    public const string Processed = "processed";

    /// <summary>Could not be applied; RTK was answered 5xx so it retries, or the meeting is unknown (<see cref="WebhookDeliveryEntity.ErrorCode"/>).</summary>
    public const string Failed = "failed";

    /// <summary>The same delivery (<c>rtk-uuid</c>) or the same business fact was already processed.</summary>
    public const string Duplicate = "duplicate";
}

/// <summary>
/// One delivery in the ledger: partition = <c>{orgId:N}_{yyyyMMdd}</c> (<c>unmatched_{yyyyMMdd}</c> when no Castio meeting
/// owns it), row = <see cref="WebhookLedger.RowFor"/> (newest first). The id is a version-7 GUID, so partition and row can be
/// worked out from the org and the id alone.
/// </summary>
public sealed class WebhookDeliveryEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public Guid Id { get; set; }
    public Guid? OrgId { get; set; }
    public string Event { get; set; } = "";
    public string? RtkUuid { get; set; }
    public string? RtkWebhookId { get; set; }
    public string? RtkMeetingId { get; set; }
    public Guid? MeetingId { get; set; }
    public string? RtkSessionId { get; set; }
    public string? BusinessKey { get; set; }
    public string Status { get; set; } = WebhookDeliveryStatus.Received;
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
    public int? DurationMs { get; set; }
    public string? ErrorCode { get; set; }
    public string? Error { get; set; }

    /// <summary>For a duplicate: the delivery that was processed first.</summary>
    public Guid? DuplicateOf { get; set; }

    /// <summary>Short, link-free description of the payload for people reading the log.</summary>
    public string? PayloadSummary { get; set; }

    /// <summary>The exact verified body, kept so a delivery can be applied again (replay); never shown.</summary>
    public byte[]? Body { get; set; }

    public int Replays { get; set; }
}

/// <summary>
/// Business-key claim, kept in the ledger beside the deliveries of its org and day: partition as the delivery's,
/// row = <c>k_</c> + SHA-256 of the key (after every delivery row, so listings never meet it; removed with the day).
/// Points at the delivery that owns the fact.
/// </summary>
public sealed class WebhookKeyEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string BusinessKey { get; set; } = "";
    public string DeliveryPartition { get; set; } = "";
    public string DeliveryRow { get; set; } = "";
    public Guid DeliveryId { get; set; }
    public string? RtkUuid { get; set; }
}

/// <summary>
/// The delivery ledger (<c>webhookdeliveries</c>) with its business-key claims. Listing is by org and day, newest
/// first (the diagnostics routes). Writes go through a <see cref="TableBatcher"/>: a burst of deliveries of one org
/// costs a few transactions, and a delivery's row and its claim always travel in the same one.
/// </summary>
public sealed class WebhookLedger
{
    public const string DeliveriesTable = "webhookdeliveries";
    private const string ClaimPrefix = "k_";

    /// <summary>
    /// A delivery still being applied this long after it arrived is dead (RTK expects an answer within 3 s and retries
    /// otherwise); younger, it is in flight and a second delivery of its fact is a duplicate.
    /// </summary>
    public static readonly TimeSpan InFlightFor = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Claims live in the day of their delivery; in the first hour of a day the previous day's claim is looked at too, so a
    /// retry just after midnight is still recognised. How long RTK keeps retrying is not documented; Dyte retried for minutes.
    /// </summary>
    public static readonly TimeSpan ClaimLookback = TimeSpan.FromHours(1);
    public const string Unmatched = "unmatched";

    /// <summary>Bodies above this are not kept inline (a table property holds 64 KiB); RTK's bodies are a few KiB.</summary>
    public const int MaxStoredBodyBytes = 60 * 1024;

    private readonly TableClient _deliveries;
    private readonly CreateOnce _created;
    private readonly TableBatcher _batcher = new();
    private readonly ExpiryStore? _expiries;

    // Day partitions this process has already filed for retention (the pointer is an idempotent upsert).
    private readonly ConcurrentDictionary<string, Task> _filed = new(StringComparer.Ordinal);

    public WebhookLedger(TableServiceClient tables, string namePrefix = "", ExpiryStore? expiries = null)
    {
        _expiries = expiries;
        _deliveries = tables.GetTableClient(namePrefix + DeliveriesTable);
        _created = new CreateOnce(ct => _deliveries.CreateIfNotExistsAsync(ct));
    }

    public static string PartitionFor(Guid? orgId, DateTimeOffset at) =>
        $"{(orgId is { } o ? o.ToString("N") : Unmatched)}_{at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";

    /// <summary>Newest first: inverted ticks of the receipt time, then the id.</summary>
    public static string RowFor(Guid id, DateTimeOffset receivedAt) =>
        $"{(DateTimeOffset.MaxValue.UtcTicks - receivedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture)}_{id:N}";

    /// <summary>The receipt time a version-7 id carries (milliseconds).</summary>
    public static DateTimeOffset TimeOf(Guid id)
    {
        var bytes = id.ToByteArray(bigEndian: true);
        long ms = 0;
        for (var i = 0; i < 6; i++) ms = (ms << 8) | bytes[i];
        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => _created.EnsureAsync(cancellationToken);

    /// <summary>Writes a new delivery row, with its outcome; from then on Castio owns the event.</summary>
    public async Task AddAsync(WebhookDeliveryEntity delivery, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        await FileForRetentionAsync(delivery.PartitionKey, cancellationToken);
        await _batcher.SubmitAsync(_deliveries, new TableTransactionAction(TableTransactionActionType.Add, delivery), BytesOf(delivery), cancellationToken);
    }

    /// <summary>
    /// Writes a new delivery row (processed) and the claim of its fact in one transaction: one ledger write per delivery.
    /// Returns null when it is written and this delivery owns the fact, or the delivery that owns it; nothing is
    /// written then, and the caller records this one as a duplicate (<see cref="AddAsync"/>).
    /// </summary>
    public async Task<WebhookDeliveryEntity?> AddClaimedAsync(WebhookDeliveryEntity delivery, string businessKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        await FileForRetentionAsync(delivery.PartitionKey, cancellationToken);
        return await ClaimAsync(businessKey, delivery, now, new TableTransactionAction(TableTransactionActionType.Add, delivery), cancellationToken);
    }

    private static int BytesOf(WebhookDeliveryEntity delivery) => (delivery.Body?.Length ?? 0) * 4 / 3 + 2048;

    /// <summary>
    /// One pointer per org-day partition, due when its last possible delivery is 30 days old; filed before the
    /// first row, so a crash in between leaves a pointer to nothing rather than a row nothing removes.
    /// </summary>
    private Task FileForRetentionAsync(string partition, CancellationToken cancellationToken)
    {
        if (_expiries is null)
            return Task.CompletedTask;
        var task = _filed.GetOrAdd(partition, p =>
        {
            var day = DateTime.ParseExact(p[(p.LastIndexOf('_') + 1)..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            var due = new DateTimeOffset(day, TimeSpan.Zero).AddDays(1) + RetentionPeriods.WebhookDeliveries;
            return _expiries.AddAsync(due, p, [new ExpiryTarget(DeliveriesTable, p)], CancellationToken.None);
        });
        if (task.IsFaulted)
            _filed.TryRemove(new KeyValuePair<string, Task>(partition, task));
        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Sets the outcome of a delivery (merge: the body and the receipt stay).</summary>
    public async Task SetOutcomeAsync(WebhookDeliveryEntity delivery, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(delivery.PartitionKey, delivery.RowKey)
        {
            [nameof(WebhookDeliveryEntity.Status)] = delivery.Status,
            [nameof(WebhookDeliveryEntity.ProcessedAt)] = delivery.ProcessedAt,
            [nameof(WebhookDeliveryEntity.DurationMs)] = delivery.DurationMs,
            [nameof(WebhookDeliveryEntity.ErrorCode)] = delivery.ErrorCode,
            [nameof(WebhookDeliveryEntity.Error)] = delivery.Error,
            [nameof(WebhookDeliveryEntity.DuplicateOf)] = delivery.DuplicateOf,
            [nameof(WebhookDeliveryEntity.Replays)] = delivery.Replays,
        };
        await _batcher.SubmitAsync(_deliveries, new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, ETag.All), cancellationToken: cancellationToken);
    }

    public async Task<WebhookDeliveryEntity?> GetAsync(string partition, string row, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        return (await _deliveries.GetEntityIfExistsAsync<WebhookDeliveryEntity>(partition, row, cancellationToken: cancellationToken)).ValueOrNull();
    }

    /// <summary>A delivery of an org by id (null org: the unmatched ones). The id alone gives its day and row.</summary>
    public async Task<WebhookDeliveryEntity?> FindAsync(Guid? orgId, Guid deliveryId, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var at = TimeOf(deliveryId);
        // Rows are keyed by the receipt clock; the id's clock is the same instant to the millisecond, so the row lies in
        // that millisecond's range of row keys (not a scan of the day's partition).
        var partition = PartitionFor(orgId, at);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey ge {RowFor(deliveryId, at.AddTicks(TimeSpan.TicksPerMillisecond - 1))} and RowKey le {RowFor(deliveryId, at)}");
        var suffix = "_" + deliveryId.ToString("N");
        await foreach (var row in _deliveries.QueryAsync<WebhookDeliveryEntity>(filter, cancellationToken: cancellationToken))
            if (row.RowKey.EndsWith(suffix, StringComparison.Ordinal)) return row;
        return null;
    }

    /// <summary>
    /// An org's deliveries, newest first, from <paramref name="until"/> back to <paramref name="since"/> (day partitions),
    /// optionally of one status and/or event type, at most <paramref name="limit"/>.
    /// </summary>
    public async Task<IReadOnlyList<WebhookDeliveryEntity>> ListAsync(Guid? orgId, DateTimeOffset since, DateTimeOffset until, int limit,
        string? status = null, string? eventType = null, Guid? meetingId = null, CancellationToken cancellationToken = default)
    {
        await EnsureCreatedAsync(cancellationToken);
        var rows = new List<WebhookDeliveryEntity>();
        var low = RowFor(Guid.Empty, until)[..19];
        var high = RowFor(Guid.Empty, since)[..19] + "~";
        for (var day = until.UtcDateTime.Date; day >= since.UtcDateTime.Date && rows.Count < limit; day = day.AddDays(-1))
        {
            var partition = PartitionFor(orgId, new DateTimeOffset(day, TimeSpan.Zero));
            var query = _deliveries.QueryAsync<WebhookDeliveryEntity>(
                e => e.PartitionKey == partition && e.RowKey.CompareTo(low) >= 0 && e.RowKey.CompareTo(high) <= 0,
                maxPerPage: Math.Min(1000, limit), cancellationToken: cancellationToken);
            await foreach (var row in query)
            {
                if (status is not null && row.Status != status) continue;
                if (eventType is not null && row.Event != eventType) continue;
                if (meetingId is not null && row.MeetingId != meetingId) continue;
                row.Body = null;
                rows.Add(row);
                if (rows.Count >= limit) break;
            }
        }
        return rows;
    }

    /// <summary>
    /// Claims <paramref name="businessKey"/> for a delivery. Returns null when this delivery now owns the fact, or the
    /// earlier delivery that owns it (this one is then a duplicate): one that processed it, or one still in flight
    /// (if that one fails, RTK retries it). A claim whose delivery failed or died is taken over: the fact is applied
    /// again, idempotently.
    /// </summary>
    public async Task<WebhookDeliveryEntity?> ClaimAsync(string businessKey, WebhookDeliveryEntity delivery, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        return await ClaimAsync(businessKey, delivery, now, null, cancellationToken);
    }

    /// <param name="with">A write stored in the same transaction as the claim (the new delivery row), or none.</param>
    private async Task<WebhookDeliveryEntity?> ClaimAsync(string businessKey, WebhookDeliveryEntity delivery, DateTimeOffset now, TableTransactionAction? with, CancellationToken cancellationToken)
    {
        var row = ClaimPrefix + TableKeys.Hash(businessKey);
        var yesterday = delivery.ReceivedAt.UtcDateTime.TimeOfDay < ClaimLookback && delivery.OrgId is { } orgId
            ? PartitionFor(orgId, delivery.ReceivedAt.AddDays(-1)) : null;
        if (yesterday is not null && await ClaimOwnerAsync(yesterday, row, delivery.Id, now, cancellationToken) is { } earlier)
            return earlier;

        var claim = new WebhookKeyEntity
        {
            PartitionKey = delivery.PartitionKey, RowKey = row, BusinessKey = businessKey, DeliveryPartition = delivery.PartitionKey,
            DeliveryRow = delivery.RowKey, DeliveryId = delivery.Id, RtkUuid = delivery.RtkUuid,
        };
        var bytes = with is null ? 1024 : BytesOf(delivery) + 1024;
        Task Submit(TableTransactionAction action) =>
            _batcher.SubmitGroupAsync(_deliveries, with is null ? [action] : [with, action], bytes, cancellationToken);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                await Submit(new TableTransactionAction(TableTransactionActionType.Add, claim));
                return null;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
            }

            var existing = (await _deliveries.GetEntityIfExistsAsync<WebhookKeyEntity>(claim.PartitionKey, row, cancellationToken: cancellationToken)).ValueOrNull();
            if (existing is null) continue;
            if (existing.DeliveryId == delivery.Id) return null;
            if (await OwnerAsync(existing, now, cancellationToken) is { } owner) return owner;
            try
            {
                await Submit(new TableTransactionAction(TableTransactionActionType.UpdateReplace, claim, existing.ETag));
                return null;
            }
            catch (RequestFailedException e) when (e.Status is 412 or 404)
            {
            }
        }

        throw new RequestFailedException(503, "The claim of a webhook fact kept changing; the delivery is not recorded as processed.");
    }

    private async Task<WebhookDeliveryEntity?> ClaimOwnerAsync(string partition, string row, Guid deliveryId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var existing = (await _deliveries.GetEntityIfExistsAsync<WebhookKeyEntity>(partition, row, cancellationToken: cancellationToken)).ValueOrNull();
        return existing is null || existing.DeliveryId == deliveryId ? null : await OwnerAsync(existing, now, cancellationToken);
    }

    /// <summary>The delivery behind a claim if it keeps the fact: processed, or in flight; null if it failed or died.</summary>
    private async Task<WebhookDeliveryEntity?> OwnerAsync(WebhookKeyEntity claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var owner = await GetAsync(claim.DeliveryPartition, claim.DeliveryRow, cancellationToken);
        return owner switch
        {
            { Status: WebhookDeliveryStatus.Processed } => owner,
            { Status: WebhookDeliveryStatus.Received or WebhookDeliveryStatus.Processing } when now - owner.ReceivedAt < InFlightFor => owner,
            _ => null,
        };
    }
}
