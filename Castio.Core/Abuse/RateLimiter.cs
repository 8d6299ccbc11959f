using System.Globalization;
using Azure;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Retention;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Abuse;

public readonly record struct RateLimitDecision(bool Allowed, int Remaining, TimeSpan RetryAfter);

/// <summary>One window's counter: partition = rule + hashed key, row = window number.</summary>
public sealed class RateLimitEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int Count { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>
/// Sliding-window counters in Table Storage, shared by every instance (seed §6.8). The estimate
/// is the current window's count plus the previous window's, weighted by how much of it still
/// overlaps the last <c>Window</c>; it smooths the double burst a fixed window allows at its
/// edge. Increments use ETag concurrency, so parallel requests on many instances never lose a
/// count. Refused requests are not counted.
/// </summary>
public sealed partial class RateLimiter(OrgTables tables, ExpiryStore expiries, TimeProvider time, ILogger<RateLimiter> logger)
{
    private const int MaxAttempts = 8;

    /// <summary>Counts one request if it fits under the limit.</summary>
    public Task<RateLimitDecision> AcquireAsync(RateLimitRule rule, string key, CancellationToken cancellationToken) =>
        HitAsync(rule, key, enforce: true, cancellationToken);

    /// <summary>Counts one event whatever the current count (e.g. a failed login).</summary>
    public async Task RecordAsync(RateLimitRule rule, string key, CancellationToken cancellationToken) =>
        await HitAsync(rule, key, enforce: false, cancellationToken);

    /// <summary>Tells whether one more event would fit, without counting it.</summary>
    public async Task<RateLimitDecision> CheckAsync(RateLimitRule rule, string key, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var window = WindowOf(rule, now);
        var (previous, current) = await ReadAsync(Partition(rule, key), window, cancellationToken);
        return Decide(rule, now, window, previous?.Count ?? 0, current?.Count ?? 0);
    }

    private async Task<RateLimitDecision> HitAsync(RateLimitRule rule, string key, bool enforce, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var partition = Partition(rule, key);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = time.GetUtcNow();
            var window = WindowOf(rule, now);
            var (previous, current) = await ReadAsync(partition, window, cancellationToken);
            var decision = Decide(rule, now, window, previous?.Count ?? 0, current?.Count ?? 0);
            if (enforce && !decision.Allowed)
            {
                return decision;
            }

            try
            {
                if (current is null)
                {
                    await expiries.AddAsync(WindowStart(rule, window + 2), partition, [new(OrgTables.RateLimitsTable, partition, RowKey(window))], cancellationToken);
                    await tables.RateLimits.AddEntityAsync(
                        new RateLimitEntity { PartitionKey = partition, RowKey = RowKey(window), Count = 1, ExpiresAt = WindowStart(rule, window + 2) },
                        cancellationToken);
                }
                else
                {
                    current.Count++;
                    await tables.RateLimits.UpdateEntityAsync(current, current.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return decision;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another request counted first; read again.
            }
        }

        // Sustained contention on one key is itself a burst: refuse rather than let it through.
        LogContention(logger, rule.Name);
        return new RateLimitDecision(false, 0, TimeSpan.FromSeconds(1));
    }

    private RateLimitDecision Decide(RateLimitRule rule, DateTimeOffset now, long window, int previous, int current)
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

    private async Task<(RateLimitEntity? Previous, RateLimitEntity? Current)> ReadAsync(string partition, long window, CancellationToken cancellationToken)
    {
        var previous = tables.RateLimits.GetEntityIfExistsAsync<RateLimitEntity>(partition, RowKey(window - 1), cancellationToken: cancellationToken);
        var current = tables.RateLimits.GetEntityIfExistsAsync<RateLimitEntity>(partition, RowKey(window), cancellationToken: cancellationToken);
        var p = await previous;
        var c = await current;
        return (p.ValueOrNull(), c.ValueOrNull());
    }

    private static long WindowOf(RateLimitRule rule, DateTimeOffset now) => now.UtcTicks / rule.Window.Ticks;

    private static DateTimeOffset WindowStart(RateLimitRule rule, long window) => new(window * rule.Window.Ticks, TimeSpan.Zero);

    private static string RowKey(long window) => window.ToString("D19", CultureInfo.InvariantCulture);

    // Keys may be e-mails or addresses; hashing keeps them out of storage and inside key rules.
    private static string Partition(RateLimitRule rule, string key) => rule.Name + "|" + OpaqueToken.Hash(key)[..40];

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Rate limit {Rule} refused a request after repeated write conflicts")]
    private static partial void LogContention(ILogger logger, string rule);
}
