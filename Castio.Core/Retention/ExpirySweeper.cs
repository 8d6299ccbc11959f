using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Retention;

/// <summary>
/// Deletes what has expired: reads the pointer partitions of every hour before the current one
/// (a range that holds only pointers not yet processed, since processed ones are deleted), deletes
/// each target and then its pointer. Its cost grows with what is due, never with the size of the
/// tables. Run daily by a timer; safe to run at any time and more than once, and a run stopped halfway
/// leaves only pointers whose targets are gone or still there, which the next run finishes.
/// </summary>
public sealed partial class ExpirySweeper(ExpiryStore store, TimeProvider time, ILogger<ExpirySweeper> logger)
{
    private static readonly string[] KeysOnly = ["PartitionKey", "RowKey"];
    private static readonly string[] ExpiresAtOnly = ["ExpiresAt"];
    private const int Parallelism = 8;

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var due = TableClient.CreateQueryFilter($"PartitionKey lt {ExpiryStore.Bucket(now)}");
        var deleted = 0;
        var kept = 0;
        // Targets are independent: a page of pointers is worked through a few at a time.
        await foreach (var page in store.Expiries.QueryAsync<ExpiryEntity>(due, cancellationToken: cancellationToken).AsPages())
        {
            await Parallel.ForEachAsync(page.Values, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (pointer, ct) =>
            {
                var (count, done) = pointer.Kind == ExpiryTarget.BlobKind
                    ? (await DeleteBlobAsync(store, pointer, ct), true)
                    : pointer.TargetRow.Length == 0
                    ? (await DeletePartitionAsync(store.Table(pointer.Table), pointer.TargetPartition, ct), true)
                    : await DeleteRowAsync(store.Table(pointer.Table), pointer, now, ct);
                Interlocked.Add(ref deleted, count);
                if (!done || !await DeletePointerAsync(pointer, ct))
                {
                    Interlocked.Increment(ref kept);
                }
            });
        }

        LogSwept(logger, deleted, kept);
        return deleted;
    }

    /// <summary>False when the pointer was filed again meanwhile (a new ETag): the next sweep looks at it again.</summary>
    private async Task<bool> DeletePointerAsync(ExpiryEntity pointer, CancellationToken cancellationToken)
    {
        try
        {
            await store.Expiries.DeleteEntityAsync(pointer.PartitionKey, pointer.RowKey, pointer.ETag, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }

    private static async Task<int> DeleteBlobAsync(ExpiryStore store, ExpiryEntity pointer, CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await store.Container(pointer.Table).DeleteBlobIfExistsAsync(pointer.TargetPartition, DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
            return deleted.Value ? 1 : 0;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
    }

    private static async Task<int> DeletePartitionAsync(TableClient table, string partition, CancellationToken cancellationToken)
    {
        var count = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, select: KeysOnly, cancellationToken: cancellationToken).AsPages())
            {
                await Task.WhenAll(page.Values.Select(row => table.DeleteEntityAsync(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken)));
                count += page.Values.Count;
            }
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == "TableNotFound")
        {
        }

        return count;
    }

    /// <summary>Deletes the row if its own <c>ExpiresAt</c> has passed; a row whose life was extended has a later pointer.</summary>
    private static async Task<(int Deleted, bool Done)> DeleteRowAsync(TableClient table, ExpiryEntity pointer, DateTimeOffset now, CancellationToken cancellationToken)
    {
        NullableResponse<TableEntity> read;
        try
        {
            read = await table.GetEntityIfExistsAsync<TableEntity>(pointer.TargetPartition, pointer.TargetRow, ExpiresAtOnly, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (0, true);
        }

        if (read is not { HasValue: true, Value: { } row })
        {
            return (0, true);
        }

        if (row.GetDateTimeOffset("ExpiresAt") is { } expiresAt && expiresAt > now)
        {
            return (0, true);
        }

        try
        {
            // The row's own ETag: one changed since the read is looked at again by the next sweep.
            await table.DeleteEntityAsync(pointer.TargetPartition, pointer.TargetRow, row.ETag, cancellationToken);
            return (1, true);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return (0, false);
        }
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "Expiry sweep deleted {Count} rows; {Kept} pointers left for the next sweep")]
    private static partial void LogSwept(ILogger logger, int count, int kept);
}
