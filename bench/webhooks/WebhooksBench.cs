using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Castio.Core.Webhooks;
using Castio.RtkSimulator;
using Castio.Tests.Webhooks;

namespace Castio.Bench.Webhooks;

/// <summary>
/// Webhook ack latency (sequential) and sustained throughput (concurrent, 10% duplicates) of POST /webhooks/rtk on a
/// Castio.LocalHost process, with signed deliveries of realistic RTK traffic; then counts lost and double-applied
/// events from the ledger. Usage: <c>--app path/to/Castio.LocalHost --storage "conn" [--latency 2000] [--events 10000] [--connections 32]</c>.
/// </summary>
internal static class WebhooksBench
{
    private static async Task<int> Main(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var appPath = Arg("--app", "");
        var storage = Arg("--storage", "");
        var latencyCount = int.Parse(Arg("--latency", "2000"));
        var eventCount = int.Parse(Arg("--events", "10000"));
        var connections = int.Parse(Arg("--connections", "32"));
        if (appPath.Length == 0 || storage.Length == 0)
        {
            Console.Error.WriteLine("usage: --app <Castio.LocalHost> --storage <connection string> [--latency 2000] [--events 10000] [--connections 32]");
            return 2;
        }

        using var key = RSA.Create(2048);
        await using var sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions { WebhookSigningKey = key, RateLimitRequests = 1_000_000 });
        var port = FreePort();
        var prefix = "wb" + Guid.NewGuid().ToString("N")[..8];
        var app = Process.Start(new ProcessStartInfo(appPath, $"--urls http://127.0.0.1:{port}")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            Environment =
            {
                ["AzureWebJobsStorage"] = storage, ["Storage__NamePrefix"] = prefix, ["Logging__LogLevel__Default"] = "Warning",
                ["DOTNET_ENVIRONMENT"] = "Production", ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["Rtk__BaseUrl"] = sim.BaseUrl, ["Rtk__AccountId"] = sim.AccountId, ["Rtk__ApiToken"] = sim.Options.ApiToken, ["Rtk__WebhookPublicKeyUrl"] = sim.PublicKeyUrl,
            },
        })!;
        app.OutputDataReceived += (_, _) => { };
        app.ErrorDataReceived += (_, _) => { };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            for (var i = 0; ; i++)
            {
                try { if ((await http.GetAsync("/api/ping")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
                if (i > 600) throw new TimeoutException("Castio.LocalHost did not start.");
                await Task.Delay(100);
            }

            // An org and three started meetings, so the events belong to known meetings and are applied.
            var slug = "bench-" + Guid.NewGuid().ToString("N")[..8];
            var register = await (await http.PostAsJsonAsync("/api/auth/register", new { orgName = "Bench", orgSlug = slug, email = $"{slug}@example.com", password = "correct horse battery staple", name = "Bench" })).Content.ReadFromJsonAsync<JsonObject>();
            var token = (string)register!["accessToken"]!;
            var orgId = Guid.Parse((string)register["org"]!["id"]!);
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var meetings = new List<string>();
            var castioMeetings = new Dictionary<string, Guid>(StringComparer.Ordinal);
            for (var i = 0; i < 3; i++)
            {
                var created = await (await http.PostAsJsonAsync("/api/meetings", new { title = $"Bench {i}" })).Content.ReadFromJsonAsync<JsonObject>();
                var started = await (await http.PostAsync($"/api/meetings/{created!["id"]}/start", null)).Content.ReadFromJsonAsync<JsonObject>();
                meetings.Add((string)started!["rtkMeetingId"]!);
                castioMeetings[(string)started["rtkMeetingId"]!] = Guid.Parse((string)created["id"]!);
            }
            http.DefaultRequestHeaders.Authorization = null;
            var appId = sim.State.Requests.First(r => r.Path.EndsWith("/meetings", StringComparison.Ordinal) && r.Method == "POST").Path.Split('/')[^2];

            var warm = WebhookEventScript.Generate(meetings, appId, 200, seed: 1);
            var latencyEvents = WebhookEventScript.Generate(meetings, appId, latencyCount, seed: 2).Take(latencyCount).ToList();
            var clean = WebhookEventScript.Generate(meetings, appId, eventCount, seed: 3);
            var seeded = await SeedParticipantsAsync(storage, prefix, orgId, castioMeetings, [.. warm, .. latencyEvents, .. clean]);
            Console.WriteLine($"participants: {seeded} people of the script joined through Castio first (counted, as a join leaves them), so each peer fact keeps a place in step");
            foreach (var e in warm) await SendAsync(http, key, e);

            // Latency: one delivery at a time.
            PreSign(key, latencyEvents);
            var times = new List<double>();
            var byEvent = new Dictionary<string, List<double>>();
            foreach (var e in latencyEvents)
            {
                var sw = Stopwatch.StartNew();
                var status = await SendAsync(http, key, e);
                times.Add(sw.Elapsed.TotalMilliseconds);
                (byEvent.TryGetValue(e.Event, out var list) ? list : byEvent[e.Event] = []).Add(sw.Elapsed.TotalMilliseconds);
                if (status != 200) Console.WriteLine($"  non-200 ack: {status}");
            }
            times.Sort();
            Console.WriteLine($"ack latency, sequential, {times.Count} deliveries: p50 {Pct(times, 0.50):F1} ms, p90 {Pct(times, 0.90):F1} ms, p99 {Pct(times, 0.99):F1} ms, max {times[^1]:F1} ms");
            // Where the tail comes from: each event type's share of the deliveries slower than the overall p99.
            var slow = Pct(times, 0.99);
            foreach (var (name, list) in byEvent.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                list.Sort();
                Console.WriteLine($"  {name,-34} {list.Count,5}: p50 {Pct(list, 0.50),5:F1} ms, p99 {Pct(list, 0.99),5:F1} ms, above the p99 {list.Count(t => t >= slow),3}");
            }

            // Throughput: many connections, 10% of deliveries repeated (half same rtk-uuid, half new), shuffled.
            var load = WebhookEventScript.WithDuplicatesShuffled(clean, 0.10, seed: 4);
            PreSign(key, load);
            var acks = new ConcurrentBag<int>();
            var cpu = new CpuMeter(app);
            var total = Stopwatch.StartNew();
            await Parallel.ForEachAsync(load, new ParallelOptions { MaxDegreeOfParallelism = connections }, async (e, _) => acks.Add(await SendAsync(http, key, e)));
            total.Stop();
            Console.WriteLine($"throughput: {load.Count} deliveries ({clean.Count} events + {load.Count - clean.Count} duplicates) over {connections} connections in {total.Elapsed.TotalSeconds:F1} s = {load.Count / total.Elapsed.TotalSeconds:F0} deliveries/s; non-200 acks: {acks.Count(a => a != 200)}");
            Console.WriteLine($"CPU in that phase ({Environment.ProcessorCount} cores): {cpu.Report(total.Elapsed, load.Count)}");

            // Lost = a delivery answered but not in the ledger as processed/duplicate; double-applied = a fact processed by two deliveries.
            var ledger = new TableServiceClient(storage).GetTableClient(prefix + WebhookLedger.DeliveriesTable);
            var rows = new List<WebhookDeliveryEntity>();
            await foreach (var row in ledger.QueryAsync<WebhookDeliveryEntity>(select: ["RowKey", "RtkUuid", "Status", "BusinessKey", "Event"]))
                if (!row.RowKey.StartsWith("k_", StringComparison.Ordinal)) rows.Add(row); // business-key claims share the table
            var uuids = rows.Where(r => r.Status is WebhookDeliveryStatus.Processed or WebhookDeliveryStatus.Duplicate).Select(r => r.RtkUuid).ToHashSet();
            var lost = load.Select(e => e.Uuid).Distinct().Count(u => !uuids.Contains(u));
            var doubles = rows.GroupBy(r => r.BusinessKey).Count(g => g.Count(r => r.Status == WebhookDeliveryStatus.Processed) > 1);
            Console.WriteLine($"ledger: {rows.Count} rows; lost {lost}; facts processed more than once {doubles}; duplicates recognised {rows.Count(r => r.Status == WebhookDeliveryStatus.Duplicate)}");
            return 0;
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Every person of the script as Castio's join would have left them (a participant row, its index, counted in the RTK
    /// meeting), as in production where every peer is one of Castio's participants: each join and leave then reads and
    /// writes their row. Returns how many.
    /// </summary>
    private static async Task<int> SeedParticipantsAsync(string storage, string prefix, Guid orgId, IReadOnlyDictionary<string, Guid> meetings, IEnumerable<ScriptedDelivery> deliveries)
    {
        var tables = new TableServiceClient(storage);
        var store = new Castio.Core.Joining.ParticipantStore(tables, new Castio.Core.Retention.ExpiryStore(tables, prefix), prefix);
        var people = new HashSet<(Guid Meeting, Guid Person, string RtkMeeting)>();
        foreach (var d in deliveries.Where(d => d.Event == "meeting.participantJoined"))
        {
            var payload = JsonNode.Parse(d.Body)!;
            var rtkMeeting = (string)payload["meeting"]!["id"]!;
            people.Add((meetings[rtkMeeting], Guid.Parse((string)payload["participant"]!["customParticipantId"]!), rtkMeeting));
        }

        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(people, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (p, ct) =>
            await store.CreateAsync(new Castio.Core.Joining.ParticipantEntity
            {
                PartitionKey = Castio.Core.Joining.ParticipantKeys.Partition(orgId),
                RowKey = Castio.Core.Joining.ParticipantKeys.User(p.Meeting, p.Person),
                MeetingId = p.Meeting, ParticipantId = p.Person, UserId = p.Person, DisplayName = "Person", Role = "member",
                PresetName = "group_call_participant", CountedRtkMeetingId = p.RtkMeeting, FirstJoinedAt = now, LastJoinedAt = now, JoinCount = 1,
            }, ct));
        return people.Count;
    }

    private static async Task<int> SendAsync(HttpClient http, RSA key, ScriptedDelivery e)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/rtk") { Content = new ByteArrayContent(e.Body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("rtk-signature", Signatures.GetValue(e, d => Convert.ToBase64String(key.SignData(d.Body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))));
        request.Headers.TryAddWithoutValidation("rtk-uuid", e.Uuid);
        request.Headers.TryAddWithoutValidation("rtk-webhook-id", "bench");
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    // RTK signs on its side: deliveries are signed before the clock starts, so the load generator's RSA work stays out of the figures.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ScriptedDelivery, string> Signatures = new();

    private static void PreSign(RSA key, IEnumerable<ScriptedDelivery> deliveries)
    {
        foreach (var d in deliveries)
            Signatures.GetValue(d, x => Convert.ToBase64String(key.SignData(x.Body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
    }

    /// <summary>CPU time of the app, the storage emulator (its pid in CASTIO_BENCH_STORAGE_PID) and this load generator over a phase.</summary>
    private sealed class CpuMeter
    {
        private readonly (string Name, Process Process, TimeSpan Start)[] _processes;

        public CpuMeter(Process app)
        {
            var storage = int.TryParse(Environment.GetEnvironmentVariable("CASTIO_BENCH_STORAGE_PID"), out var pid) ? Process.GetProcessById(pid) : null;
            _processes = [.. new[] { ("Castio.LocalHost", app), ("Azurite", storage), ("load generator", Process.GetCurrentProcess()) }
                .Where(p => p.Item2 is not null).Select(p => (p.Item1, p.Item2!, Cpu(p.Item2!)))];
        }

        public string Report(TimeSpan elapsed, int deliveries) => string.Join("; ", _processes.Select(p =>
        {
            var used = Cpu(p.Process) - p.Start;
            return $"{p.Name} {used.TotalSeconds / elapsed.TotalSeconds:F2} cores, {used.TotalMilliseconds / deliveries:F2} ms per delivery";
        }));

        private static TimeSpan Cpu(Process process)
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    private static double Pct(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
