using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Castio.Core.Retention;
using Microsoft.Extensions.Logging.Abstractions;

namespace Castio.Bench.Retention;

/// <summary>
/// The retention sweep's cost with N rows due, among a small and a large table of rows that are not due
/// (each with its own expiry pointer, as features file them). Prints storage requests and wall time per
/// sweep, and the large/small ratio: it stays near 1 when cost follows what is due, not table size.
/// Usage: <c>dotnet run -c Release --project bench/retention -- --storage "conn" [--small 200] [--large 20000] [--due 50,200] [--rounds 3]</c>.
/// </summary>
internal static class RetentionBench
{
    private const string Table = "benchrows";

    private static async Task<int> Main(string[] args)
    {
        var storage = Arg(args, "--storage") ?? throw new ArgumentException("--storage <connection string> is required");
        var small = int.Parse(Arg(args, "--small") ?? "200", CultureInfo.InvariantCulture);
        var large = int.Parse(Arg(args, "--large") ?? "20000", CultureInfo.InvariantCulture);
        var dues = (Arg(args, "--due") ?? "50,200").Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var rounds = int.Parse(Arg(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);

        var requests = new RequestCounter();
        var options = new TableClientOptions();
        options.AddPolicy(requests, HttpPipelinePosition.PerCall);
        var service = new TableServiceClient(storage, options);

        await RunAsync(service, requests, small, 10); // warm-up: JIT, connections
        Console.WriteLine($"retention sweep: rows due N among live rows (each with an expiry pointer), {rounds} rounds per cell, medians");
        Console.WriteLine($"{"live rows",10} {"due N",6} {"requests",9} {"ms",8} {"ms/due",7}");
        var results = new Dictionary<(int Live, int Due), (double Requests, double Ms)>();
        foreach (var due in dues)
        {
            foreach (var live in new[] { small, large })
            {
                var (reqs, times) = (new List<double>(), new List<double>());
                for (var round = 0; round < rounds; round++)
                {
                    var (r, ms) = await RunAsync(service, requests, live, due);
                    reqs.Add(r);
                    times.Add(ms);
                }

                var cell = (Median(reqs), Median(times));
                results[(live, due)] = cell;
                Console.WriteLine($"{live,10} {due,6} {cell.Item1,9:0} {cell.Item2,8:0} {cell.Item2 / due,7:0.00}");
            }
        }

        foreach (var due in dues)
        {
            var (s, l) = (results[(small, due)], results[(large, due)]);
            Console.WriteLine($"N={due}: large/small table ({large}/{small} live rows, {(double)large / small:0}x): requests {l.Requests / s.Requests:0.00}x, time {l.Ms / s.Ms:0.00}x");
        }

        if (dues.Length > 1)
        {
            var (lo, hi) = (dues.Min(), dues.Max());
            Console.WriteLine($"N={hi} vs N={lo} ({(double)hi / lo:0}x due), large table: requests {results[(large, hi)].Requests / results[(large, lo)].Requests:0.00}x, time {results[(large, hi)].Ms / results[(large, lo)].Ms:0.00}x");
        }

        return 0;
    }

    /// <summary>A fresh prefix: <paramref name="live"/> rows not due and <paramref name="due"/> rows due, then one timed sweep.</summary>
    private static async Task<(int Requests, double Ms)> RunAsync(TableServiceClient service, RequestCounter requests, int live, int due)
    {
        var prefix = "b" + Guid.NewGuid().ToString("N")[..10];
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        var store = new ExpiryStore(service, prefix);
        await store.EnsureCreatedAsync(default);
        var table = store.Table(Table);
        await table.CreateIfNotExistsAsync();

        // Due rows expire in a day, live ones in a year; all are written now, pointers first.
        await FillAsync(store, table, "due", due, clock.GetUtcNow().AddDays(1));
        await FillAsync(store, table, "live", live, clock.GetUtcNow().AddDays(365));
        clock.Now = clock.Now.AddDays(2);

        var sweeper = new ExpirySweeper(store, clock, NullLogger<ExpirySweeper>.Instance);
        requests.Reset();
        var watch = Stopwatch.StartNew();
        var deleted = await sweeper.SweepAsync(default);
        watch.Stop();
        var count = requests.Count;
        if (deleted != due)
            throw new InvalidOperationException($"swept {deleted}, expected {due}");
        await table.DeleteAsync();
        await store.Expiries.DeleteAsync();
        return (count, watch.Elapsed.TotalMilliseconds);
    }

    private static async Task FillAsync(ExpiryStore store, TableClient table, string kind, int count, DateTimeOffset expiresAt)
    {
        const int Batch = 100;
        var batches = Enumerable.Range(0, (count + Batch - 1) / Batch).Select(async b =>
        {
            var partition = $"{kind}-{b:D5}";
            var rows = Enumerable.Range(0, Math.Min(Batch, count - (b * Batch)))
                .Select(i => new TableEntity(partition, i.ToString("D3", CultureInfo.InvariantCulture)) { ["ExpiresAt"] = expiresAt, ["Payload"] = new string('x', 200) })
                .ToList();
            await store.AddAsync(expiresAt, partition, [.. rows.Select(r => new ExpiryTarget(Table, r.PartitionKey, r.RowKey))], default);
            await table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), default);
        });
        // A few batches at a time: Azurite is single-threaded.
        foreach (var chunk in batches.Chunk(8))
            await Task.WhenAll(chunk);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Reset() => Volatile.Write(ref _count, 0);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
