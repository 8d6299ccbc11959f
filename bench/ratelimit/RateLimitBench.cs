using System.Diagnostics;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Retention;
using Castio.LocalHost;
using Microsoft.Extensions.Logging.Abstractions;

namespace Castio.Bench.RateLimit;

/// <summary>
/// Prints the latency of 64 concurrent acquisitions on one key, for the previous limiter (one window
/// entity updated under ETag retries, reimplemented below as the baseline) and the current one, in the
/// same process against the same Azurite, rounds interleaved. Each round uses a fresh key.
/// Usage: <c>dotnet run -c Release --project bench/ratelimit [-- rounds]</c>.
/// </summary>
internal static class RateLimitBench
{
    private const int Concurrency = 64;

    private static async Task<int> Main(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        var root = AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found");
        await using var azurite = await AzuriteProcess.StartAsync(new AzuriteStartOptions(root), NullLogger.Instance);
        var service = new TableServiceClient(azurite.ConnectionString);
        var rateLimits = service.GetTableClient("bench" + RateLimiter.TableName);
        await rateLimits.CreateIfNotExistsAsync();
        var current = new RateLimiter(service, new ExpiryStore(service, "bench"), TimeProvider.System, "bench");
        var previous = new EtagRateLimiter(rateLimits);

        foreach (var limit in new[] { 100, 10 })
        {
            var rule = new RateLimitRule("bench." + limit, limit, TimeSpan.FromMinutes(1));
            // Warm-up: connections, JIT, table creation.
            await RoundAsync(k => previous.AcquireAsync(rule, k), "warm-prev");
            await RoundAsync(k => current.AcquireAsync(rule, k, default), "warm-curr");

            var (prevTimes, prevAllowed, currTimes, currAllowed) = (new List<double>(), 0, new List<double>(), 0);
            for (var round = 0; round < rounds; round++)
            {
                var p = await RoundAsync(k => previous.AcquireAsync(rule, k), $"p{round}");
                prevTimes.AddRange(p.Times);
                prevAllowed += p.Allowed;
                var c = await RoundAsync(k => current.AcquireAsync(rule, k, default), $"c{round}");
                currTimes.AddRange(c.Times);
                currAllowed += c.Allowed;
            }

            Console.WriteLine($"{Concurrency} concurrent acquisitions on one key, limit {limit}/min, {rounds} rounds (fresh key each):");
            Report("  previous (ETag retries on one window row)", prevTimes, prevAllowed, rounds);
            Report("  current (slot rows, refusals from memory)", currTimes, currAllowed, rounds);
        }

        // A key whose window is already full: every request is refused.
        var full = new RateLimitRule("bench.full", 10, TimeSpan.FromMinutes(1));
        var (prevFull, currFull) = (new List<double>(), new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            var key = "full:" + Guid.NewGuid().ToString("N");
            await RoundAsync(k => previous.AcquireAsync(full, k), key: key);
            prevFull.AddRange((await RoundAsync(k => previous.AcquireAsync(full, k), key: key)).Times);
            await RoundAsync(k => current.AcquireAsync(full, k, default), key: key);
            currFull.AddRange((await RoundAsync(k => current.AcquireAsync(full, k, default), key: key)).Times);
        }

        Console.WriteLine($"{Concurrency} concurrent acquisitions on a key whose window is full (limit 10/min), {rounds} rounds:");
        Report("  previous", prevFull, 0, rounds);
        Report("  current", currFull, 0, rounds);
        return 0;
    }

    private static async Task<(List<double> Times, int Allowed)> RoundAsync(Func<string, Task<RateLimitDecision>> acquire, string round = "", string? key = null)
    {
        key ??= "user:" + round + ":" + Guid.NewGuid().ToString("N");
        var tasks = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            await Task.Yield();
            var clock = Stopwatch.StartNew();
            var decision = await acquire(key);
            return (clock.Elapsed.TotalMilliseconds, decision.Allowed);
        }).ToList();
        var results = await Task.WhenAll(tasks);
        return ([.. results.Select(r => r.TotalMilliseconds)], results.Count(r => r.Allowed));
    }

    private static void Report(string name, List<double> times, int allowed, int rounds)
    {
        times.Sort();
        double P(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: p50 {P(0.50),8:F2} ms  p95 {P(0.95),8:F2} ms  max {times[^1],8:F2} ms  allowed per round {allowed / (double)rounds:F1}"));
    }

    /// <summary>The previous algorithm: read the window rows, then insert or ETag-update the current one; retry on conflict.</summary>
    private sealed class EtagRateLimiter(TableClient table)
    {
        private const int MaxAttempts = 8;

        public async Task<RateLimitDecision> AcquireAsync(RateLimitRule rule, string key)
        {
            var partition = "prev|" + rule.Name + "|" + OpaqueToken.Hash(key)[..40];
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var now = DateTimeOffset.UtcNow;
                var window = now.UtcTicks / rule.Window.Ticks;
                var previousRead = table.GetEntityIfExistsAsync<WindowEntity>(partition, RowKey(window - 1));
                var currentRead = table.GetEntityIfExistsAsync<WindowEntity>(partition, RowKey(window));
                var (p, c) = (await previousRead, await currentRead);
                var current = c.HasValue ? c.Value : null;
                var f = (now - new DateTimeOffset(window * rule.Window.Ticks, TimeSpan.Zero)).TotalSeconds / rule.Window.TotalSeconds;
                var estimate = ((p.HasValue ? p.Value!.Count : 0) * (1 - f)) + (current?.Count ?? 0);
                if (estimate + 1 > rule.Limit)
                {
                    return new RateLimitDecision(false, 0, TimeSpan.FromSeconds(1));
                }

                try
                {
                    if (current is null)
                    {
                        await table.AddEntityAsync(new WindowEntity { PartitionKey = partition, RowKey = RowKey(window), Count = 1 });
                    }
                    else
                    {
                        current.Count++;
                        await table.UpdateEntityAsync(current, current.ETag, TableUpdateMode.Replace);
                    }

                    return new RateLimitDecision(true, 0, TimeSpan.Zero);
                }
                catch (RequestFailedException e) when (e.Status is 409 or 412)
                {
                }
            }

            return new RateLimitDecision(false, 0, TimeSpan.FromSeconds(1));
        }

        private static string RowKey(long window) => window.ToString("D19", CultureInfo.InvariantCulture);
    }

    private sealed class WindowEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";
        public string RowKey { get; set; } = "";
        public DateTimeOffset? Timestamp { get; set; }
        public ETag ETag { get; set; }
        public int Count { get; set; }
    }
}
