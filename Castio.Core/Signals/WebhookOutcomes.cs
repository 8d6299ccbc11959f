using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Retention;
using Castio.Core.Storage;

namespace Castio.Core.Signals;

/// <summary>One finished webhook delivery: partition = its UTC minute, row = a time-ordered id.</summary>
public sealed class WebhookOutcomeEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public bool Failed { get; set; }
}

/// <summary>
/// Webhook processing outcomes by minute, written by the webhook pipeline (<see cref="RecordAsync"/>, once
/// per delivery when it ends processed or failed) and read by the health check for the failure rate of the
/// last minutes. Reading N minutes reads N small partitions; each minute is deleted a day later.
/// </summary>
public sealed class WebhookOutcomes
{
    public const string TableName = "webhookoutcomes";
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(1);

    private readonly TableClient _table;
    private readonly ExpiryStore _expiries;
    private readonly TimeProvider _time;
    private readonly CreateOnce _created;
    private string _filed = "";

    public WebhookOutcomes(TableServiceClient tables, ExpiryStore expiries, TimeProvider time, string namePrefix = "")
    {
        _table = tables.GetTableClient(namePrefix + TableName);
        _expiries = expiries;
        _time = time;
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
    }

    public static string Minute(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    public async Task RecordAsync(bool failed, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var now = _time.GetUtcNow();
        var minute = Minute(now);
        if (!string.Equals(Volatile.Read(ref _filed), minute, StringComparison.Ordinal))
        {
            // One pointer per minute deletes the whole minute; filing it again is harmless.
            await _expiries.AddAsync(now + KeptFor, minute, [new ExpiryTarget(TableName, minute)], cancellationToken);
            Volatile.Write(ref _filed, minute);
        }

        await _table.AddEntityAsync(new WebhookOutcomeEntity
        {
            PartitionKey = minute,
            RowKey = Guid.CreateVersion7(now).ToString("N"),
            Failed = failed,
        }, cancellationToken);
    }

    /// <summary>Deliveries and failures from <paramref name="since"/> (to the minute) until now.</summary>
    public async Task<(int Deliveries, int Failed)> CountSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {Minute(since)}");
        int total = 0, failed = 0;
        await foreach (var row in _table.QueryAsync<WebhookOutcomeEntity>(filter, select: ["Failed"], cancellationToken: cancellationToken))
        {
            total++;
            if (row.Failed)
            {
                failed++;
            }
        }

        return (total, failed);
    }
}
