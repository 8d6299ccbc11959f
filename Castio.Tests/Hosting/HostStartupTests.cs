using System.Net.Http.Json;
using System.Text.Json;
using Castio.LocalHost;
using Castio.Functions.Http;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Hosting;

public class HostStartupTests(AzuriteFixture azurite, Castio.Tests.Rtk.SimulatorFixture simulator) : IClassFixture<Castio.Tests.Rtk.SimulatorFixture>
{
    private static readonly string Root = AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("Repository root not found.");

    [Fact]
    public async Task PingAnswersStatusAndVersionWithoutAuth()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var ping = await client.GetFromJsonAsync<JsonElement>("/api/ping", TestContext.Current.CancellationToken);
        Assert.Equal("ok", ping.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(ping.GetProperty("version").GetString()));
    }

    /// <summary>The Worker SDK's generated functions.metadata is what the Functions host serves; LocalHost must serve exactly that.</summary>
    [Fact]
    public async Task LocalHostServesExactlyTheFunctionsOfFunctionsMetadata()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var metadataPath = Path.Combine(Root, "Castio.Functions", "bin", configuration, "net10.0", "functions.metadata");
        using var metadata = JsonDocument.Parse(File.ReadAllText(metadataPath));
        var declaredHttp = new SortedSet<string>(StringComparer.Ordinal);
        var declaredTimers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var function in metadata.RootElement.EnumerateArray())
        {
            var name = function.GetProperty("name").GetString()!;
            foreach (var binding in function.GetProperty("bindings").EnumerateArray())
            {
                switch (binding.GetProperty("type").GetString())
                {
                    case "httpTrigger":
                        IEnumerable<string> methods = binding.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).Order() : [];
                        declaredHttp.Add($"{name} /{binding.GetProperty("route").GetString()} {string.Join(',', methods)}");
                        break;
                    case "timerTrigger":
                        declaredTimers.Add($"{name} {binding.GetProperty("schedule").GetString()}");
                        break;
                }
            }
        }

        await using var app = new CastioApplication(azurite);
        _ = app.BaseAddress;
        var served = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            IEnumerable<string> methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Order() ?? Enumerable.Empty<string>();
            served.Add($"{endpoint.Metadata.GetMetadata<EndpointNameMetadata>()?.EndpointName} {endpoint.RoutePattern.RawText} {string.Join(',', methods)}");
        }

        Assert.NotEmpty(declaredHttp);
        Assert.Equal(declaredHttp, served);
        Assert.Equal(declaredTimers, new SortedSet<string>(FunctionCatalog.Instance.Timers.Select(t => $"{t.Name} {t.Schedule}"), StringComparer.Ordinal));
    }

    [Fact]
    public void EveryHttpFunctionDeclaresAnAccessRuleAndAKnownRateLimit()
    {
        Assert.All(FunctionCatalog.Instance.Http, f => Assert.NotNull(f.Access));
        Assert.All(FunctionCatalog.Instance.Http.Where(f => f.Limit is not null), f => Assert.NotNull(f.Rule));
        var error = Assert.Throws<InvalidOperationException>(() => new FunctionCatalog(typeof(UndeclaredFunction).Assembly));
        Assert.Contains("Undeclared", error.Message);
    }

    [Fact]
    public void EveryTimerScheduleParsesWithNCrontabAsSixFields()
    {
        Assert.NotEmpty(FunctionCatalog.Instance.Timers);
        foreach (var timer in FunctionCatalog.Instance.Timers)
            Assert.Equal(6, timer.Schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        var cleanup = FunctionCatalog.Instance.Timers.Single(t => t.Name == "Retention");
        var next = TimerTriggers.ParseSchedule(cleanup.Schedule).GetNextOccurrence(new DateTime(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc));
        Assert.Equal(new DateTime(2026, 1, 6, 3, 0, 0, DateTimeKind.Utc), next);
    }

    [Fact]
    public async Task TimerFunctionRunsWhenTheClockReachesItsSchedule()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CastioApplication(azurite);
        _ = app.BaseAddress;
        // Advance only once the trigger waits on the clock, or the advance would happen before its delay starts.
        await Eventually.GetAsync(() => Task.FromResult(app.Logs.FirstOrDefault(l => l.Contains("Timer function Retention next runs at 2026-01-06T03:00:00"))), TimeSpan.FromSeconds(10), ct);
        Assert.DoesNotContain(app.Logs, l => l.Contains("Timer function Retention ran"));

        app.Clock.Advance(TimeSpan.FromHours(18)); // 2026-01-05 09:00 → 2026-01-06 03:00

        await Eventually.GetAsync(() => Task.FromResult(app.Logs.FirstOrDefault(l => l.Contains("Timer function Retention ran"))), TimeSpan.FromSeconds(20), ct);
    }

    [Fact]
    public async Task InvalidOptionsStopTheAppAtStartup()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Storage:NamePrefix", "Not_Valid!");
        AssertStartupFailsNaming(app, "NamePrefix");
    }

    [Fact]
    public async Task OutOfRangeBodyLimitStopsTheAppAtStartup()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Http:MaxRequestBodyBytes", "5");
        AssertStartupFailsNaming(app, "MaxRequestBodyBytes");
    }

    // WebApplicationFactory sometimes masks the start-up exception with an ObjectDisposedException from its own
    // clean-up; the host logs the original, so the field's name is looked for in both.
    private static void AssertStartupFailsNaming(CastioApplication app, string field)
    {
        var error = Assert.ThrowsAny<Exception>(() => app.BaseAddress);
        Assert.True(error.ToString().Contains(field) || app.Logs.Any(l => l.Contains(field) && l.Contains("OptionsValidationException")),
            $"start-up failure does not name {field}: {error}");
    }

    [Fact]
    public async Task LocalHostIgnoresXForwardedForSoASpoofedHeaderCannotResetALimit()
    {
        await using var app = new CastioApplication(azurite) { ClientAddressSource = ClientAddressSource.Connection };
        using var client = app.CreateHttpClient();
        var body = new { email = "nobody@example.com", password = "wrong-password-1", orgSlug = AuthTestKit.NewSlug() };
        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
            statuses.Add((int)(await client.SendAsync(HttpMethod.Post, "/api/auth/login", body, address: AuthTestKit.NextAddress())).StatusCode);

        // Six different forged addresses from one connection address: the login limit (5 a minute) still bites.
        Assert.Equal(StatusCodes.Status429TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task LogsNeverContainTheStorageKeyOrTokens()
    {
        await using var app = new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);
        using var client = app.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;
        var owner = await AuthTestKit.RegisterAsync(client);
        await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: owner.AccessToken);
        await client.GetAsync("/api/nothing-here", ct);
        Assert.NotEmpty(app.Logs);
        Assert.DoesNotContain(app.Logs, line => line.Contains("AccountKey=") || line.Contains("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq"));
        Assert.DoesNotContain(app.Logs, line => line.Contains(owner.AccessToken) || line.Contains(owner.RefreshToken) || line.Contains(AuthTestKit.Password));
    }
}

/// <summary>A function without an access rule: the catalog must refuse it.</summary>
public sealed class UndeclaredFunction
{
    [Function("Undeclared")]
    public static IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "undeclared")] HttpRequest req) => Results.Ok();
}
