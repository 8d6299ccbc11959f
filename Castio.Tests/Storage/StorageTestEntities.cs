using System.Text.Json.Serialization;
using Azure;
using Castio.Core.Storage;

namespace Castio.Tests.Storage;

/// <summary>An entity with every EDM type the client must annotate.</summary>
public sealed class TypedEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    [JsonIgnore] public ETag ETag { get; set; }

    public string? Name { get; set; }
    public int Count { get; set; }
    public long Total { get; set; }
    public double Price { get; set; }
    public bool Flag { get; set; }
    public DateTimeOffset At { get; set; }
    public DateTime? When { get; set; }
    public Guid Id { get; set; }
    public byte[]? Data { get; set; }
}

/// <summary>Reads the same entity with every value as text, to see what the service stored.</summary>
public sealed class RawEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    [JsonIgnore] public ETag ETag { get; set; }

    public string? Name { get; set; }
    public string? Total { get; set; }
    [JsonPropertyName("Total@odata.type")] public string? TotalType { get; set; }
    [JsonPropertyName("At@odata.type")] public string? AtType { get; set; }
    [JsonPropertyName("Id@odata.type")] public string? IdType { get; set; }
    [JsonPropertyName("Data@odata.type")] public string? DataType { get; set; }
}

[JsonSerializable(typeof(TypedEntity))]
[JsonSerializable(typeof(RawEntity))]
internal sealed partial class StorageTestJsonContext : JsonSerializerContext;
