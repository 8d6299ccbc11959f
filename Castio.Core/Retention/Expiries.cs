using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Castio.Core.Retention;

/// <summary>Something to delete when it is due: one row, or a whole partition when <paramref name="Row"/> is null.</summary>
/// <param name="Table">The table's base name, without <c>Storage:NamePrefix</c>.</param>
public sealed record ExpiryTarget(string Table, string Partition, string? Row = null);

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

    public ExpiryStore(TableServiceClient service, string namePrefix = "")
    {
        _service = service;
        _namePrefix = namePrefix;
        Expiries = service.GetTableClient(namePrefix + TableName);
    }

    public TableClient Expiries { get; }

    /// <summary>The client of a table named by its base name, as pointers name it.</summary>
    public TableClient Table(string baseName) => _service.GetTableClient(_namePrefix + baseName);

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
        await EnsureCreatedAsync(cancellationToken);
        var partition = Bucket(dueAt) + "-" + Hash(group)[0];
        var rows = targets.Select(t => new ExpiryEntity
        {
            PartitionKey = partition,
            RowKey = Hash(t.Table + "\n" + t.Partition + "\n" + t.Row)[..32],
            Table = t.Table,
            TargetPartition = t.Partition,
            TargetRow = t.Row ?? "",
            DueAt = dueAt,
        });
        await Expiries.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken);
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
