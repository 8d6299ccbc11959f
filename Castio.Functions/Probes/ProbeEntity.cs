using Azure;
using Azure.Data.Tables;

namespace Castio.Functions.Probes;

/// <summary>One row written by a plumbing probe: the heartbeat's last run, or one processed echo message.</summary>
public sealed class ProbeEntity : ITableEntity
{
    public const string TableName = "hostprobes";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset RanAt { get; set; }
    public string? Text { get; set; }
    public long DequeueCount { get; set; }
    public bool IsPastDue { get; set; }
}
