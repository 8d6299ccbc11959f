using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Retention;
using Castio.Core.Storage;

namespace Castio.Core.Abuse;

public readonly record struct RateLimitDecision(bool Allowed, int Remaining, TimeSpan RetryAfter);

/// <summary>A counted request; <see cref="RateLimiter.ReleaseAsync"/> takes it back when it should not count.</summary>
public sealed record RateLimitReservation(RateLimitDecision Decision)
{
    internal string? Partition { get; init; }
    internal int Slot { get; init; } = -1;
}

/// <summary>One counted request: partition = rule + hashed key + window, row = its slot number.</summary>
public sealed class RateLimitEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>
/// Sliding-window limits in Table Storage, shared by every instance. The estimate is the current
/// window's count plus the previous window's, weighted by how much of it still overlaps the last
/// <c>Window</c>; it smooths the double burst a fixed window allows at its edge. Refused requests are
/// not counted.
/// <para>
/// Nothing is updated in place, so no request waits on another's ETag: a counted request inserts its
/// own row whose key is a slot number, and a slot can only be inserted once, so the table stays the
/// truth across instances. Each instance hands out slots from memory (lowest free first) and learns of
/// slots other instances took from the insert's conflict. A request is allowed only if its slot fits
/// under the estimate; distinct slots make the limit exact. Once the window is full, refusals are
/// answered from memory without any storage call.
/// </para>
/// </summary>
public sealed class RateLimiter
{
    /// <summary>The <c>ratelimits</c> table: partition = rule + hashed key + window, row = slot.</summary>
    public const string TableName = "ratelimits";

    private const int PruneEvery = 256;
    private static readonly string[] KeysOnly = ["PartitionKey", "RowKey"];

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly TableClient _table;
    private readonly CreateOnce _created;
    private readonly ExpiryStore _expiries;
    private readonly TimeProvider _time;
    private int _calls;

    public RateLimiter(TableServiceClient tables, ExpiryStore expiries, TimeProvider time, string namePrefix = "")
    {
        _table = tables.GetTableClient(namePrefix + TableName);
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
        _expiries = expiries;
        _time = time;
    }

    /// <summary>Counts one request if it fits under the limit.</summary>
    public async Task<RateLimitDecision> AcquireAsync(RateLimitRule rule, string key, CancellationToken cancellationToken) =>
        (await ReserveAsync(rule, key, cancellationToken)).Decision;

