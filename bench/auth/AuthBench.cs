using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Castio.Bench.Auth;

/// <summary>
/// Latency of <c>GET /api/auth/me</c> (sequential, and 64 concurrent connections from one user) and of
/// <c>POST /api/auth/login</c>, side by side for two or more running Castio processes, measured in interleaved
/// rounds (A, B, A, B, ...) so machine noise hits every target alike. Usage:
/// <c>dotnet run -c Release --project bench/auth -- --target current=http://127.0.0.1:7071 --target baseline=http://127.0.0.1:7072 [--rounds 3]</c>;
/// <c>bench/auth/run.sh</c> builds and starts the current tree and the baseline commit and runs this against both.
/// </summary>
internal static class AuthBench
{
    private const string Password = "correct horse battery staple";

    // api.general allows 100 requests a minute per user, so each phase of each round gets a fresh user and stays
    // under the limit, except the one phase that is meant to exceed it.
    private const int UserLimitPerMinute = 100;

    private static async Task<int> Main(string[] args)
    {
        var settings = Settings.Parse(args);
        if (settings.Targets.Count == 0)
        {
            Console.Error.WriteLine("usage: --target name=url [--target name=url ...] [--rounds 3] [--sequential 90] [--connections 64] [--within 96] [--over 256] [--logins 8] [--cap-seconds 60]");
            return 2;
        }

        Console.WriteLine($"load generator: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, same machine as the targets");
        Console.WriteLine($"load average at start: {LoadAverage()}");
        var targets = new List<Target>();
        foreach (var (name, url) in settings.Targets)
        {
            targets.Add(await Target.ConnectAsync(name, url, settings.Connections));
        }

        // Users first (registration is slow and rate limited per address), so the timed phases run back to back.
        var usersPerTarget = settings.Rounds * 3 + 1;
        foreach (var target in targets)
        {
            for (var i = 0; i < usersPerTarget; i++)
            {
                target.Users.Enqueue(await target.RegisterAsync());
            }
        }

        var results = new Results();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            Console.WriteLine($"round {round}/{settings.Rounds}");
            foreach (var target in targets)
            {
                await SequentialMeAsync(target, settings, results);
            }

            foreach (var target in targets)
            {
                await ConcurrentMeAsync(target, settings.Within, "me, 64 conn, within limit", settings, results);
            }

            foreach (var target in targets)
            {
                await ConcurrentMeAsync(target, settings.Over, "me, 64 conn, over limit", settings, results);
            }

            foreach (var target in targets)
            {
                await LoginsAsync(target, settings, results);
            }
        }

