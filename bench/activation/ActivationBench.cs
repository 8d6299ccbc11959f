using System.Diagnostics;
using Azure.Data.Tables;
using Castio.Core.Meetings;
using Castio.Core.Orgs;
using Castio.Core.Scheduling;
using Castio.Functions;
using Castio.RtkSimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Castio.Bench.Activation;

/// <summary>
/// The activation sweep's cost when 100 meetings are due, with 100 scheduled in all versus 100,000
/// scheduled (the rest due later). Each scenario gets its own tables (storage name prefix); the sweep
/// runs in process with the app's own services, against Azurite and the in-process RTK simulator.
/// Usage: <c>--storage "connection string" [--due 100] [--scheduled 100000] [--rounds 3]</c>.
/// </summary>
internal static class ActivationBench
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private const int Orgs = 10;

    private static async Task<int> Main(string[] args)
    {
        string? storage = null;
        int due = 100, scheduled = 100_000, rounds = 3;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--storage": storage = args[i + 1]; break;
                case "--due": due = int.Parse(args[i + 1]); break;
                case "--scheduled": scheduled = int.Parse(args[i + 1]); break;
                case "--rounds": rounds = int.Parse(args[i + 1]); break;
            }
        }

        if (storage is null)
        {
            Console.Error.WriteLine("usage: --storage \"connection string\" [--due 100] [--scheduled 100000] [--rounds 3]");
            return 2;
        }

        await using var sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions { RateLimitRequests = 1_000_000 });
        var small = await Scenario.CreateAsync("benchsmall", storage, sim, due, due, rounds);
        var large = await Scenario.CreateAsync("benchlarge", storage, sim, due, scheduled, rounds);
        Console.WriteLine($"seeded: {small.Describe()}; {large.Describe()}");

        // Warm both (JIT, connections, table creation) on a throwaway round before timing.
        await small.SweepAsync(0);
        await large.SweepAsync(0);
        var smallTimes = new List<(double Sweep, double Take)>();
        var largeTimes = new List<(double Sweep, double Take)>();
        for (var round = 1; round <= rounds; round++)
        {
            smallTimes.Add(await small.SweepAsync(round));
            largeTimes.Add(await large.SweepAsync(round));
        }

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var s = Median(smallTimes.Select(t => t.Sweep));
        var l = Median(largeTimes.Select(t => t.Sweep));
        var st = Median(smallTimes.Select(t => t.Take));
        var lt = Median(largeTimes.Select(t => t.Take));
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-34} {"sweep (ms, median)",20} {"finding due (ms)",18}  rounds (sweep ms)");
        Console.WriteLine($"{$"{due} due among {due}",-34} {s,20:0.0} {st,18:0.0}  {string.Join(", ", smallTimes.Select(t => t.Sweep.ToString("0")))}");
        Console.WriteLine($"{$"{due} due among {scheduled:N0}",-34} {l,20:0.0} {lt,18:0.0}  {string.Join(", ", largeTimes.Select(t => t.Sweep.ToString("0")))}");
        Console.WriteLine($"ratio (large / small): sweep {l / s:0.00}x, finding due {lt / st:0.00}x (target <= 2x)");
        return 0;
    }

    private sealed class Scenario(string prefix, ServiceProvider services, FakeTimeProvider clock, int due, int scheduled, int rounds) : IAsyncDisposable
    {
        public static async Task<Scenario> CreateAsync(string prefix, string storage, RtkSimulatorHost sim, int due, int scheduled, int rounds)
        {
            var appId = sim.State.CreateApp("bench " + prefix);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = storage,
                ["Storage:NamePrefix"] = prefix,
                ["Rtk:BaseUrl"] = sim.BaseUrl,
                ["Rtk:AccountId"] = sim.AccountId,
                ["Rtk:ApiToken"] = sim.Options.ApiToken,
                ["Rtk:AppId"] = appId,
                ["Rtk:WebhookPublicKeyUrl"] = sim.PublicKeyUrl,
                ["Auth:SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            }).Build();
            var clock = new FakeTimeProvider(T0 - TimeSpan.FromDays(1));
            var collection = new ServiceCollection();
            collection.AddSingleton<IConfiguration>(configuration);
            collection.AddSingleton<TimeProvider>(clock);
            collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Error).AddSimpleConsole());
            collection.AddCastio(configuration);
            collection.AddTransient<MeetingActivation>();
            var services = collection.BuildServiceProvider();
            var scenario = new Scenario(prefix, services, clock, due, scheduled, rounds);
            await scenario.SeedAsync(appId);
            return scenario;
        }

        public string Describe() => $"{prefix}: {scheduled + due * rounds:N0} meetings ({due} due in each of {rounds + 1} rounds)";

        /// <summary>Round r's meetings fall due at T0 + r hours; the sweep runs at that time.</summary>
        public async Task<(double Sweep, double Take)> SweepAsync(int round)
        {
            var now = T0 + TimeSpan.FromHours(round);
            clock.SetUtcNow(now);
            var index = services.GetRequiredService<DueIndex>();
            var take = Stopwatch.StartNew();
            var found = await index.TakeDueAsync(now, MeetingActivation.MaxPerSweep, CancellationToken.None);
            take.Stop();
            var sweep = Stopwatch.StartNew();
            var result = await services.GetRequiredService<MeetingActivation>().SweepAsync(now, CancellationToken.None);
            sweep.Stop();
            if (result.Activated != due || found.Count != due)
            {
                throw new InvalidOperationException($"{prefix} round {round}: found {found.Count}, {result}; expected {due} activated.");
            }

            return (sweep.Elapsed.TotalMilliseconds, take.Elapsed.TotalMilliseconds);
        }

        private async Task SeedAsync(string appId)
        {
            var tables = services.GetRequiredService<TableServiceClient>();
            var meetings = tables.GetTableClient(prefix + MeetingStore.MeetingsTable);
            var orgsTable = tables.GetTableClient(prefix + OrgStore.OrgsTable);
            await meetings.CreateIfNotExistsAsync();
            await orgsTable.CreateIfNotExistsAsync();
            await tables.GetTableClient(prefix + DueIndex.Table).CreateIfNotExistsAsync();
            var orgIds = Enumerable.Range(0, Orgs).Select(_ => Guid.CreateVersion7()).ToArray();
            foreach (var orgId in orgIds)
            {
                await orgsTable.AddEntityAsync(new OrgEntity
                {
                    PartitionKey = orgId.ToString("D"),
                    Name = "Bench",
                    Slug = "bench-" + orgId.ToString("N")[..12],
                    RtkAppId = appId,
                    OwnerId = Guid.CreateVersion7().ToString("D"),
                    MaxConcurrentMeetings = 1_000_000,
                    MaxMeetingDurationMinutes = 24 * 60,
                });
            }

            // Rounds 0..rounds each have `due` meetings due at T0 + round hours; the rest start days later.
            var plan = new List<(Guid Org, MeetingEntity Meeting, DateTimeOffset Start)>();
            var n = 0;
            for (var round = 0; round <= rounds; round++)
            {
                for (var i = 0; i < due; i++, n++)
                {
                    plan.Add(Meeting(orgIds[n % Orgs], T0 + TimeSpan.FromHours(round)));
                }
            }

            for (var i = 0; i < scheduled - due; i++, n++)
            {
                // Spread over the following 30 days, about 100 to a minute bucket.
                plan.Add(Meeting(orgIds[n % Orgs], T0 + TimeSpan.FromDays(2) + TimeSpan.FromMinutes(i / 100)));
            }

            var seeding = Stopwatch.StartNew();
            var batches = plan.GroupBy(p => p.Org).SelectMany(g => g.Chunk(100)).ToList();
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (batch, ct) =>
                await meetings.SubmitTransactionAsync(batch.Select(p => new TableTransactionAction(TableTransactionActionType.Add, p.Meeting)), ct));
            var index = services.GetRequiredService<DueIndex>();
            var dueBatches = plan.Select(p => new DueItem(DueKind.Activate, p.Org, p.Meeting.Id, null, p.Start)).GroupBy(d => DueIndex.Bucket(d.DueAt)).ToList();
            await Parallel.ForEachAsync(dueBatches, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (bucket, ct) => await index.AddManyAsync(bucket, ct));
            Console.WriteLine($"{prefix}: seeded {plan.Count:N0} meetings and due items in {seeding.Elapsed.TotalSeconds:0.0} s");
        }

        private static (Guid, MeetingEntity, DateTimeOffset) Meeting(Guid orgId, DateTimeOffset start)
        {
            var id = Guid.CreateVersion7();
            return (orgId, new MeetingEntity
            {
                PartitionKey = orgId.ToString("D"),
                RowKey = MeetingKeys.Meeting(id),
                Slug = id.ToString("N")[..10],
                Title = "Bench " + id.ToString("N")[..6],
                SchedulingType = SchedulingTypes.Scheduled,
                Status = MeetingStatus.Scheduled,
                HostUserId = Guid.Empty.ToString("D"),
                ScheduledStart = start,
                ScheduledEnd = start + TimeSpan.FromMinutes(30),
                CreatedAt = start - TimeSpan.FromDays(3),
                UpdatedAt = start - TimeSpan.FromDays(3),
            }, start);
        }

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }
}
