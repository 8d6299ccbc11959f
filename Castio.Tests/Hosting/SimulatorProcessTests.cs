using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Castio.Core.Rtk;
using Castio.LocalHost;
using Castio.RtkSimulator;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Joining;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Castio.Tests.Hosting;

/// <summary>
/// The README's two-command loop: the RTK simulator started on its own (its built dll, in its own process), and
/// LocalHost pointed at it with Rtk:BaseUrl, Rtk:AccountId, Rtk:ApiToken and Rtk:WebhookPublicKeyUrl.
/// </summary>
public class SimulatorProcessTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // What Castio.RtkSimulator's Program uses when not told otherwise.
    private const string StandaloneAccountId = "0123456789abcdef0123456789abcdef";
    private const string StandaloneToken = "simulator-token";

    [Fact]
    public async Task LocalHostPointedAtASeparateSimulatorProcessSeesTheSessionItsWebhooksReport()
    {
        var simPort = LoopbackPorts.Free();
        var appPort = LoopbackPorts.Free();
        await using var sim = await SimulatorProcess.StartAsync(simPort, $"http://127.0.0.1:{appPort}/webhooks/rtk");
        var simUrl = $"http://127.0.0.1:{simPort}";

        await using var app = new CastioApplication(azurite)
            .WithSetting("urls", $"http://127.0.0.1:{appPort}")
            .WithSetting("Rtk:BaseUrl", simUrl + "/client/v4")
            .WithSetting("Rtk:AccountId", StandaloneAccountId)
            .WithSetting("Rtk:ApiToken", StandaloneToken)
            .WithSetting("Rtk:AppId", "")
            .WithSetting("Rtk:WebhookPublicKeyUrl", simUrl + "/.well-known/webhooks.json");
        using var client = app.CreateHttpClient();
        Assert.Equal(appPort, app.BaseAddress.Port);
        Assert.Null(app.Services.GetService<RtkSimulatorHost>()); // no in-process simulator took its place
        using var control = new HttpClient { BaseAddress = new Uri(simUrl) };

        // Registration creates the org's RTK app in the other process; a started meeting has its RTK meeting there.
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.ActiveMeetingAsync(owner);
        var meetingId = (string)meeting["id"]!;
        var joined = await client.JoinAsync(owner, meeting).JoinedAsync();

        // The simulator's control API stands in for the browser SDK: the participant joins with Castio's token.
        var join = await control.PostAsJsonAsync("/__sim/join", new { token = (string)joined["rtkAuthToken"]! }, Ct);
        Assert.True(join.IsSuccessStatusCode, await join.Content.ReadAsStringAsync(Ct));
        var peer = (await join.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        var rtkSessionId = (string)peer["session_id"]!;
        Assert.Equal((string)meeting["rtkMeetingId"]!, (string?)peer["meeting_id"]);

        // Signed webhooks from the other process, checked against the key it serves, project the session.
        var listed = await Eventually.GetAsync(async () =>
        {
            var page = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/sessions", token: owner.AccessToken)).JsonAsync();
            return page["items"]!.AsArray().Select(s => s!.AsObject()).FirstOrDefault(s => (string?)s["rtkSessionId"] == rtkSessionId && (int)s["participantCount"]! == 1);
        }, TimeSpan.FromSeconds(30), Ct);
        Assert.NotNull((string?)listed["startedAt"]);
        Assert.Null((string?)listed["endedAt"]);

        // The host ends it in RTK: meeting.ended reaches Castio the same way.
        var end = await control.PostAsJsonAsync($"/__sim/sessions/{rtkSessionId}/end", new { reason = "HOST_ENDED_MEETING" }, Ct);
        Assert.True(end.IsSuccessStatusCode, await end.Content.ReadAsStringAsync(Ct));
        await Eventually.GetAsync(async () =>
        {
            var page = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/sessions", token: owner.AccessToken)).JsonAsync();
            return page["items"]!.AsArray().FirstOrDefault(s => (string?)s!["rtkSessionId"] == rtkSessionId && s["endedAt"] is not null);
        }, TimeSpan.FromSeconds(30), Ct);

        var deliveries = (await control.GetFromJsonAsync<JsonArray>("/__sim/webhook-deliveries", Ct))!;
        Assert.Contains(deliveries, d => (string?)d!["event"] == "meeting.started" && (int?)d["status_code"] == 200);
        Assert.All(deliveries, d => Assert.Equal($"http://127.0.0.1:{appPort}/webhooks/rtk", (string?)d!["url"]));
        Assert.DoesNotContain(deliveries, d => (int?)d!["status_code"] is 401 or 400);
    }

    [Fact]
    public void LocalHostUsesAnRtkBaseUrlItIsGivenEvenWithoutAToken()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Rtk:BaseUrl"] = "http://127.0.0.1:5080/client/v4", ["Rtk:ApiToken"] = "" });
        builder.AddRtkOrSimulator();
        builder.Services.AddRtk(builder.Configuration);
        using var sp = builder.Services.BuildServiceProvider();

        Assert.Null(sp.GetService<RtkSimulatorHost>());
        var options = sp.GetRequiredService<IOptions<RtkOptions>>().Value;
        Assert.Equal("http://127.0.0.1:5080/client/v4", options.BaseUrl);
        Assert.False(options.IsConfigured());
    }

    [Fact]
    public async Task CloudflaresOwnBaseUrlFromTheSampleSettingsStillMeansTheInProcessSimulator()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Rtk:BaseUrl"] = "https://api.cloudflare.com/client/v4", ["Rtk:ApiToken"] = "" });
        builder.AddRtkOrSimulator();
        builder.Services.AddRtk(builder.Configuration);
        await using var sp = builder.Services.BuildServiceProvider();

        var sim = sp.GetRequiredService<RtkSimulatorHost>();
        Assert.Equal(sim.BaseUrl, sp.GetRequiredService<IOptions<RtkOptions>>().Value.BaseUrl);
        await sim.DisposeAsync();
    }

    /// <summary><c>dotnet Castio.RtkSimulator.dll --port P --webhook-url U</c>, the build output copied beside the tests; killed on dispose.</summary>
    private sealed class SimulatorProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();

        private SimulatorProcess(Process process) => _process = process;

        public static async Task<SimulatorProcess> StartAsync(int port, string webhookUrl)
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "Castio.RtkSimulator.dll");
            Assert.True(File.Exists(dll), dll + " is not built beside the tests");
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { dll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--webhook-url", webhookUrl })
                info.ArgumentList.Add(arg);
            var process = new Process { StartInfo = info };
            var sim = new SimulatorProcess(process);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                sim._output.Enqueue(e.Data);
                if (e.Data.StartsWith("RTK simulator at ", StringComparison.Ordinal)) started.TrySetResult();
            };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) sim._output.Enqueue(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await Task.WhenAny(started.Task, process.WaitForExitAsync(Ct)).WaitAsync(TimeSpan.FromSeconds(60), Ct);
                Assert.True(started.Task.IsCompleted, "The simulator did not start:\n" + string.Join('\n', sim._output));
                Assert.Contains(sim._output, l => l.Contains($"http://127.0.0.1:{port}/client/v4", StringComparison.Ordinal));
            }
            catch
            {
                await sim.DisposeAsync();
                throw;
            }
            return sim;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
            _process.Dispose();
        }
    }
}
