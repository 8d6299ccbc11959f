using System.Text.Json.Serialization;
using Azure;
using Castio.Core.Storage;

namespace Castio.Functions.Probes;

/// <summary>One row written by a plumbing probe: the heartbeat's last run, or one processed echo message.</summary>
public sealed class ProbeEntity : ITableEntity
{
    public const string TableName = "hostprobes";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    [JsonIgnore] public ETag ETag { get; set; }

    public DateTimeOffset RanAt { get; set; }
    public string? Text { get; set; }
    public long DequeueCount { get; set; }
    public bool IsPastDue { get; set; }
}

/// <summary>Entity types owned by the host, combined with the shared storage context at registration.</summary>
[JsonSerializable(typeof(ProbeEntity))]
internal sealed partial class HostStorageJsonContext : JsonSerializerContext;
