using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Castio.Core.Storage;

namespace Castio.Core.Retention;

/// <summary>Something to delete when it is due: one row, a whole partition when <paramref name="Row"/> is null, or a blob.</summary>
/// <param name="Table">The table's base name, without <c>Storage:NamePrefix</c> (for a blob: its container's base name).</param>
/// <param name="Partition">The partition (for a blob: the blob's name).</param>
public sealed record ExpiryTarget(string Table, string Partition, string? Row = null)
{
    public const string BlobKind = "blob";

    /// <summary>Empty for table targets; <see cref="BlobKind"/> for a blob.</summary>
    public string Kind { get; init; } = "";

    /// <summary>A blob in a container (base name, without the prefix), deleted with its snapshots when due.</summary>
    public static ExpiryTarget Blob(string container, string blobName) => new(container, blobName) { Kind = BlobKind };
}

/// <summary>
/// A pointer to something that expires, filed under the hour it falls due: partition
/// <c>yyyyMMddHH-s</c> (UTC hour, then one of 16 shards so one busy hour is not one hot partition),
/// row = a hash of the target, so filing the same target twice is one row.
/// </summary>
public sealed class ExpiryEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>Empty: a table row or partition; <see cref="ExpiryTarget.BlobKind"/>: a blob (Table = container, TargetPartition = blob name).</summary>
    public string Kind { get; set; } = "";

    public string Table { get; set; } = "";
    public string TargetPartition { get; set; } = "";

    /// <summary>Empty: the whole partition.</summary>
    public string TargetRow { get; set; } = "";

    public DateTimeOffset DueAt { get; set; }
}

/// <summary>
/// The <c>expiries</c> table. Table Storage has no TTL, and finding expired rows by scanning would cost
/// as much as the tables are big; instead whoever writes something that expires files a pointer to it
/// first, so the sweeper reads only the hours that are due.
/// </summary>
public sealed class ExpiryStore
{
    public const string TableName = "expiries";
    private const int MaxTransactionActions = 100;

    private readonly TableServiceClient _service;
    private readonly string _namePrefix;
    private readonly Lock _gate = new();
    private Task? _ready;

    private readonly BlobServiceClient? _blobs;

    // Pointers for one hour shard filed at once (the first requests of many rate-limit windows) share transactions.
    private readonly TableBatcher _batcher = new();

    public ExpiryStore(TableServiceClient service, string namePrefix = "", BlobServiceClient? blobs = null)
    {
        _service = service;
        _namePrefix = namePrefix;
        _blobs = blobs;
        Expiries = service.GetTableClient(namePrefix + TableName);
    }

    public TableClient Expiries { get; }

    /// <summary>The client of a table named by its base name, as pointers name it.</summary>
    public TableClient Table(string baseName) => _service.GetTableClient(_namePrefix + baseName);

    /// <summary>The client of a container named by its base name, as blob pointers name it.</summary>
    public BlobContainerClient Container(string baseName) =>
        (_blobs ?? throw new InvalidOperationException("This ExpiryStore was created without a BlobServiceClient; blob expiries need one."))
        .GetBlobContainerClient(_namePrefix + baseName);

    /// <summary>The UTC hour a time falls in; every pointer partition of that hour starts with it.</summary>
    public static string Bucket(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    /// <summary>
    /// Files pointers to <paramref name="targets"/>, due at <paramref name="dueAt"/>, in one transaction.
    /// <paramref name="group"/> picks the shard; call this before writing the targets, so nothing that
    /// expires is ever written without its pointer.
    /// </summary>
    public async Task AddAsync(DateTimeOffset dueAt, string group, IReadOnlyCollection<ExpiryTarget> targets, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targets.Count, MaxTransactionActions);
        if (targets.Count == 0)
        {
            return;
        }

        await EnsureCreatedAsync(cancellationToken);
        var partition = Bucket(dueAt) + "-" + Hash(group)[0];
        var rows = targets.Select(t => new ExpiryEntity
        {
            PartitionKey = partition,
            RowKey = Hash(t.Kind + t.Table + "\n" + t.Partition + "\n" + t.Row)[..32],
            Kind = t.Kind,
            Table = t.Table,
            TargetPartition = t.Partition,
            TargetRow = t.Row ?? "",
            DueAt = dueAt,
        });
        await _batcher.SubmitGroupAsync(Expiries, [.. rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r))], cancellationToken: cancellationToken);
    }

    /// <summary>Creates the table once per process; a failed attempt is retried by the next caller.</summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                _ready = Expiries.CreateIfNotExistsAsync(cancellationToken);
            }

            return _ready;
        }
    }

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
