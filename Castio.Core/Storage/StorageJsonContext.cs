using System.Text.Json.Serialization;

namespace Castio.Core.Storage;

/// <summary>
/// The one source-generated JSON context for table entities. Features add
/// <c>[JsonSerializable(typeof(TheirEntity))]</c> lines here. Property names stay as declared
/// (PascalCase), which is what the Table service and Azure.Data.Tables use.
/// </summary>
[JsonSerializable(typeof(StorageProbeEntity))]
public sealed partial class StorageJsonContext : JsonSerializerContext;

/// <summary>A minimal entity (keys only) used to probe a table; also keeps the context non-empty.</summary>
public sealed class StorageProbeEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    [JsonIgnore] public Azure.ETag ETag { get; set; }
}
