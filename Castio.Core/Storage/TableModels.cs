using Azure;

namespace Castio.Core.Storage;

/// <summary>A table entity: keys, the server timestamp and the ETag for optimistic concurrency.</summary>
public interface ITableEntity
{
    /// <summary>Partition key.</summary>
    string PartitionKey { get; set; }
    /// <summary>Row key.</summary>
    string RowKey { get; set; }
    /// <summary>Server-managed last-modified time; never written.</summary>
    DateTimeOffset? Timestamp { get; set; }
    /// <summary>
    /// ETag as returned by the service; send it back for conditional updates. Mark the implementing property
    /// <c>[JsonIgnore]</c>: the client maps it from <c>odata.etag</c>, and Azure.ETag has no source-generated converter.
    /// </summary>
    ETag ETag { get; set; }
}

/// <summary>Merge keeps properties not sent; Replace drops them.</summary>
public enum TableUpdateMode
{
    /// <summary>Merge the sent properties into the stored entity.</summary>
    Merge,
    /// <summary>Replace the stored entity.</summary>
    Replace,
}

/// <summary>Kinds of operation in an entity-group transaction.</summary>
public enum TableTransactionActionType
{
    /// <summary>Insert; fails if the entity exists.</summary>
    Add,
    /// <summary>Merge into an existing entity (If-Match: ETag or *).</summary>
    UpdateMerge,
    /// <summary>Replace an existing entity (If-Match: ETag or *).</summary>
    UpdateReplace,
    /// <summary>Delete (If-Match: ETag or *).</summary>
    Delete,
    /// <summary>Insert or merge.</summary>
    UpsertMerge,
    /// <summary>Insert or replace.</summary>
    UpsertReplace,
}

/// <summary>One operation of an entity-group transaction. A default <paramref name="ETag"/> means '*'.</summary>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, ITableEntity Entity, ETag ETag = default);

/// <summary>An entity-group transaction failed; nothing was applied.</summary>
public sealed class TableTransactionFailedException : RequestFailedException
{
    internal TableTransactionFailedException(int status, string message, string? errorCode, int? failedIndex)
        : base(status, message, errorCode, null)
    {
        FailedTransactionActionIndex = failedIndex;
    }

    /// <summary>0-based index of the action the service rejected, when it said so.</summary>
    public int? FailedTransactionActionIndex { get; }
}

/// <summary>A response that carries no value (the entity did not exist).</summary>
internal sealed class NoValueResponse<T>(Response response) : NullableResponse<T>
{
    public override bool HasValue => false;
    public override T Value => throw new InvalidOperationException("The entity does not exist; check HasValue first.");
    public override Response GetRawResponse() => response;
}
