using Azure.Data.Tables;
using Castio.Core.Storage;
using Castio.Functions.Hosting;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Probes;

/// <summary>
/// Queue probe: writes each message of the <c>echo</c> queue to a row keyed by message id (idempotent on redelivery).
/// The payload <see cref="PoisonPayload"/> always fails, to exercise retries and the poison queue.
/// </summary>
public sealed class EchoConsumer(TableServiceClient tables, IOptions<StorageOptions> options, TimeProvider time) : IQueueFunction
{
    public const string QueueName = "echo";
    public const string PartitionKey = "echo";
    public const string PoisonPayload = "poison-test";

    public async Task RunAsync(QueueTrigger message, CancellationToken cancellationToken)
    {
        if (message.MessageText == PoisonPayload)
            throw new InvalidOperationException("The echo probe rejects its poison-test payload.");
        var table = tables.GetTableClient(options.Value.Name(ProbeEntity.TableName));
        await table.CreateIfNotExistsAsync(cancellationToken);
        var row = new ProbeEntity
        {
            PartitionKey = PartitionKey,
            RowKey = message.Id,
            RanAt = time.GetUtcNow(),
            Text = message.MessageText,
            DequeueCount = message.DequeueCount,
        };
        await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }
}