    /// <summary>Counts one request if it fits under the limit, and says how to take it back.</summary>
    public async Task<RateLimitReservation> ReserveAsync(RateLimitRule rule, string key, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = _time.GetUtcNow();
            var number = WindowOf(rule, now);
            var window = await WindowAsync(rule, key, number, cancellationToken);
            var (decision, slot) = window.Take(rule, now);
            if (slot < 0)
            {
                return new RateLimitReservation(decision);
            }

            try
            {
                await _table.AddEntityAsync(
                    new RateLimitEntity { PartitionKey = window.Partition, RowKey = RowKey(slot), ExpiresAt = WindowStart(rule, number + 2) },
                    cancellationToken);
                return new RateLimitReservation(decision) { Partition = window.Partition, Slot = slot };
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Another instance holds this slot; it stays marked taken here, and the next one is tried.
            }
            catch
            {
                window.Free(slot);
                throw;
            }
        }
    }

    /// <summary>Takes back a counted request (its slot becomes free again on this instance).</summary>
    public async Task ReleaseAsync(RateLimitReservation reservation, CancellationToken cancellationToken)
    {
        if (reservation.Partition is not { } partition || reservation.Slot < 0)
        {
            return;
        }

        await _table.DeleteEntityAsync(partition, RowKey(reservation.Slot), cancellationToken: cancellationToken);
        if (_windows.TryGetValue(partition, out var window))
        {
            window.Free(reservation.Slot);
        }
    }

    /// <summary>Tells whether one more request would fit, without counting it.</summary>
    public async Task<RateLimitDecision> CheckAsync(RateLimitRule rule, string key, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var window = await WindowAsync(rule, key, WindowOf(rule, now), cancellationToken);
        return window.Peek(rule, now);
    }

    /// <summary>This instance's view of one key's window, read from the table once.</summary>
    private async Task<Window> WindowAsync(RateLimitRule rule, string key, long number, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _calls) % PruneEvery == 0)
        {
            Prune();
        }

        var partition = Partition(rule, key, number);
        var window = _windows.GetOrAdd(partition, p => new Window(p, rule, number));
        // Shared by every request on the key, and not cancelled with the first one.
        var load = window.Load(() => LoadAsync(window, rule, key, number, CancellationToken.None));
        try
        {
            await load.WaitAsync(cancellationToken);
            return window;
        }
        catch (Exception) when (load.IsFaulted)
        {
            // Storage failed: forget this view so the next request reads again, and report the failure.
            _windows.TryRemove(KeyValuePair.Create(partition, window));
            throw;
        }
    }

    private async Task LoadAsync(Window window, RateLimitRule rule, string key, long number, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        // The pointer goes first, so every row this window gets is swept when it can no longer matter. The pointers of
        // one rule's window share a shard: the first requests of many keys at once file theirs in a few transactions.
        var pointer = _expiries.AddAsync(WindowStart(rule, number + 2), rule.Name + "|" + number.ToString(CultureInfo.InvariantCulture),
            [new(TableName, window.Partition)], cancellationToken);
        var slots = SlotsAsync(Partition(rule, key, number - 1), window.Partition, cancellationToken);
        await Task.WhenAll(pointer, slots);
        var (current, previous) = await slots;
        window.Fill(current, previous);
    }

    /// <summary>
    /// The slots taken in the current window and how many in the previous one, in one query: the two partitions are
    /// neighbours (the window number is the fixed-width end of the key), so one range covers exactly them.
    /// </summary>
    private async Task<(List<int> Current, int Previous)> SlotsAsync(string previousPartition, string currentPartition, CancellationToken cancellationToken)
    {
        var (current, previous) = (new List<int>(), 0);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {previousPartition} and PartitionKey le {currentPartition}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: KeysOnly, cancellationToken: cancellationToken))
        {
            if (!int.TryParse(row.RowKey, NumberStyles.None, CultureInfo.InvariantCulture, out var slot))
            {
                continue;
            }

            if (row.PartitionKey == currentPartition)
            {
                current.Add(slot);
            }
            else if (row.PartitionKey == previousPartition)
            {
                previous++;
            }
        }

        return (current, previous);
    }

    private void Prune()
    {
        var now = _time.GetUtcNow();
        foreach (var (partition, window) in _windows)
        {
            if (window.Number < WindowOf(window.Rule, now))
            {
                _windows.TryRemove(KeyValuePair.Create(partition, window));
            }
        }
    }

    private static RateLimitDecision Decide(RateLimitRule rule, DateTimeOffset now, long window, int previous, int current)
    {
        var w = rule.Window.TotalSeconds;
        var f = (now - WindowStart(rule, window)).TotalSeconds / w;
        var limit = rule.Limit;
        var estimate = (previous * (1 - f)) + current;
        if (estimate + 1 <= limit)
        {
            return new RateLimitDecision(true, (int)Math.Max(0, Math.Floor(limit - estimate - 1)), TimeSpan.Zero);
        }

        // Earliest time the estimate has room for one more, assuming nothing else arrives.
        double wait;
        if (current + 1 <= limit)
        {
            wait = w * Math.Max(0, 1 - f - ((limit - 1 - current) / (double)previous));
        }
        else
        {
            wait = ((1 - f) * w) + (w * (1 - ((limit - 1) / (double)current)));
        }

        return new RateLimitDecision(false, 0, TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(wait + 0.001))));
    }

    private static long WindowOf(RateLimitRule rule, DateTimeOffset now) => now.UtcTicks / rule.Window.Ticks;

    private static DateTimeOffset WindowStart(RateLimitRule rule, long window) => new(window * rule.Window.Ticks, TimeSpan.Zero);

    private static string RowKey(int slot) => slot.ToString("D6", CultureInfo.InvariantCulture);

    // Keys may be e-mails or addresses; hashing keeps them out of storage and inside key rules.
    private static string Partition(RateLimitRule rule, string key, long window) =>
        rule.Name + "|" + TableKeys.Hash(key)[..40] + "|" + window.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>
    /// The slots of one key's window as this instance knows them. A request's slot number stands for
    /// the count before it: slots are handed out lowest first, so all counted requests hold distinct
    /// slots below the estimate's room, wherever they were counted.
    /// </summary>
    private sealed class Window(string partition, RateLimitRule rule, long number)
    {
        private readonly Lock _gate = new();
        private readonly HashSet<int> _taken = [];
        private Task? _load;
        private int _previous;

        public string Partition { get; } = partition;
        public RateLimitRule Rule { get; } = rule;
        public long Number { get; } = number;

        public Task Load(Func<Task> load)
        {
            lock (_gate)
            {
                return _load ??= load();
            }
        }

        public void Fill(IEnumerable<int> taken, int previous)
        {
            lock (_gate)
            {
                _taken.UnionWith(taken);
                _previous = previous;
            }
        }

        public RateLimitDecision Peek(RateLimitRule rule, DateTimeOffset now)
        {
            lock (_gate)
            {
                return Decide(rule, now, Number, _previous, LowestFree());
            }
        }

        /// <summary>The decision and, when it counts, the slot it took (else -1).</summary>
        public (RateLimitDecision Decision, int Slot) Take(RateLimitRule rule, DateTimeOffset now)
        {
            lock (_gate)
            {
                var slot = LowestFree();
                var decision = Decide(rule, now, Number, _previous, slot);
                if (!decision.Allowed)
                {
                    return (decision, -1);
                }

                _taken.Add(slot);
                return (decision, slot);
            }
        }

        public void Free(int slot)
        {
            lock (_gate)
            {
                _taken.Remove(slot);
            }
        }

        private int LowestFree()
        {
            var slot = 0;
            while (_taken.Contains(slot))
            {
                slot++;
            }

            return slot;
        }
    }
}
