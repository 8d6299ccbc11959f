using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Castio.Core.Auth;
using Castio.LocalHost;
using Microsoft.Extensions.Logging.Abstractions;

namespace Castio.Bench.Auth;

/// <summary>
/// Prints the cost of a login (PBKDF2 hash and verify at production parameters, then POST
/// /api/auth/login end to end) and the latency of GET /api/auth/me, against the real app on
/// Kestrel with Azurite and the in-process RTK simulator. Usage:
/// <c>dotnet run -c Release --project bench/auth [-- logins meRequests]</c>.
/// </summary>
internal static class AuthBench
{
    private const string Password = "correct horse battery staple";

    private static async Task<int> Main(string[] args)
    {
        var logins = args.Length > 0 ? int.Parse(args[0]) : 20;
        var meRequests = args.Length > 1 ? int.Parse(args[1]) : 90;

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        var hasher = new PasswordHasher();
        var stored = hasher.Hash(Password);
        Report($"PBKDF2-SHA256 hash ({PasswordHasher.CurrentIterations:N0} iterations)", Measure(10, () => hasher.Hash(Password)));
        Report("PBKDF2-SHA256 verify", Measure(10, () => hasher.Verify(stored, Password)));

        var root = AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repo root not found");
        await using var azurite = await AzuriteProcess.StartAsync(new AzuriteStartOptions(root), NullLogger.Instance);
        var port = FreePort();
        var app = typeof(Castio.Functions.Hosting.FunctionRunner).Assembly.EntryPoint!;
        var server = new Thread(() => app.Invoke(null, [new[]
        {
            "--urls", $"http://127.0.0.1:{port}",
            $"--AzureWebJobsStorage={azurite.ConnectionString}",
            "--Storage:NamePrefix=bench",
            "--Logging:LogLevel:Default=Warning",
        }])) { IsBackground = true };
        server.Start();

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitForAsync(http);

        var slug = "bench-" + Guid.NewGuid().ToString("N")[..10];
        var email = $"owner@{slug}.example";
        var registered = await SendAsync(http, HttpMethod.Post, "/api/auth/register", new { email, password = Password, name = "Bench", orgName = "Bench", orgSlug = slug });
        var token = (string)registered["accessToken"]!;

        // Each login from its own address: the per-address limit (5/min) would otherwise stop the run.
        var n = 0;
        Report("POST /api/auth/login (end to end)", await MeasureAsync(logins, () =>
            SendAsync(http, HttpMethod.Post, "/api/auth/login", new { email, password = Password, orgSlug = slug }, address: $"198.18.0.{++n % 250}")));
        // Under api.general (100/min per user).
        Report("GET /api/auth/me", await MeasureAsync(meRequests, () => SendAsync(http, HttpMethod.Get, "/api/auth/me", token: token)));
        return 0;
    }

    private static async Task<JsonObject> SendAsync(HttpClient http, HttpMethod method, string path, object? body = null, string? token = null, string? address = null)
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

        if (address is not null)
        {
            request.Headers.Add("X-Forwarded-For", address);
        }

        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (JsonObject)(await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    private static async Task WaitForAsync(HttpClient http)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/api/ping")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            await Task.Delay(200);
        }
    }

    private static List<double> Measure(int runs, Action action)
    {
        action();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        return times;
    }

    private static async Task<List<double>> MeasureAsync(int runs, Func<Task> action)
    {
        await action();
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        return times;
    }

    private static void Report(string what, List<double> times)
    {
        times.Sort();
        double At(double q) => times[(int)Math.Min(times.Count - 1, Math.Floor(q * times.Count))];
        Console.WriteLine($"{what,-50} n={times.Count,3}  median {At(0.5),8:F1} ms  p95 {At(0.95),8:F1} ms  min {times[0],8:F1} ms");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
