using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Castio.Core.Orgs;
using Castio.Core.PostMeeting;
using Castio.Core.Rtk;
using Castio.RtkSimulator;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Meetings;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Insights;

/// <summary>
/// A Castio app and its own simulator wired both ways (REST → simulator, webhooks → the app), an org with a user of
/// every role, and sessions driven through the simulator's control endpoints.
/// </summary>
internal sealed class InsightsWorld : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private InsightsWorld(CastioApplication app, RtkSimulatorHost sim, HttpClient client, HttpClient control, MeetingOrg org, string appId)
    {
        App = app;
        Sim = sim;
        Client = client;
        Control = control;
        Org = org;
        AppId = appId;
    }

    public CastioApplication App { get; }
    public RtkSimulatorHost Sim { get; }
    public HttpClient Client { get; }
    public HttpClient Control { get; }
    public MeetingOrg Org { get; }
    public Caller Owner => Org.Owner;
    public string AppId { get; }

    public PostMeetingStore Store => App.Services.GetRequiredService<PostMeetingStore>();

    public static async Task<InsightsWorld> StartAsync(AzuriteFixture azurite)
    {
        var sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions
        {
            KeepAliveOverride = TimeSpan.Zero,
            AutoAdvanceRecordings = true,
            WebhookRetryDelay = TimeSpan.FromMilliseconds(500),
            WebhookMaxAttempts = 20,
        }, Ct);
        var app = new CastioApplication(azurite).WithRtkSimulator(sim)
            .WithSetting("PostMeeting:ArtefactGrace", "00:00:02")
            .WithSetting("PostMeeting:SummaryGrace", "00:00:02")
            .WithSetting("PostMeeting:RecordingStallAfter", "00:00:02")
            .WithSetting("PostMeeting:RecoveryDelay", "00:10:00");
        // Blob links are signed with the app's clock and checked by Azurite's: keep the app on real time.
        app.Clock.SetUtcNow(DateTimeOffset.UtcNow);
        var client = app.CreateHttpClient();
        sim.State.RegisterAccountWebhook(new Uri(app.BaseAddress, "/webhooks/rtk").ToString());
        var org = await MeetingOrg.CreateAsync(client);
        var orgRow = await app.Services.GetRequiredService<OrgStore>().GetAsync(org.Owner.OrgId, Ct);
        var control = new HttpClient { BaseAddress = new Uri(sim.ServerUrl) };
        return new InsightsWorld(app, sim, client, control, org, orgRow!.RtkAppId);
    }

    /// <summary>A started meeting of <paramref name="who"/> (RTK meeting ACTIVE) and its RTK id.</summary>
    public async Task<(Guid Id, string RtkMeetingId)> StartMeetingAsync(Caller who, object? body = null)
    {
        var meeting = await Client.CreateMeetingAsync(who, body ?? new { title = "Insights", recordingAutoStart = true });
        var started = await (await Client.TransitionAsync(who, meeting, "start")).JsonAsync();
        return (Guid.Parse((string)meeting["id"]!), (string)started["rtkMeetingId"]!);
    }

    /// <summary>An RTK participant of the meeting with Castio's participant id as its custom id, and its token.</summary>
    public async Task<(string ParticipantId, string Token)> AddParticipantAsync(string rtkMeetingId, string name)
    {
        var customId = Guid.NewGuid().ToString("D");
        var rtk = App.Services.GetRequiredService<RtkClient>();
        var participant = await rtk.Participants.AddAsync(AppId, rtkMeetingId, new RtkAddParticipantRequest { CustomParticipantId = customId, PresetName = "video_participant", Name = name }, Ct);
        return (customId, participant.Token!);
    }

    public async Task<JsonObject> JoinAsync(string token)
    {
        var response = await Control.PostAsJsonAsync("/__sim/join", new { token }, Ct);
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

    /// <summary>Waits until the session's post-meeting record is complete.</summary>
    public async Task<SessionEntity> CompletedAsync(SessionKey key)
    {
        try
        {
            return await Eventually.GetAsync(async () => await Store.GetSessionAsync(key, Ct) is { CompletedAt: not null } s && PostMeetingRecovery.IsFinished(s) ? s : null,
                TimeSpan.FromSeconds(90), Ct);
        }
        catch (TimeoutException)
        {
            var output = TestContext.Current.TestOutputHelper;
            output?.WriteLine($"session: {System.Text.Json.JsonSerializer.Serialize(await Store.GetSessionAsync(key, Ct))}");
            foreach (var a in await Store.ListArtefactsAsync(key, Ct)) output?.WriteLine($"artefact {a.Kind} {a.CopyState} {a.CopyNote}");
            foreach (var d in Sim.State.Deliveries) output?.WriteLine($"delivery {d.Event} {d.StatusCode} {d.Error}");
            foreach (var log in App.Logs.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal)).Take(40)) output?.WriteLine(log);
            throw;
        }
    }

    /// <summary>A meeting with one finished session (two people, Ada rejoining once) whose record is complete: chat, transcript, summary, recording.</summary>
    public async Task<(Guid MeetingId, string RtkMeetingId, string SessionId, string Ada, string Bob)> FinishedSessionAsync(Caller host, object? body = null)
    {
        var (meetingId, rtkMeetingId) = await StartMeetingAsync(host, body);
        var ada = await AddParticipantAsync(rtkMeetingId, "Ada");
        var bob = await AddParticipantAsync(rtkMeetingId, "Bob");
        var adaPeer = await JoinAsync(ada.Token);
        var sessionId = (string)adaPeer["session_id"]!;
        var bobPeer = await JoinAsync(bob.Token);

        // RTK's times have whole seconds: a leave in the joins' second would count before them (and hide the overlap).
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await LeaveAsync((string)adaPeer["peer_id"]!);
        var adaAgain = await JoinAsync(ada.Token);
        await LeaveAsync((string)bobPeer["peer_id"]!);
        await LeaveAsync((string)adaAgain["peer_id"]!);
        await ArtefactsAsync(sessionId, chat: true, transcript: true, summary: true);
        await CompletedAsync(new SessionKey(host.OrgId, meetingId, sessionId));
        return (meetingId, rtkMeetingId, sessionId, ada.ParticipantId, bob.ParticipantId);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Control.Dispose();
        await App.DisposeAsync();
        await Sim.DisposeAsync();
    }
}
