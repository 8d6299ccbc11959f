using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;

namespace Castio.Core.Storage;

/// <summary>
/// Group commit for table writes. Writes to one partition that arrive while an earlier write to it is in flight are
/// sent together as one entity-group transaction (up to 100 actions, well under 4 MiB), so a burst of N writers costs a
/// handful of requests instead of N. A lone write goes out at once as a plain request: no added latency when idle.
/// Each caller still gets its own outcome: when one action of a transaction fails (a 409 on an add, a 412 on a
/// conditional update), only its caller sees the failure and the others are sent again without it.
/// </summary>
public sealed class TableBatcher
{
    public const int MaxActions = 100;

    /// <summary>Transactions are limited to 4 MiB; stay well clear of it (entity sizes are estimates).</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    private const int MaxIdleLanes = 10_000;
    private readonly ConcurrentDictionary<(TableClient Table, string Partition), Lane> _lanes = new();

    /// <summary>Sends <paramref name="action"/> with whatever else is waiting for its partition; gives the stored entity's new ETag.</summary>
    /// <param name="approximateBytes">Roughly how large the entity is on the wire (large binary properties matter).</param>
    public Task<ETag> SubmitAsync(TableClient table, TableTransactionAction action, int approximateBytes = 1024, CancellationToken cancellationToken = default)
    {
        var key = (table, action.Entity.PartitionKey);
        if (_lanes.Count > MaxIdleLanes)
        {
            foreach (var (k, idle) in _lanes)
            {
                if (idle.IsIdle)
                {
                    _lanes.TryRemove(KeyValuePair.Create(k, idle));
                }
            }
        }

        var lane = _lanes.GetOrAdd(key, _ => new Lane(table));
        return lane.Enqueue(new Pending(action, approximateBytes)).WaitAsync(cancellationToken);
    }

    private sealed record Pending(TableTransactionAction Action, int Bytes)
    {
        public TaskCompletionSource<ETag> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Lane(TableClient table)
    {
        private readonly Lock _gate = new();
        private readonly List<Pending> _queue = [];
        private bool _running;

        public bool IsIdle
        {
            get
            {
                lock (_gate)
                {
                    return !_running && _queue.Count == 0;
                }
            }
        }

        public Task<ETag> Enqueue(Pending pending)
        {
            lock (_gate)
            {
                _queue.Add(pending);
                if (!_running)
                {
                    _running = true;
                    _ = Task.Run(DrainAsync);
                }
            }

            return pending.Done.Task;
        }

        private async Task DrainAsync()
        {
            while (Take() is { Count: > 0 } batch)
            {
                await SendAsync(batch);
            }
        }

        /// <summary>The next transaction: oldest first, one action per row (a later write to a row waits for the next), within the limits.</summary>
        private List<Pending> Take()
        {
            lock (_gate)
            {
                var batch = new List<Pending>();
                var rows = new HashSet<string>(StringComparer.Ordinal);
                var bytes = 0;
                for (var i = 0; i < _queue.Count && batch.Count < MaxActions; i++)
                {
                    var p = _queue[i];
                    if (batch.Count > 0 && bytes + p.Bytes > MaxBytes)
                    {
                        break;
                    }

                    if (!rows.Add(p.Action.Entity.RowKey))
                    {
                        // Keep per-row order: nothing for this row may overtake it.
                        continue;
                    }

                    batch.Add(p);
                    bytes += p.Bytes;
                    _queue.RemoveAt(i--);
                }

                if (batch.Count == 0)
                {
                    _running = false;
                }

                return batch;
            }
        }

        private async Task SendAsync(List<Pending> batch)
        {
            while (batch.Count > 0)
            {
                try
                {
                    if (batch.Count == 1)
                    {
                        batch[0].Done.TrySetResult((await SendOneAsync(batch[0].Action)).Headers.ETag ?? default);
                        return;
                    }

                    var responses = (await table.SubmitTransactionAsync(batch.Select(p => p.Action), CancellationToken.None)).Value;
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Done.TrySetResult(i < responses.Count ? responses[i].Headers.ETag ?? default : default);
                    }

                    return;
                }
                catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex is int index && index < batch.Count)
                {
                    // Only that action failed; the transaction stored nothing, so the rest go again.
                    batch[index].Done.TrySetException(new RequestFailedException(e.Status, e.Message, e.ErrorCode, e));
                    batch.RemoveAt(index);
                }
                catch (Exception e)
                {
                    foreach (var p in batch)
                    {
                        p.Done.TrySetException(e);
                    }

                    return;
                }
            }
        }

        private Task<Response> SendOneAsync(TableTransactionAction a) => a.ActionType switch
        {
            TableTransactionActionType.Add => table.AddEntityAsync(a.Entity, CancellationToken.None),
            TableTransactionActionType.UpsertMerge => table.UpsertEntityAsync(a.Entity, TableUpdateMode.Merge, CancellationToken.None),
            TableTransactionActionType.UpsertReplace => table.UpsertEntityAsync(a.Entity, TableUpdateMode.Replace, CancellationToken.None),
            TableTransactionActionType.UpdateMerge => table.UpdateEntityAsync(a.Entity, a.ETag, TableUpdateMode.Merge, CancellationToken.None),
            TableTransactionActionType.UpdateReplace => table.UpdateEntityAsync(a.Entity, a.ETag, TableUpdateMode.Replace, CancellationToken.None),
            TableTransactionActionType.Delete => table.DeleteEntityAsync(a.Entity.PartitionKey, a.Entity.RowKey, a.ETag, CancellationToken.None),
            _ => throw new ArgumentOutOfRangeException(nameof(a), a.ActionType, "Unknown table action."),
        };
    }
}