        results.Print(targets.Select(t => t.Name).ToList());
        Console.WriteLine($"load average at end: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("""
            fairness: every target runs on this machine with the same storage (one in-memory Azurite, its own table
            prefix), its own in-process RTK simulator, Warning-level logs and the same phases in the same order,
            round after round, A then B. Each phase uses a user registered for it, so no phase inherits another's
            rate-limit window. "within limit" sends fewer requests than api.general allows (100 a minute per user):
            every answer should be a 200. "over limit" sends more: the limiter's own cost under contention shows in
            the 429 row, and the 200 row is only the requests that were admitted. Logins come from distinct loopback
            source addresses (127.1.x.y) instead of X-Forwarded-For, which the current local host ignores, so both
            builds key their per-address limit on the connection alike; the connection is opened before the timer.
            """);
        return results.Failures > 0 ? 1 : 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + " (1, 5, 15 min)" : "unknown";

    private static async Task SequentialMeAsync(Target target, Settings settings, Results results)
    {
        var user = target.Users.Dequeue();
        using var cap = new CancellationTokenSource(TimeSpan.FromSeconds(settings.CapSeconds));
        // One untimed request: the user's first one pays for nothing the others do not, but keeps the runs alike.
        await target.MeAsync(target.Shared, user.Token, cap.Token);
        for (var i = 0; i < Math.Min(settings.Sequential, UserLimitPerMinute - 1); i++)
        {
            var (status, ms) = await target.MeAsync(target.Shared, user.Token, cap.Token);
            results.Add("me, sequential", target.Name, status, ms);
        }
    }

    private static async Task ConcurrentMeAsync(Target target, int count, string phase, Settings settings, Results results)
    {
        var user = target.Users.Dequeue();
        using var cap = new CancellationTokenSource(TimeSpan.FromSeconds(settings.CapSeconds));
        var remaining = count;
        var samples = new List<(HttpStatusCode, double)>[settings.Connections];
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, settings.Connections).Select(async worker =>
        {
            samples[worker] = [];
            while (Interlocked.Decrement(ref remaining) >= 0 && !cap.IsCancellationRequested)
            {
                samples[worker].Add(await target.MeAsync(target.Pooled, user.Token, cap.Token));
            }
        }));
        wall.Stop();
        foreach (var (status, ms) in samples.SelectMany(s => s))
        {
            results.Add(phase, target.Name, status, ms);
        }

        results.AddWall(phase, target.Name, wall.Elapsed.TotalMilliseconds);
    }

    private static async Task LoginsAsync(Target target, Settings settings, Results results)
    {
        var user = target.Users.Peek();
        for (var i = 0; i < settings.Logins; i++)
        {
            // A new source address per login: auth.login allows 5 a minute per address.
            using var client = target.CreateClient(Addresses.Next(), 1);
            using var cap = new CancellationTokenSource(TimeSpan.FromSeconds(settings.CapSeconds));
            await client.GetAsync("/api/ping", cap.Token);
            var (status, ms, _) = await Target.SendAsync(client, HttpMethod.Post, "/api/auth/login", new { email = user.Email, password = Password, orgSlug = user.Slug }, null, cap.Token);
            results.Add("login", target.Name, status, ms);
        }
    }

    private sealed record User(string Email, string Slug, string Token);

    private sealed class Target(string name, Uri url)
    {
        public string Name { get; } = name;

        public Queue<User> Users { get; } = new();

        /// <summary>One keep-alive connection, for sequential requests.</summary>
        public HttpClient Shared { get; private set; } = null!;

        /// <summary>Up to the concurrent connection count, opened before anything is timed.</summary>
        public HttpClient Pooled { get; private set; } = null!;

        public static async Task<Target> ConnectAsync(string name, Uri url, int connections)
        {
            var target = new Target(name, url);
            target.Shared = target.CreateClient(null, 1);
            target.Pooled = target.CreateClient(null, connections);
            await target.Shared.GetAsync("/api/ping");
            // Open the pool's connections: concurrent pings, each held until all have started.
            await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => target.Pooled.GetAsync("/api/ping")));
            return target;
        }

        public HttpClient CreateClient(IPAddress? source, int connections) => new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            UseCookies = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    if (source is not null)
                    {
                        socket.Bind(new IPEndPoint(source, 0));
                    }

                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { BaseAddress = url, Timeout = TimeSpan.FromMinutes(2) };

        public async Task<User> RegisterAsync()
        {
            // auth.register allows 3 an hour per address.
            using var client = CreateClient(Addresses.Next(), 1);
            var slug = "bench-" + Guid.NewGuid().ToString("N")[..12];
            var email = $"owner@{slug}.example";
            var (status, _, body) = await SendAsync(client, HttpMethod.Post, "/api/auth/register", new { email, password = Password, name = "Bench", orgName = "Bench", orgSlug = slug }, null, default);
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{Name}: register answered {(int)status}: {body}");
            }

            return new User(email, slug, (string)body!["accessToken"]!);
        }

        public async Task<(HttpStatusCode, double)> MeAsync(HttpClient client, string token, CancellationToken cancellationToken)
        {
            var (status, ms, _) = await SendAsync(client, HttpMethod.Get, "/api/auth/me", null, token, cancellationToken);
            return (status, ms);
        }

        /// <summary>Sends one request and reads the whole answer; a timeout or a transport error is status 0.</summary>
        public static async Task<(HttpStatusCode Status, double Ms, JsonObject? Body)> SendAsync(
            HttpClient client, HttpMethod method, string path, object? body, string? token, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                JsonObject? json = null;
                if (response.StatusCode == HttpStatusCode.OK && text.StartsWith('{'))
                {
                    json = JsonNode.Parse(text)!.AsObject();
                }

                return (response.StatusCode, ms, json);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                return (0, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null);
            }
        }
    }

    /// <summary>Distinct loopback source addresses (Linux routes all of 127.0.0.0/8 to lo).</summary>
    private static class Addresses
    {
        private static int _next;

        public static IPAddress Next()
        {
            var n = Interlocked.Increment(ref _next);
            return new IPAddress([127, 1, (byte)(n / 250), (byte)(n % 250 + 1)]);
        }
    }

    private sealed class Results
    {
        private readonly List<(string Phase, string Target, string Outcome, double Ms)> _samples = [];
        private readonly List<(string Phase, string Target, double Ms)> _walls = [];

        /// <summary>Transport errors and timeouts, and non-200 answers where nothing should be limited (sequential, login).</summary>
        public int Failures => _samples.Count(s => s.Outcome is "error" || (s.Outcome != "200" && !s.Phase.Contains("64 conn", StringComparison.Ordinal)));

        public void Add(string phase, string target, HttpStatusCode status, double ms) =>
            _samples.Add((phase, target, status == 0 ? "error" : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), ms));

        public void AddWall(string phase, string target, double ms) => _walls.Add((phase, target, ms));

        public void Print(List<string> targets)
        {
            Console.WriteLine();
            var header = $"{"phase",-28} {"status",-6}";
            foreach (var target in targets)
            {
                header += $" | {target + " n",12} {"p50",8} {"p95",8} {"p99",8}";
            }

            if (targets.Count == 2)
            {
                header += $" | {targets[0] + "/" + targets[1],-20}";
            }

            Console.WriteLine(header + "   (ms)");
            Console.WriteLine(new string('-', header.Length));
            foreach (var group in _samples.GroupBy(s => (s.Phase, s.Outcome)).OrderBy(g => PhaseOrder(g.Key.Phase)).ThenBy(g => g.Key.Outcome))
            {
                var line = $"{group.Key.Phase,-28} {group.Key.Outcome,-6}";
                var stats = targets.Select(t => Stats.Of(group.Where(s => s.Target == t).Select(s => s.Ms))).ToList();
                foreach (var s in stats)
                {
                    line += s.N == 0 ? $" | {0,12} {"-",8} {"-",8} {"-",8}" : $" | {s.N,12} {s.P50,8:F1} {s.P95,8:F1} {s.P99,8:F1}";
                }

                if (stats.Count == 2 && stats[0].N > 0 && stats[1].N > 0)
                {
                    line += $" | {stats[0].P50 / stats[1].P50,6:F2} {stats[0].P95 / stats[1].P95,6:F2} {stats[0].P99 / stats[1].P99,6:F2}";
                }

                Console.WriteLine(line);
            }

            foreach (var target in targets)
            {
                var refused = _samples.Count(s => s.Target == target && s.Phase == "me, 64 conn, within limit" && s.Outcome != "200");
                if (refused > 0)
                {
                    Console.WriteLine($"note: {target} refused {refused} requests that were within api.general's limit (a limiter defect under contention, not load-generator trouble)");
                }
            }

            Console.WriteLine();
            foreach (var group in _walls.GroupBy(w => w.Phase))
            {
                Console.WriteLine($"{group.Key,-28} wall time per burst, median: " +
                    string.Join(", ", targets.Select(t => $"{t} {Stats.Of(group.Where(w => w.Target == t).Select(w => w.Ms)).P50:F0} ms")));
            }
        }

        private static int PhaseOrder(string phase) => phase switch
        {
            "me, sequential" => 0,
            "me, 64 conn, within limit" => 1,
            "me, 64 conn, over limit" => 2,
            _ => 3,
        };
    }

    private readonly record struct Stats(int N, double P50, double P95, double P99)
    {
        /// <summary>Nearest-rank percentiles.</summary>
        public static Stats Of(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            if (sorted.Length == 0)
            {
                return default;
            }

            double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
            return new Stats(sorted.Length, At(0.50), At(0.95), At(0.99));
        }
    }

    private sealed record Settings(List<(string Name, Uri Url)> Targets, int Rounds, int Sequential, int Connections, int Within, int Over, int Logins, int CapSeconds)
    {
        public static Settings Parse(string[] args)
        {
            var targets = new List<(string, Uri)>();
            var numbers = new Dictionary<string, int>
            {
                ["--rounds"] = 3, ["--sequential"] = 90, ["--connections"] = 64, ["--within"] = 96, ["--over"] = 256, ["--logins"] = 8, ["--cap-seconds"] = 60,
            };
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                if (args[i] == "--target")
                {
                    var parts = args[i + 1].Split('=', 2);
                    targets.Add((parts[0], new Uri(parts[1])));
                }
                else if (numbers.ContainsKey(args[i]))
                {
                    numbers[args[i]] = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                }
                else
                {
                    throw new ArgumentException($"unknown option {args[i]}");
                }
            }

            if (numbers["--within"] >= UserLimitPerMinute)
            {
                throw new ArgumentException($"--within must stay under api.general's {UserLimitPerMinute} a minute per user");
            }

            return new Settings(targets, numbers["--rounds"], numbers["--sequential"], numbers["--connections"], numbers["--within"], numbers["--over"], numbers["--logins"], numbers["--cap-seconds"]);
        }
    }
}
