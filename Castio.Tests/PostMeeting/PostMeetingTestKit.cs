using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Castio.Core.Meetings;
using Castio.Core.Orgs;
using Castio.Core.PostMeeting;
using Castio.Core.Rtk;
using Castio.Core.Webhooks;
using Castio.RtkSimulator;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Meetings;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.PostMeeting;

/// <summary>
/// A Castio app and its own simulator wired both ways (RTK REST → simulator, webhooks → the app's /webhooks/rtk),
/// with short post-meeting deadlines; sessions are driven through the simulator's HTTP control endpoints.
/// </summary>
internal sealed class PostMeetingWorld : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly AzuriteFixture _azurite;

    private PostMeetingWorld(AzuriteFixture azurite, CastioApplication app, RtkSimulatorHost sim, HttpClient client, HttpClient control, Caller owner, string appId)
    {
        _azurite = azurite;
        App = app;
        Sim = sim;
        Client = client;
        Control = control;
        Owner = owner;
        AppId = appId;
    }

    public CastioApplication App { get; private set; }
    public RtkSimulatorHost Sim { get; }
    public HttpClient Client { get; private set; }
    public HttpClient Control { get; }
    public Caller Owner { get; }
    public string AppId { get; }

    public PostMeetingStore Store => App.Services.GetRequiredService<PostMeetingStore>();

    public WebhookLedger Ledger => App.Services.GetRequiredService<WebhookLedger>();

    public static RtkSimulatorOptions DefaultSimulator() => new()
    {
        // The last leave ends the session at once; recordings move on by themselves; webhooks retry quickly.
        KeepAliveOverride = TimeSpan.Zero,
        AutoAdvanceRecordings = true,
        WebhookRetryDelay = TimeSpan.FromMilliseconds(500),
        WebhookMaxAttempts = 20,
    };

    public static CastioApplication NewApp(AzuriteFixture azurite, RtkSimulatorHost sim, int? port = null, string? namePrefix = null)
    {
        var app = new CastioApplication(azurite).WithRtkSimulator(sim)
            .WithSetting("PostMeeting:ArtefactGrace", "00:00:02")
            .WithSetting("PostMeeting:SummaryGrace", "00:00:02")
            .WithSetting("PostMeeting:RecordingStallAfter", "00:00:02")
            .WithSetting("PostMeeting:RecoveryDelay", "00:10:00");
        if (port is int p) app.WithSetting("urls", $"http://127.0.0.1:{p}");
        if (namePrefix is not null) app.WithSetting("Storage:NamePrefix", namePrefix);
        return app;
    }

    /// <param name="configure">Changes to the app before it starts (a storage request log, say).</param>
    public static async Task<PostMeetingWorld> StartAsync(AzuriteFixture azurite, RtkSimulatorOptions? options = null, int? port = null, Func<CastioApplication, CastioApplication>? configure = null)
    {
        var sim = await RtkSimulatorHost.StartAsync(options ?? DefaultSimulator(), Ct);
        var app = NewApp(azurite, sim, port);
        if (configure is not null) app = configure(app);
        var client = app.CreateHttpClient();
        sim.State.RegisterAccountWebhook(new Uri(app.BaseAddress, "/webhooks/rtk").ToString());
        var owner = await AuthTestKit.RegisterAsync(client);
        var org = await app.Services.GetRequiredService<OrgStore>().GetAsync(owner.OrgId, Ct);
        var control = new HttpClient { BaseAddress = new Uri(sim.ServerUrl) };
        return new PostMeetingWorld(azurite, app, sim, client, control, owner, org!.RtkAppId);
    }

    /// <summary>Stops the app (its in-memory orchestrations die with it) and starts a new one on the same port and storage.</summary>
    public async Task RestartAppAsync()
    {
        var port = App.BaseAddress.Port;
        var prefix = App.NamePrefix;
        Client.Dispose();
        await App.DisposeAsync();
        App = NewApp(_azurite, Sim, port, prefix);
        Client = App.CreateHttpClient();
        _ = App.BaseAddress;
    }

    /// <summary>A started meeting (RTK meeting ACTIVE) and its RTK id.</summary>
    public async Task<(Guid Id, string RtkMeetingId)> StartMeetingAsync(object? body = null)
    {
        var meeting = await Client.CreateMeetingAsync(Owner, body ?? new { title = "Post-meeting", recordingAutoStart = true });
        var id = Guid.Parse((string)meeting["id"]!);
        if ((string?)meeting["schedulingType"] == "permanent")
        {
            await using var scope = App.Services.CreateAsyncScope();
            var active = await scope.ServiceProvider.GetRequiredService<MeetingService>().EnsureActiveForJoinAsync(Owner.OrgId, id, Ct);
            Assert.True(active.Succeeded, active.Error?.Code);
            return (id, active.Value.RtkMeetingId!);
        }
        var started = await (await Client.TransitionAsync(Owner, meeting, "start")).JsonAsync();
        return (id, (string)started["rtkMeetingId"]!);
    }

    /// <summary>An RTK participant of the meeting (as the join flow would add) and its token.</summary>
    public async Task<(string ParticipantId, string Token)> AddParticipantAsync(string rtkMeetingId, string name)
    {
        var customId = Guid.NewGuid().ToString("D");
        var rtk = App.Services.GetRequiredService<RtkClient>();
        var participant = await rtk.Participants.AddAsync(AppId, rtkMeetingId, new RtkAddParticipantRequest { CustomParticipantId = customId, PresetName = "video_participant", Name = name }, Ct);
        return (customId, participant.Token!);
    }

    public async Task<JsonObject> JoinAsync(string token, string? name = null)
    {
        var response = await Control.PostAsJsonAsync("/__sim/join", new { token, display_name = name }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
    }

    public async Task LeaveAsync(string peerId) =>
        Assert.True((await Control.PostAsync($"/__sim/peers/{peerId}/leave", null, Ct)).IsSuccessStatusCode);

    public async Task ArtefactsAsync(string sessionId, bool chat, bool transcript, bool summary)
    {
        var response = await Control.PostAsJsonAsync($"/__sim/sessions/{sessionId}/artefacts", new { chat, transcript, summary }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    public async Task FaultsAsync(object faults) =>
        Assert.True((await Control.PutAsJsonAsync("/__sim/faults", faults, Ct)).IsSuccessStatusCode);

    public async Task ResetFaultsAsync() =>
        Assert.True((await Control.PostAsync("/__sim/faults/reset", null, Ct)).IsSuccessStatusCode);

    /// <summary>Queues artefact-download failures (<c>POST /__sim/faults/files-fail-next</c>).</summary>
    public async Task FilesFailNextAsync(object failure)
    {
        var response = await Control.PostAsJsonAsync("/__sim/faults/files-fail-next", failure, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>The simulator's artefact-download log (<c>GET /__sim/file-downloads</c>): file id, status and outcome of each request.</summary>
    public async Task<List<(string FileId, int? Status, string Outcome)>> DownloadsAsync()
    {
        var log = (JsonArray)JsonNode.Parse(await Control.GetStringAsync("/__sim/file-downloads", Ct))!;
        return [.. log.Select(d => ((string)d!["file_id"]!, (int?)d["status_code"], (string)d["outcome"]!))];
    }

    /// <summary>Waits until the session's post-meeting record is complete (the orchestration finished it).</summary>
    public async Task<SessionEntity> CompletedAsync(SessionKey key, TimeSpan? timeout = null)
    {
        try
        {
            return await Eventually.GetAsync(async () => await Store.GetSessionAsync(key, Ct) is { CompletedAt: not null } s && PostMeetingRecovery.IsFinished(s) ? s : null,
                timeout ?? TimeSpan.FromSeconds(60), Ct);
        }
        catch (TimeoutException)
        {
            // Say why: the record as it stands, the deliveries, and what the app logged above Information.
            var output = TestContext.Current.TestOutputHelper;
            var s = await Store.GetSessionAsync(key, Ct);
            output?.WriteLine($"session: {System.Text.Json.JsonSerializer.Serialize(s)}");
            foreach (var a in await Store.ListArtefactsAsync(key, Ct)) output?.WriteLine($"artefact {a.Kind} {a.CopyState} {a.CopyNote}");
            foreach (var d in Sim.State.Deliveries) output?.WriteLine($"delivery {d.Event} {d.StatusCode} {d.Error}");
            foreach (var log in App.Logs.Where(l => l.StartsWith("Warning") || l.StartsWith("Error") || l.Contains("Durable", StringComparison.Ordinal)).Take(60)) output?.WriteLine(log);
            throw;
        }
    }

    /// <summary>Waits until the simulator's webhook queue is drained (every delivery got a final answer).</summary>
    public Task DeliveredAsync(int atLeast) =>
        Sim.State.WaitForDeliveriesAsync(d => d.Count(a => a.StatusCode is >= 200 and < 300) >= atLeast, TimeSpan.FromSeconds(60), Ct);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Control.Dispose();
        await App.DisposeAsync();
        await Sim.DisposeAsync();
    }

    public static int FreePort() => Castio.LocalHost.LoopbackPorts.Free();
}

