using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Castio.Core.Diagnostics;
using Castio.Core.Webhooks;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Diagnostics;

public class DiagnosticsApiTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>, IAsyncLifetime
{
    private const string Capture = "phone-home";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Everything a health report may carry; anything else leaving the deployment fails the test.</summary>
    private static readonly string[] ReportFields =
        ["kind", "orgHash", "timestamp", "version", "status", "checkType", "probes", "warnings", "webhookDeliveries", "webhookFailures"];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await SimulatorFaultsAsync(null);

    private async Task SimulatorFaultsAsync(object? faults)
    {
        using var http = new HttpClient { BaseAddress = new Uri(simulator.Sim.ServerUrl) };
        var response = faults is null
            ? await http.PostAsync("/__sim/faults/reset", null, CancellationToken.None)
            : await http.PutAsJsonAsync("/__sim/faults", faults, CancellationToken.None);
        response.EnsureSuccessStatusCode();
    }

    private static int FreePort() => Castio.LocalHost.LoopbackPorts.Free();

    /// <summary>The app on a known port, phoning home to its own capture endpoint; RTK calls are not retried (a down simulator fails at once).</summary>
    private CastioApplication NewApp()
    {
        var port = FreePort();
        return new CastioApplication(azurite)
            .WithRtkSimulator(simulator.Sim)
            .WithSetting("urls", $"http://127.0.0.1:{port}")
            .WithSetting("LocalHost:Capture:Enabled", "true")
            .WithSetting("Diagnostics:PhoneHomeEndpoint", $"http://127.0.0.1:{port}/__capture/{Capture}/report")
            .WithSetting("Rtk:MaxRetries", "0");
    }

