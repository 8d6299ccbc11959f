using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Castio.Core.Auth;
using Castio.Core.Users;
using Castio.Functions;
using Castio.Functions.Http;
using Castio.LocalHost;
using Castio.RtkSimulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Castio.Bench.Join;

/// <summary>
/// Join latency (<c>POST /api/meetings/{id}/join</c>) at 1, 16 and 64 concurrent joins, where concurrent means
/// different people joining the same meeting at once, with its shared counters. Each round starts a fresh
/// meeting; the people join (RTK add participant), then join again (a rejoin within the token's life: no RTK
/// call). Castio runs in this process as Castio.LocalHost runs it, on Azurite, against the RTK simulator; a
/// handler on the RTK HTTP client times every RTK call, so each join splits into the simulator's time and
/// Castio's own (server time minus RTK time).
/// Usage: <c>dotnet run -c Release --project bench/join [-- rounds]</c> (default 6).
/// </summary>
internal static class JoinBench
{
    private static readonly int[] Levels = [1, 16, 64];
    private static volatile bool Tracing;
    private static readonly double TraceSlowerThan = double.Parse(Environment.GetEnvironmentVariable("CASTIO_BENCH_TRACE_SLOWER_MS") ?? "0", CultureInfo.InvariantCulture);
    private const string ServerHeader = "X-Bench-Server-Us", RtkHeader = "X-Bench-Rtk-Us";

