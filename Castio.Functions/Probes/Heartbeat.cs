using Azure.Data.Tables;
using Castio.Core.Storage;
using Castio.Functions.Hosting;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Probes;

/// <summary>Timer probe: records when it last ran, so an operator (or a test) can see that timers fire.</summary>
public sealed class Heartbeat(TableServiceClient tables, IOptions<StorageOptions> options, TimeProvider time) : ITimerFunction
{
    public const string PartitionKey = "heartbeat";
    public const string RowKey = "last";

    public async Task RunAsync(TimerInfo timer, CancellationToken cancellationToken)
    {
        var table = tables.GetTableClient(options.Value.Name(ProbeEntity.TableName));
        await table.CreateIfNotExistsAsync(cancellationToken);
        var row = new ProbeEntity { PartitionKey = PartitionKey, RowKey = RowKey, RanAt = time.GetUtcNow(), IsPastDue = timer.IsPastDue };
        await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }
}