    private static string Hash(Guid orgId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(orgId.ToString("D"))));

    /// <summary>Bodies the capture endpoint received, waiting until at least <paramref name="atLeast"/> match.</summary>
    private static async Task<List<(string Text, JsonObject Json)>> ReportsAsync(HttpClient client, Func<JsonObject, bool>? match = null, int atLeast = 1)
    {
        match ??= _ => true;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var captured = await client.GetFromJsonAsync<JsonArray>($"/__capture/{Capture}", Ct);
            var reports = captured!.Select(c => (string)c!["body"]!).Select(t => (t, JsonNode.Parse(t)!.AsObject())).Where(r => match(r.Item2)).ToList();
            if (reports.Count >= atLeast || DateTime.UtcNow > deadline)
                return reports;
            await Task.Delay(100, Ct);
        }
    }

    private static Task<string> WaitForLogAsync(CastioApplication app, string fragment) =>
        Eventually.GetAsync(() => Task.FromResult(app.Logs.FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal))), TimeSpan.FromSeconds(15), Ct);

    [Fact]
    public async Task OwnersAndAdminsRunTheHealthCheckAndMembersCannot()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var admin = await AuthTestKit.AddUserAsync(client, owner, "admin");
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");

        var response = await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health", token: owner.AccessToken);
        var byAdmin = await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health", token: admin.AccessToken);
        var byMember = await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health", token: member.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = await response.JsonAsync();
        Assert.Equal("healthy", (string?)health["status"]);
        Assert.Equal("manual", (string?)health["checkType"]);
        Assert.Equal("org", (string?)health["scope"]);
        Assert.Equal(["blob", "queue", "rtk", "table"], health["probes"]!.AsArray().Select(p => (string)p!["name"]!).Order());
        Assert.All(health["probes"]!.AsArray(), p => Assert.Equal("healthy", (string?)p!["status"]));
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byMember.StatusCode);
        // The RTK probe is an authenticated GET on the org's own app.
        Assert.Contains(simulator.Sim.State.Requests, r => r.Method == "GET" && r.Path.EndsWith("/meetings", StringComparison.Ordinal) && r.Authorization == "Bearer " + simulator.Sim.Options.ApiToken);
    }

    [Fact]
    public async Task SnapshotsListNewestFirstAcrossTheOrgsChecksAndTheScheduledOnesAPageAtATime()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        await WaitForLogAsync(app, "Timer function Diagnostics_HealthCheck next runs at 2026-01-05T09:05:00");

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health", token: owner.AccessToken)).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health", token: owner.AccessToken)).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(4)); // 09:05: the timer's check
        await WaitForLogAsync(app, "Health check (scheduled)");

        // The log line comes before the snapshot is saved: wait for the row itself.
        var stored = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < stored)
        {
            var latest = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health/snapshots?limit=10", token: owner.AccessToken)).JsonAsync();
            if (latest["snapshots"]!.AsArray().Any(s => (string?)s!["checkType"] == "scheduled"))
                break;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var other = await AuthTestKit.RegisterAsync(client);
        app.Clock.Advance(TimeSpan.FromSeconds(1)); // after the scheduled check, not tied with it
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health", token: other.AccessToken)).StatusCode);

        var items = new List<JsonNode>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health/snapshots?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), token: owner.AccessToken)).JsonAsync();
            var snapshots = page["snapshots"]!.AsArray();
            Assert.InRange(snapshots.Count, 1, 2);
            items.AddRange(snapshots.Select(s => s!));
            cursor = (string?)page["nextCursor"];
            pages++;
        }
        while (cursor is not null && pages < 10);

        // A check slowed past 2 s by a loaded machine is degraded and phoned home; those records are listed too.
        var checks = items.Where(s => (string?)s["checkType"] != "phone_home").ToList();
        Assert.Equal(["deployment/scheduled", "org/manual", "org/manual"], checks.Select(s => $"{s["scope"]}/{s["checkType"]}"));
        Assert.Equal(items.Count, items.Select(s => (string?)s["id"]).Distinct().Count());
        var times = items.Select(s => DateTimeOffset.Parse((string)s["checkedAt"]!)).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.Equal(TestClock.Start.AddMinutes(5), DateTimeOffset.Parse((string)checks[0]["checkedAt"]!));
        Assert.Equal((items.Count + 1) / 2, pages);
        // The other org's own check is not listed; the deployment's is listed for both.
        var others = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health/snapshots", token: other.AccessToken)).JsonAsync();
        Assert.Equal(["org/manual", "deployment/scheduled"], others["snapshots"]!.AsArray().Where(s => (string?)s!["checkType"] != "phone_home").Select(s => $"{s!["scope"]}/{s["checkType"]}"));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task BadPagingIsAProblemNamingTheField(string query, string field)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var problem = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health/snapshots?" + query, token: owner.AccessToken)).ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal([field], problem["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task PhoneHomeNowSendsTheHashedOrgIdAndOnlyAggregatesAndRecordsTheSend()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var admin = await AuthTestKit.AddUserAsync(client, owner, "admin");

        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(HttpMethod.Post, "/api/diagnostics/phone-home", token: admin.AccessToken)).StatusCode);
        var response = await client.SendAsync(HttpMethod.Post, "/api/diagnostics/phone-home", token: owner.AccessToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.JsonAsync();
        var (text, report) = Assert.Single(await ReportsAsync(client));
        Assert.Equal(Hash(owner.OrgId), (string?)report["orgHash"]);
        Assert.Equal((string?)queued["orgHash"], (string?)report["orgHash"]);
        Assert.Equal("health", (string?)report["kind"]);
        Assert.Contains((string?)report["status"], new[] { "healthy", "degraded" }); // degraded only when the machine is slow
        Assert.All(report.Select(p => p.Key), key => Assert.Contains(key, ReportFields));
        Assert.All(report["probes"]!.AsArray(), p => Assert.Equal(["latencyMs", "name", "status"], p!.AsObject().Select(f => f.Key).Order()));
        foreach (var secret in new[] { owner.OrgId.ToString("D"), owner.OrgId.ToString("N"), owner.Email, owner.OrgSlug, "Olive", admin.Email, "127.0.0.1", simulator.Sim.AccountId })
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);

        // Every send is logged and recorded, report included, for the org to see.
        await WaitForLogAsync(app, $"Phone-home health report for org {Hash(owner.OrgId)}: delivered (HTTP 200)");
        var snapshots = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health/snapshots", token: owner.AccessToken)).JsonAsync();
        var record = Assert.Single(snapshots["snapshots"]!.AsArray(), s => (string?)s!["checkType"] == "phone_home")!;
        Assert.Equal("delivered", (string?)record["phoneHome"]!["outcome"]);
        Assert.Equal(200, (int)record["phoneHome"]!["httpStatus"]!);
        Assert.Equal(Hash(owner.OrgId), (string?)record["phoneHome"]!["report"]!["orgHash"]);
    }

    [Fact]
    public async Task AnUnhealthyCheckIsPhonedHomeForOrgsThatAllowItAndNeverForOrgsThatOptedOut()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var allows = await AuthTestKit.RegisterAsync(client);
        var optedOut = await AuthTestKit.RegisterAsync(client);
        var patched = await client.SendAsync(HttpMethod.Patch, "/api/diagnostics/settings", new { phoneHomeEnabled = false }, optedOut.AccessToken);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.False((bool)(await patched.JsonAsync())["phoneHomeEnabled"]!);

        await SimulatorFaultsAsync(new { down = true });
        var unhealthy = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health", token: allows.AccessToken)).JsonAsync();
        var alsoUnhealthy = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health", token: optedOut.AccessToken)).JsonAsync();
        var refused = await client.SendAsync(HttpMethod.Post, "/api/diagnostics/phone-home", token: optedOut.AccessToken);

        Assert.Equal("unhealthy", (string?)unhealthy["status"]);
        Assert.Equal("unhealthy", (string?)alsoUnhealthy["status"]);
        var rtk = unhealthy["probes"]!.AsArray().Single(p => (string?)p!["name"] == "rtk")!;
        Assert.StartsWith("RealtimeKit answered 503", (string?)rtk["error"]);
        Assert.Equal("diagnostics.phone_home_disabled", (string?)(await refused.ProblemAsync(HttpStatusCode.Conflict))["code"]);
        var (_, report) = Assert.Single(await ReportsAsync(client));
        Assert.Equal(Hash(allows.OrgId), (string?)report["orgHash"]);
        Assert.Equal("unhealthy", (string?)report["status"]);
        Assert.Contains(report["probes"]!.AsArray(), p => (string?)p!["name"] == "rtk" && (string?)p["status"] == "unhealthy");
        // The opted-out org's check queued nothing: no send, no record.
        var records = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health/snapshots", token: optedOut.AccessToken)).JsonAsync();
        Assert.DoesNotContain(records["snapshots"]!.AsArray(), s => (string?)s!["checkType"] == "phone_home");
        Assert.DoesNotContain(app.Logs, l => l.Contains("Phone-home health report for org " + Hash(optedOut.OrgId), StringComparison.Ordinal));
    }

    [Fact]
    public async Task SwitchingPhoneHomeOffStopsReportsStillQueued()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var phoneHome = app.Services.GetRequiredService<PhoneHome>();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, "/api/diagnostics/settings", new { phoneHomeEnabled = false }, owner.AccessToken)).StatusCode);

        // A report queued before the switch (e.g. from a check that was running) is checked again at send time.
        var delivery = await phoneHome.SendAsync(owner.OrgId, PhoneHome.AlertReport(owner.OrgId, "timer", "InvalidOperationException", app.Clock.GetUtcNow()), Ct);

        Assert.Null(delivery);
        await WaitForLogAsync(app, $"Phone-home alert report for org {Hash(owner.OrgId)} not sent: the org has phone-home switched off");
        Assert.Empty(await ReportsAsync(client, atLeast: 0));
    }

    [Fact]
    public async Task AFatalErrorIsPhonedHomeAsAnAlertWithTheErrorTypeOnly()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        Assert.True(app.Services.GetRequiredService<PhoneHome>().TryQueueFatal(owner.OrgId, "webhooks", new InvalidOperationException($"failed for {owner.Email}")));

        var (text, report) = Assert.Single(await ReportsAsync(client));
        Assert.Equal("alert", (string?)report["kind"]);
        Assert.Equal("fatal", (string?)report["severity"]);
        Assert.Equal("webhooks", (string?)report["component"]);
        Assert.Equal("InvalidOperationException", (string?)report["errorType"]);
        Assert.DoesNotContain(owner.Email, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(owner.OrgId.ToString("D"), text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheScheduledCheckWarnsOfAHighWebhookFailureRateAndPhonesItHome()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        await WaitForLogAsync(app, "Timer function Diagnostics_HealthCheck next runs at 2026-01-05T09:05:00");
        var ledger = app.Services.GetRequiredService<WebhookLedger>();
        for (var i = 0; i < 12; i++)
        {
            // 3 failed of 10 finished (30%); a duplicate and one still processing do not count.
            var status = i < 3 ? WebhookDeliveryStatus.Failed : i < 10 ? WebhookDeliveryStatus.Processed : i == 10 ? WebhookDeliveryStatus.Duplicate : WebhookDeliveryStatus.Processing;
            var at = app.Clock.GetUtcNow().AddSeconds(i);
            var id = Guid.CreateVersion7(at);
            await ledger.AddAsync(new WebhookDeliveryEntity
            {
                PartitionKey = WebhookLedger.PartitionFor(i % 2 == 0 ? owner.OrgId : null, at),
                RowKey = WebhookLedger.RowFor(id, at),
                Id = id,
                OrgId = i % 2 == 0 ? owner.OrgId : null,
                Event = "meeting.participantJoined",
                Status = status,
                ReceivedAt = at,
            }, Ct);
        }

        app.Clock.Advance(TimeSpan.FromMinutes(5));

        var (_, report) = Assert.Single(await ReportsAsync(client, r => (string?)r["orgHash"] == Hash(owner.OrgId)));
        Assert.Equal("degraded", (string?)report["status"]);
        Assert.Equal("scheduled", (string?)report["checkType"]);
        Assert.Equal(["webhooks.failure_rate"], report["warnings"]!.AsArray().Select(w => (string)w!));
        Assert.Equal(10, (int)report["webhookDeliveries"]!);
        Assert.Equal(3, (int)report["webhookFailures"]!);
        await WaitForLogAsync(app, "Webhook failure rate is high: 3 of 10");
        var snapshots = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/health/snapshots", token: owner.AccessToken)).JsonAsync();
        var scheduled = Assert.Single(snapshots["snapshots"]!.AsArray(), s => (string?)s!["checkType"] == "scheduled")!;
        Assert.Equal("webhooks.failure_rate", (string?)scheduled["warnings"]![0]!["code"]);
    }

    [Fact]
    public void TheWarningNeedsMoreThanTwentyPercentOfEnoughDeliveries()
    {
        Assert.False(WebhookHealth.IsAlarming(new WebhookFailureRate(10, 2, TestClock.Start))); // 20% is not above 20%
        Assert.False(WebhookHealth.IsAlarming(new WebhookFailureRate(4, 4, TestClock.Start))); // too few to judge
        Assert.True(WebhookHealth.IsAlarming(new WebhookFailureRate(100, 21, TestClock.Start)));
    }

    [Fact]
    public async Task SettingsShowTheSwitchAndRetentionAndBadValuesNameTheField()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var admin = await AuthTestKit.AddUserAsync(client, owner, "admin");

        var initial = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/settings", token: admin.AccessToken)).JsonAsync();
        var bad = await client.SendAsync(HttpMethod.Patch, "/api/diagnostics/settings", new { artefactRetentionDays = 0 }, owner.AccessToken);
        var byAdmin = await client.SendAsync(HttpMethod.Patch, "/api/diagnostics/settings", new { artefactRetentionDays = 30 }, admin.AccessToken);
        var changed = await client.SendAsync(HttpMethod.Patch, "/api/diagnostics/settings", new { artefactRetentionDays = 30 }, owner.AccessToken);
        var org = await (await client.SendAsync(HttpMethod.Get, "/api/org/settings", token: owner.AccessToken)).JsonAsync();

        Assert.True((bool)initial["phoneHomeEnabled"]!);
        Assert.True((bool)initial["phoneHomeEndpointConfigured"]!);
        Assert.Equal(365, (int)initial["artefactRetentionDays"]!);
        Assert.Equal(["artefactRetentionDays"], (await bad.ProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(HttpStatusCode.Forbidden, byAdmin.StatusCode);
        Assert.Equal(30, (int)(await changed.JsonAsync())["artefactRetentionDays"]!);
        Assert.True((bool)org["settings"]!["phoneHomeEnabled"]!);
        var wrongType = await client.SendAsync(HttpMethod.Patch, "/api/diagnostics/settings", JsonNode.Parse("""{"phoneHomeEnabled":"yes"}"""), owner.AccessToken);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
    }
}
