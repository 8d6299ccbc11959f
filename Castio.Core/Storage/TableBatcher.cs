using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;

namespace Castio.Core.Storage;

/// <summary>
/// Group commit for table writes. Writes to one partition that arrive while an earlier write to it is in flight are
/// sent together as one entity-group transaction (up to 100 actions, well under 4 MiB), so a burst of N writers costs a
/// handful of requests instead of N. A lone write goes out at once as a plain request: no added latency when idle.
/// Each caller still gets its own outcome: when one action of a transaction fails (a 409 on an add, a 412 on a
/// conditional update), only its caller sees the failure and the others are sent again without it. Actions that must
/// be stored together are submitted as one group: they always travel in the same transaction. Upserts of a row that
/// queue behind one another are joined into one write.
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
    public async Task<ETag> SubmitAsync(TableClient table, TableTransactionAction action, int approximateBytes = 1024, CancellationToken cancellationToken = default) =>
        (await SubmitGroupAsync(table, [action], approximateBytes, cancellationToken))[0];

    /// <summary>Sends actions on one partition, at most 100, that are stored all or none; gives their new ETags in order.</summary>
    public Task<ETag[]> SubmitGroupAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, int approximateBytes = 1024, CancellationToken cancellationToken = default)
    {
        if (actions.Count is 0 or > MaxActions || actions.Any(a => a.Entity.PartitionKey != actions[0].Entity.PartitionKey))
        {
            throw new ArgumentException("A group is 1 to 100 actions on one partition.", nameof(actions));
        }

        var key = (table, actions[0].Entity.PartitionKey);
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
        return lane.Enqueue(new Pending(actions, approximateBytes)).WaitAsync(cancellationToken);
    }

    private sealed record Pending(IReadOnlyList<TableTransactionAction> Actions, int Bytes)
    {
        public TaskCompletionSource<ETag[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
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

        public Task<ETag[]> Enqueue(Pending pending)
        {
            lock (_gate)
            {
                if (Coalesce(pending))
                {
                    return pending.Done.Task;
                }

                _queue.Add(pending);
                if (!_running)
                {
                    _running = true;
                    _ = Task.Run(DrainAsync);
                }
            }

            return pending.Done.Task;
        }

        /// <summary>
        /// An upsert of a row whose last queued write (not yet sent) is also an upsert joins it: one action leaves
        /// the row as the two would in turn (a replace wins; merges combine, the later value of a property wins), and
        /// both callers get its outcome. Repeated marks of one row in a burst then cost one write, not one each.
        /// </summary>
        private bool Coalesce(Pending pending)
        {
            if (pending.Actions is not [{ } next] || !IsUpsert(next))
            {
                return false;
            }

            for (var i = _queue.Count - 1; i >= 0; i--)
            {
                var queued = _queue[i];
                if (!queued.Actions.Any(a => a.Entity.RowKey == next.Entity.RowKey))
                {
                    continue;
                }

                if (queued.Actions is not [{ } last] || !IsUpsert(last) || Combine(last, next) is not { } combined)
                {
                    return false;
                }

                // The joined write keeps the queued one's place and completion; the newcomer completes with it.
                _queue[i] = queued with { Actions = [combined], Bytes = Math.Max(queued.Bytes, pending.Bytes) };
                _ = queued.Done.Task.ContinueWith(
                    (t, state) => Forward(t, (TaskCompletionSource<ETag[]>)state!),
                    pending.Done, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return true;
            }

            return false;
        }

        private static bool IsUpsert(TableTransactionAction a) =>
            a.ActionType is TableTransactionActionType.UpsertMerge or TableTransactionActionType.UpsertReplace;

        /// <summary>What the two upserts leave, as one; null when they cannot be told apart from typed entities.</summary>
        private static TableTransactionAction? Combine(TableTransactionAction first, TableTransactionAction second)
        {
            if (second.ActionType == TableTransactionActionType.UpsertReplace)
            {
                return second;
            }

            if (first.Entity is not TableEntity earlier || second.Entity is not TableEntity later)
            {
                return null;
            }

            var entity = new TableEntity(earlier);
            foreach (var (name, value) in later)
            {
                entity[name] = value;
            }

            return new TableTransactionAction(first.ActionType, entity);
        }

        private static void Forward(Task<ETag[]> from, TaskCompletionSource<ETag[]> to)
        {
            if (from.IsFaulted)
            {
                to.TrySetException(from.Exception!.InnerExceptions);
            }
            else if (from.IsCanceled)
            {
                to.TrySetCanceled();
            }
            else
            {
                to.TrySetResult(from.Result);
            }
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
                var (actions, bytes) = (0, 0);
                for (var i = 0; i < _queue.Count; i++)
                {
                    var p = _queue[i];
                    if (batch.Count > 0 && (actions + p.Actions.Count > MaxActions || bytes + p.Bytes > MaxBytes))
                    {
                        break;
                    }

                    if (p.Actions.Any(a => rows.Contains(a.Entity.RowKey)))
                    {
                        // Keep per-row order: nothing for these rows may overtake it (and a row appears once per transaction).
                        foreach (var a in p.Actions)
                        {
                            rows.Add(a.Entity.RowKey);
                        }

                        continue;
                    }

                    foreach (var a in p.Actions)
                    {
                        rows.Add(a.Entity.RowKey);
                    }

                    batch.Add(p);
                    (actions, bytes) = (actions + p.Actions.Count, bytes + p.Bytes);
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
                    if (batch is [{ Actions: [var single] } only])
                    {
                        only.Done.TrySetResult([(await SendOneAsync(single)).Headers.ETag ?? default]);
                        return;
                    }

                    var responses = (await table.SubmitTransactionAsync(batch.SelectMany(p => p.Actions), CancellationToken.None)).Value;
                    var at = 0;
                    foreach (var p in batch)
                    {
                        var etags = new ETag[p.Actions.Count];
                        for (var j = 0; j < etags.Length; j++, at++)
                        {
                            etags[j] = at < responses.Count ? responses[at].Headers.ETag ?? default : default;
                        }

                        p.Done.TrySetResult(etags);
                    }

                    return;
                }
                catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex is int index && Owner(batch, index) is { } failed)
                {
                    // Only that group failed; the transaction stored nothing, so the rest go again.
                    failed.Done.TrySetException(new RequestFailedException(e.Status, e.Message, e.ErrorCode, e));
                    batch.Remove(failed);
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

        private static Pending? Owner(List<Pending> batch, int actionIndex)
        {
            foreach (var p in batch)
            {
                if (actionIndex < p.Actions.Count)
                {
                    return p;
                }

                actionIndex -= p.Actions.Count;
            }

            return null;
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