    private static async Task<int> Main(string[] args)
    {
        if (Environment.GetEnvironmentVariable("CASTIO_BENCH_MINTHREADS") is { } mt)
        {
            ThreadPool.SetMinThreads(int.Parse(mt, CultureInfo.InvariantCulture), int.Parse(mt, CultureInfo.InvariantCulture));
        }

        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 6;
        Console.WriteLine($"bench process: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}; load generator, Castio, simulator and Azurite share the machine");
        Console.WriteLine($"load average at start: {LoadAverage()}");
        // run.sh starts Azurite (bench/lib.sh) and passes its connection string; otherwise start one here.
        var storage = Environment.GetEnvironmentVariable("CASTIO_BENCH_STORAGE");
        await using var azurite = storage is null
            ? await AzuriteProcess.StartAsync(new AzuriteStartOptions(AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found")), NullLogger.Instance)
            : null;
        storage ??= azurite!.ConnectionString;
        await using var sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions { RateLimitRequests = 1_000_000 });
        await using var app = BuildCastio(storage, sim);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(address) };

        var (owner, hosts, members) = await PeopleAsync(app, http);
        var results = new Dictionary<(int Level, string Kind), List<Sample>>();
        var meetingsMade = 0;
        // Warm-up: JIT, connections, tables.
        await RoundAsync(http, hosts[meetingsMade++ % hosts.Count], members.Take(16).ToList(), null);
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var level in Levels)
            {
                await RoundAsync(http, hosts[meetingsMade++ % hosts.Count], members.Take(level).ToList(), (level, results));
            }
        }

        if (Environment.GetEnvironmentVariable("CASTIO_BENCH_TRACE") == "1")
        {
            Tracing = true;
            await RoundAsync(http, hosts[meetingsMade++ % hosts.Count], members.Take(TraceSlowerThan > 0 ? Levels.Max() : 1).ToList(), null);
            Tracing = false;
        }

        Console.WriteLine($"load average at end: {LoadAverage()}");
        Console.WriteLine($"{rounds} rounds; each round a fresh meeting per level; milliseconds");
        Console.WriteLine("concurrent  join            n   client p50/p99   Castio own p50/p99   RTK sim p50/p99   storage requests/join   CPU ms/join: process + Azurite   CPU floor of a storm");
        foreach (var level in Levels)
        {
            foreach (var kind in new[] { "first join", "rejoin" })
            {
                var s = results[(level, kind)];
                var (process, storageCpu) = (s.Average(x => x.ProcessCpu), s.Average(x => x.StorageCpu));
                // The machine cannot finish a storm faster than its CPU work divided by its cores: no join of it can be faster.
                var floor = (process + (double.IsNaN(storageCpu) ? 0 : storageCpu)) * level / Environment.ProcessorCount;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{level,10}  {kind,-12} {s.Count,4}   {P(s, x => x.Client, 50),6:0.0} / {P(s, x => x.Client, 99),6:0.0}   {P(s, x => x.Server - x.Rtk, 50),8:0.0} / {P(s, x => x.Server - x.Rtk, 99),6:0.0}     {P(s, x => x.Rtk, 50),6:0.0} / {P(s, x => x.Rtk, 99),6:0.0}   {s.Average(x => x.Requests),8:0.0}                {process,6:0.00} + {storageCpu,5:0.00}                 {floor,7:0.0}"));
            }
        }

        if (StorageProcess is null)
        {
            Console.WriteLine("(Azurite's CPU is not counted: run through bench/join/run.sh, which sets CASTIO_BENCH_STORAGE_PID)");
        }

        await app.StopAsync();
        return 0;
    }

    /// <summary>
    /// One join's times; the storage requests per join of the storm it was part of; and that storm's CPU per join, in
    /// this process (Castio, the simulator and the load generator) and in Azurite.
    /// </summary>
    private sealed record Sample(double Client, double Server, double Rtk, double Requests = 0, double ProcessCpu = 0, double StorageCpu = 0);

    /// <summary>Azurite's process when run.sh says which it is (<c>CASTIO_BENCH_STORAGE_PID</c>); its CPU is part of every join's cost.</summary>
    private static readonly Process? StorageProcess =
        int.TryParse(Environment.GetEnvironmentVariable("CASTIO_BENCH_STORAGE_PID"), out var pid) ? Process.GetProcessById(pid) : null;

    private static (double Process, double Storage) CpuNow()
    {
        StorageProcess?.Refresh();
        return (Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds, StorageProcess?.TotalProcessorTime.TotalMilliseconds ?? double.NaN);
    }

    private static async Task RoundAsync(HttpClient http, string host, List<string> people, (int Level, Dictionary<(int, string), List<Sample>> Into)? record)
    {
        var created = await SendAsync(http, HttpMethod.Post, "/api/meetings", host, new { title = "Bench", meetingType = "video", maxParticipants = 100 });
        var id = (string)created["id"]!;
        await SendAsync(http, HttpMethod.Post, $"/api/meetings/{id}/start", host);
        foreach (var kind in new[] { "first join", "rejoin" })
        {
            // One gate opens every join at once; nothing blocks a thread while it waits (a Barrier would hold 64 pool threads).
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var joins = people.Select(async token =>
            {
                await start.Task;
                return await JoinAsync(http, id, token);
            }).ToList();
            var requestsBefore = Interlocked.Read(ref StorageTrace.Requests);
            var cpuBefore = CpuNow();
            start.SetResult();
            var samples = await Task.WhenAll(joins);
            var cpuAfter = CpuNow();
            if (record is { } r)
            {
                var key = (r.Level, kind);
                if (!r.Into.TryGetValue(key, out var list))
                {
                    r.Into[key] = list = [];
                }

                var perJoin = (Interlocked.Read(ref StorageTrace.Requests) - requestsBefore) / (double)people.Count;
                list.AddRange(samples.Select(x => x with
                {
                    Requests = perJoin,
                    ProcessCpu = (cpuAfter.Process - cpuBefore.Process) / people.Count,
                    StorageCpu = (cpuAfter.Storage - cpuBefore.Storage) / people.Count,
                }));
            }
        }

        // Ended, so a long run stays under the org's concurrent-meetings cap.
        await SendAsync(http, HttpMethod.Post, $"/api/meetings/{id}/end", host);
    }

    private static async Task<Sample> JoinAsync(HttpClient http, string meetingId, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/meetings/{meetingId}/join");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var watch = Stopwatch.StartNew();
        using var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        var client = watch.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"join answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        static double Header(HttpResponseMessage r, string name) =>
            r.Headers.TryGetValues(name, out var v) ? double.Parse(v.First(), CultureInfo.InvariantCulture) / 1000 : double.NaN;
        return new Sample(client, Header(response, ServerHeader), Header(response, RtkHeader));
    }

    /// <summary>Castio as Castio.LocalHost composes it, plus the bench's two timers.</summary>
    private static WebApplication BuildCastio(string storage, RtkSimulatorHost sim)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage,
            ["Storage:NamePrefix"] = "bench",
            ["Rtk:BaseUrl"] = sim.BaseUrl,
            ["Rtk:AccountId"] = sim.AccountId,
            ["Rtk:ApiToken"] = sim.Options.ApiToken,
            ["Rtk:AppId"] = "",
            ["Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(new ClientAddress(ClientAddressSource.Connection));
        var tableOptions = new Azure.Data.Tables.TableClientOptions();
        tableOptions.AddPolicy(new StorageTrace(), Azure.Core.HttpPipelinePosition.PerCall);
        builder.Services.AddSingleton(new Azure.Data.Tables.TableServiceClient(storage, tableOptions));
        builder.Services.AddCastio(builder.Configuration);
        builder.Services.AddFunctionEndpoints();
        builder.Services.AddDurableFunctions(FunctionCatalog.Instance);
        // Every outward HTTP client of this host is the RTK client; time its calls.
        builder.Services.ConfigureAll<HttpClientFactoryOptions>(o => o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Insert(0, new RtkTiming())));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var rtk = RtkTiming.Begin();
            var watch = Stopwatch.StartNew();
            var trace = Tracing && context.Request.Path.Value!.EndsWith("/join", StringComparison.Ordinal) ? StorageTrace.Log.Value = new() : null;
            var began = StorageTrace.Clock.Elapsed.TotalMilliseconds;
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[ServerHeader] = ((long)(watch.Elapsed.TotalMilliseconds * 1000)).ToString(CultureInfo.InvariantCulture);
                context.Response.Headers[RtkHeader] = ((long)(rtk.Elapsed.TotalMilliseconds * 1000)).ToString(CultureInfo.InvariantCulture);
                return Task.CompletedTask;
            });
            await next(context);
            if (trace is not null && watch.Elapsed.TotalMilliseconds >= TraceSlowerThan)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{context.Request.Path}: {began,9:0.00} .. {StorageTrace.Clock.Elapsed.TotalMilliseconds:0.00}; storage calls (start, ms, call):"));
                foreach (var line in trace)
                {
                    Console.WriteLine("  " + line);
                }
            }
        });
        app.UseFunctionProblems();
        app.MapFunctions();
        return app;
    }

    /// <summary>An owner (registered over the API), 8 hosts to create the meetings and 64 members, stored directly with minted tokens.</summary>
    private static async Task<(string Owner, List<string> Hosts, List<string> Members)> PeopleAsync(WebApplication app, HttpClient http)
    {
        var slug = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var registered = await SendAsync(http, HttpMethod.Post, "/api/auth/register", null,
            new { email = $"owner@{slug}.example", password = "correct horse battery staple", name = "Bench Owner", orgName = "Bench", orgSlug = slug });
        var orgId = Guid.Parse((string)registered["org"]!["id"]!);
        var users = app.Services.GetRequiredService<UserStore>();
        var tokens = app.Services.GetRequiredService<AccessTokenService>();
        async Task<string> AddAsync(Role role, int i)
        {
            var id = Guid.CreateVersion7();
            var now = DateTimeOffset.UtcNow;
            await users.AddAsync(new UserEntity
            {
                PartitionKey = orgId.ToString("D"), RowKey = UserKeys.User(id), Email = $"{role}{i}-{id:N}@{slug}.example",
                Name = $"{role} {i}", Role = role.ToWire(), CreatedAt = now, UpdatedAt = now,
            }, [], CancellationToken.None);
            return tokens.Issue(id, orgId, role).Token;
        }

        var hosts = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            hosts.Add(await AddAsync(Role.Host, i));
        }

        var members = new List<string>();
        for (var i = 0; i < Levels.Max(); i++)
        {
            members.Add(await AddAsync(Role.Member, i));
        }

        return ((string)registered["accessToken"]!, hosts, members);
    }

    private static async Task<JsonObject> SendAsync(HttpClient http, HttpMethod method, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }

        return (JsonObject)JsonNode.Parse(text)!;
    }

    private static double P(List<Sample> samples, Func<Sample, double> value, int percentile)
    {
        var sorted = samples.Select(value).Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + " (1, 5, 15 min)" : "n/a";

    private sealed class StorageTrace : Azure.Core.Pipeline.HttpPipelinePolicy
    {
        public static readonly AsyncLocal<System.Collections.Concurrent.ConcurrentQueue<string>?> Log = new();
        public static readonly Stopwatch Clock = Stopwatch.StartNew();
        public static long Requests;

        private static string Short(string s) => s.Length <= 140 ? s : s[..140];

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) => ProcessNext(message, pipeline);

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            var start = Clock.Elapsed.TotalMilliseconds;
            Interlocked.Increment(ref Requests);
            await ProcessNextAsync(message, pipeline);
            var end = Clock.Elapsed.TotalMilliseconds;
            var uri = message.Request.Uri.ToUri();
            Log.Value?.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{start,9:0.00} {end - start,6:0.00} {message.Request.Method} {Uri.UnescapeDataString(uri.AbsolutePath)}{(uri.Query.Length > 0 ? " " + Short(Uri.UnescapeDataString(uri.Query)) : "")} -> {message.Response.Status}"));
        }
    }

    /// <summary>Sums the time of the RTK calls made on behalf of the current request (the flow that began it).</summary>
    private sealed class RtkTiming : DelegatingHandler
    {
        private static readonly AsyncLocal<Clock?> Current = new();

        public static Clock Begin() => Current.Value = new Clock();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                Current.Value?.Add(watch.Elapsed);
            }
        }

        public sealed class Clock
        {
            private long _ticks;

            public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

            public void Add(TimeSpan elapsed) => Interlocked.Add(ref _ticks, elapsed.Ticks);
        }
    }
}
