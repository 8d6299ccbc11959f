using System.Text.Json;
using System.Text.Json.Nodes;
using Castio.Core.Rtk;
using Castio.Core.Webhooks;
using Castio.RtkSimulator;
using Castio.Tests.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Castio.Tests.Rtk.RtkTestKit;

namespace Castio.Tests.Rtk;

/// <summary>The simulator's webhooks against RTK's documented payloads, signature and delivery rules (docs/realtimekit.md, Webhooks).</summary>
public sealed class SimulatorWebhookTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static async Task<(RtkSimulatorHost Sim, RtkClient Rtk, string AppId, RtkWebhook Webhook)> SetUpAsync(
        WebhookReceiver receiver, RtkSimulatorOptions options, IReadOnlyList<string>? events = null)
    {
        var sim = await RtkSimulatorHost.StartAsync(options, Ct);
        var rtk = Client(sim);
        var appId = await NewAppAsync(rtk, Ct);
        var webhook = await rtk.Webhooks.CreateAsync(appId, new RtkWebhookRequest { Name = "test", Url = receiver.WebhookUrl, Events = events ?? RtkWebhookEvents.All }, Ct);
        return (sim, rtk, appId, webhook);
    }

    private static async Task<List<Received>> WaitForAsync(WebhookReceiver receiver, int count)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (receiver.Received.Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Only {receiver.Received.Count} of {count} webhooks arrived.");
            await Task.Delay(20, Ct);
        }
        return [.. receiver.Received];
    }

    // Cloudflare's documented payload examples, verbatim in shape ("..." stands for any string).
    private const string StartedExample = """
        { "event": "meeting.started",
          "meeting": { "id": "50c8940e-...", "sessionId": "05e57591-...", "title": "Weekly sync", "roomName": "50c8940e-...",
            "status": "LIVE", "createdAt": "2026-06-03T10:00:00.000Z", "startedAt": "2026-06-03T10:00:00.000Z",
            "organizedBy": { "id": "c94c437b-...", "name": "Example organization" } } }
        """;
    private const string ChatSyncedExample = """
        { "event": "meeting.chatSynced", "sessionId": "05e57591-...", "meetingId": "50c8940e-...", "title": "Weekly sync",
          "chatDownloadUrl": "https://...", "chatDownloadUrlExpiry": "2026-06-10T10:30:00.000Z",
          "createdAt": "...", "startedAt": "...", "endedAt": "...",
          "organizedBy": { "id": "...", "name": "..." } }
        """;
    private const string LivestreamExample = """
        { "event": "livestreaming.statusUpdate", "streamId": "d231d346-...", "status": "LIVE",
          "manualIngest": false, "playbackUrl": "https://.../live.m3u8", "ingestServer": "rtmps://...", "streamKey": "...",
          "meeting": { "id": "...", "title": "...", "createdAt": "...", "roomName": "...", "status": "LIVE", "organizedBy": { "id": "...", "name": "..." } } }
        """;

    /// <summary>Every property path with its JSON kind, e.g. "meeting.organizedBy.id:String".</summary>
    private static SortedSet<string> Shape(JsonNode? node, string path = "")
    {
        var shape = new SortedSet<string>(StringComparer.Ordinal);
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                var child = path.Length == 0 ? key : $"{path}.{key}";
                shape.Add($"{child}:{(value is null ? "Null" : value.GetValueKind().ToString())}");
                shape.UnionWith(Shape(value, child));
            }
        }
        return shape;
    }

    private static string[] Keys(JsonNode? node) => [.. node!.AsObject().Select(p => p.Key)];

    private static readonly string[] MeetingKeys = ["id", "sessionId", "title", "roomName", "status", "createdAt", "startedAt", "organizedBy"];
    private static readonly string[] EndedMeetingKeys = ["id", "sessionId", "title", "roomName", "status", "createdAt", "startedAt", "endedAt", "organizedBy"];

    [Fact]
    public async Task PayloadsOfAWholeSessionMatchTheSpecExamplesFieldByField()
    {
        await using var receiver = await WebhookReceiver.StartAsync(cancellationToken: Ct);
        var (sim, rtk, appId, _unused) = await SetUpAsync(receiver, new RtkSimulatorOptions { KeepAliveOverride = TimeSpan.Zero });
        await using var simScope = sim;
        var appName = (await rtk.Apps.ListAsync(cancellationToken: Ct)).Items.Single(a => a.Id == appId).Name;
        var meeting = await rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest { Title = "Weekly sync", TranscribeOnEnd = true, SummarizeOnEnd = true }, Ct);
        var participant = await rtk.Participants.AddAsync(appId, meeting.Id, new RtkAddParticipantRequest { CustomParticipantId = "user-1", PresetName = "webinar_host", Name = "Mary Sue" }, Ct);

        var join = sim.State.Join(participant.Token!);
        var recording = await rtk.Recordings.StartAsync(appId, new RtkStartRecordingRequest { MeetingId = meeting.Id }, Ct);
        sim.State.AdvanceRecording(recording.Id);                        // RECORDING
        await rtk.Livestreams.StartAsync(appId, meeting.Id, cancellationToken: Ct); // livestream LIVE
        await rtk.Livestreams.StopAsync(appId, meeting.Id, Ct);             // livestream OFFLINE
        sim.State.Leave(join.PeerId);                                     // left, ended (keep-alive 0), recording UPLOADING
        sim.State.AdvanceRecording(recording.Id);                         // UPLOADED
        sim.State.ProduceArtefacts(join.SessionId);                       // chat, transcript, summary

        var received = await WaitForAsync(receiver, 12);
        var byEvent = received.Select(r => r.Json).GroupBy(j => (string)j["event"]!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(
            ["livestreaming.statusUpdate", "meeting.chatSynced", "meeting.ended", "meeting.participantJoined", "meeting.participantLeft",
             "meeting.started", "meeting.summary", "meeting.transcript", "recording.statusUpdate"],
            byEvent.Keys.Order(StringComparer.Ordinal));

        void AssertMeeting(JsonNode? m, bool ended, bool stillLive = false)
        {
            Assert.Equal(ended ? EndedMeetingKeys : MeetingKeys, Keys(m));
            Assert.Equal(meeting.Id, (string?)m!["id"]);
            Assert.Equal(join.SessionId, (string?)m["sessionId"]);
            Assert.Equal("Weekly sync", (string?)m["title"]);
            Assert.Equal(meeting.Id, (string?)m["roomName"]);
            Assert.Equal("LIVE", (string?)m["status"]); // RTK sends LIVE even in meeting.ended
            Assert.Equal(appId, (string?)m["organizedBy"]!["id"]);
            Assert.Equal(appName, (string?)m["organizedBy"]!["name"]);
            Assert.True(DateTimeOffset.TryParse((string?)m["startedAt"], out _));
            // A peer leaving a still-live session has no end time yet.
            if (ended && stillLive) Assert.Null(m["endedAt"]);
            else if (ended) Assert.True(DateTimeOffset.TryParse((string?)m["endedAt"], out _));
        }

        var started = Assert.Single(byEvent["meeting.started"]);
        Assert.Equal(Shape(JsonNode.Parse(StartedExample)), Shape(started));
        AssertMeeting(started["meeting"], ended: false);

        var joined = Assert.Single(byEvent["meeting.participantJoined"]);
        Assert.Equal(["event", "meeting", "participant"], Keys(joined));
        AssertMeeting(joined["meeting"], ended: false);
        Assert.Equal(["peerId", "userDisplayName", "customParticipantId", "clientSpecificId", "joinedAt"], Keys(joined["participant"]));
        Assert.Equal(join.PeerId, (string?)joined["participant"]!["peerId"]);
        Assert.Equal("Mary Sue", (string?)joined["participant"]!["userDisplayName"]);
        Assert.Equal("user-1", (string?)joined["participant"]!["customParticipantId"]);
        Assert.Equal("user-1", (string?)joined["participant"]!["clientSpecificId"]);

        var left = Assert.Single(byEvent["meeting.participantLeft"]);
        Assert.Equal(["peerId", "userDisplayName", "customParticipantId", "clientSpecificId", "joinedAt", "leftAt"], Keys(left["participant"]));
        AssertMeeting(left["meeting"], ended: true, stillLive: true);

        var ended = Assert.Single(byEvent["meeting.ended"]);
        Assert.Equal(["event", "meeting", "reason"], Keys(ended));
        AssertMeeting(ended["meeting"], ended: true);
        Assert.Equal("ALL_PARTICIPANTS_LEFT", (string?)ended["reason"]);

        var chat = Assert.Single(byEvent["meeting.chatSynced"]);
        Assert.Equal(Shape(JsonNode.Parse(ChatSyncedExample)), Shape(chat));
        Assert.Equal(join.SessionId, (string?)chat["sessionId"]);
        Assert.Equal(meeting.Id, (string?)chat["meetingId"]);
        Assert.Equal(appId, (string?)chat["organizedBy"]!["id"]);

        var streams = byEvent["livestreaming.statusUpdate"];
        Assert.Equal(["LIVE", "OFFLINE"], streams.Select(s => (string)s["status"]!));
        Assert.All(streams, s => Assert.Equal(Shape(JsonNode.Parse(LivestreamExample)), Shape(s)));
        Assert.Equal(meeting.Id, (string?)streams[0]["meeting"]!["id"]);

        var recordings = byEvent["recording.statusUpdate"];
        Assert.Equal(["RECORDING", "UPLOADING", "UPLOADED"], recordings.Select(r => (string)r["recording"]!["status"]!));
        var uploaded = recordings[^1];
        Assert.Equal(["event", "recording", "meeting"], Keys(uploaded));
        Assert.Equal(
            ["id", "recordingId", "status", "meetingId", "organizationId", "roomUUID", "startedTime", "stoppedTime", "outputFileName",
             "fileSize", "recordingDuration", "downloadUrl", "audioDownloadUrl", "downloadUrlExpiry", "stopReason"],
            Keys(uploaded["recording"]));
        var r = uploaded["recording"]!;
        Assert.Equal(recording.Id, (string?)r["id"]);
        Assert.Equal(recording.Id, (string?)r["recordingId"]);
        Assert.Equal(join.SessionId, (string?)r["roomUUID"]);
        Assert.Equal(meeting.Id, (string?)r["meetingId"]);
        Assert.Equal(appId, (string?)r["organizationId"]);
        Assert.Equal(JsonValueKind.String, r["fileSize"]!.GetValueKind()); // the Cloudflare example's string form
        Assert.StartsWith(sim.ServerUrl, (string?)r["downloadUrl"]);
        Assert.Equal(JsonValueKind.String, r["stopReason"]!.GetValueKind());
        AssertMeeting(uploaded["meeting"], ended: true);

        var transcript = Assert.Single(byEvent["meeting.transcript"]);
        Assert.Equal(["event", "meeting", "transcriptDownloadUrl", "transcriptDownloadUrlExpiry"], Keys(transcript));
        AssertMeeting(transcript["meeting"], ended: true);
        var summary = Assert.Single(byEvent["meeting.summary"]);
        Assert.Equal(["event", "meeting", "summaryDownloadUrl", "summaryDownloadUrlExpiry"], Keys(summary));
        AssertMeeting(summary["meeting"], ended: true);

        // Castio's payload model reads every one of them.
        foreach (var delivery in received)
        {
            var parsed = RtkWebhookPayload.Parse(delivery.Body);
            if (parsed.Event != RtkWebhookEvents.LivestreamingStatusUpdate) Assert.Equal(join.SessionId, parsed.EffectiveSessionId);
        }

        // Links in payloads are served by the simulator and expire 7 days after the session.
        using var http = new HttpClient();
        var transcriptCsv = await http.GetStringAsync((string)transcript["transcriptDownloadUrl"]!, Ct);
        Assert.Contains("user-1", transcriptCsv);
        var expiry = DateTimeOffset.Parse((string)summary["summaryDownloadUrlExpiry"]!);
        Assert.Equal(DateTimeOffset.Parse((string)summary["meeting"]!["endedAt"]!).AddDays(7), expiry);
    }

    [Fact]
    public async Task DeliveriesCarryHeadersAndSignaturesThatVerifyWithThePublishedKey()
    {
        await using var receiver = await WebhookReceiver.StartAsync(cancellationToken: Ct);
        var (sim, rtk, appId, webhook) = await SetUpAsync(receiver, new RtkSimulatorOptions());
        await using var simScope = sim;
        var live = await rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest { Title = "signed" }, Ct);
        var p = await rtk.Participants.AddAsync(appId, live.Id, new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = "video_host" }, Ct);
        sim.State.Join(p.Token!);

        var received = await WaitForAsync(receiver, 2);
        var verifier = new RtkWebhookVerifier(new HttpClient(), Options.Create(OptionsFor(sim)), TimeProvider.System, NullLogger<RtkWebhookVerifier>.Instance);
        foreach (var delivery in received)
        {
            Assert.Equal(webhook.Id, delivery.Headers["rtk-webhook-id"]);
            Assert.True(Guid.TryParse(delivery.Headers["rtk-uuid"], out _));
            Assert.StartsWith("application/json", delivery.Headers["content-type"]);
            var result = await verifier.VerifyAsync(delivery.Headers["rtk-signature"], delivery.Body, Ct);
            Assert.True(result.IsValid);
        }
        Assert.NotEqual(received[0].Headers["rtk-uuid"], received[1].Headers["rtk-uuid"]);
    }

    [Fact]
    public async Task ServerErrorsAreRetriedWithTheSameUuidUntilAccepted()
    {
        await using var receiver = await WebhookReceiver.StartAsync(cancellationToken: Ct);
        receiver.StatusFor = n => n <= 2 ? 503 : 200;
        var (sim, rtk, appId, _unused) = await SetUpAsync(receiver, new RtkSimulatorOptions { WebhookRetryDelay = TimeSpan.FromMilliseconds(20) }, [RtkWebhookEvents.MeetingStarted]);
        await using var simScope = sim;
        var m = await rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        var p = await rtk.Participants.AddAsync(appId, m.Id, new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = "video_host" }, Ct);
        sim.State.Join(p.Token!);

        var received = await WaitForAsync(receiver, 3);
        Assert.Single(received.Select(r => r.Headers["rtk-uuid"]).Distinct());
        Assert.All(received, r => Assert.Equal(received[0].Text, r.Text));
        var attempts = await sim.State.WaitForDeliveriesAsync(d => d.Count == 3, Wait, Ct);
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        Assert.Equal([503, 503, 200], attempts.Select(a => a.StatusCode));
        await Task.Delay(200, Ct);
        Assert.Equal(3, receiver.Received.Count);
    }

    [Fact]
    public async Task ClientErrorsAreNotRetried()
    {
        await using var receiver = await WebhookReceiver.StartAsync(cancellationToken: Ct);
        receiver.StatusFor = _ => 400;
        var (sim, rtk, appId, _unused) = await SetUpAsync(receiver, new RtkSimulatorOptions { WebhookRetryDelay = TimeSpan.FromMilliseconds(10) }, [RtkWebhookEvents.MeetingStarted]);
        await using var simScope = sim;
        var m = await rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        var p = await rtk.Participants.AddAsync(appId, m.Id, new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = "video_host" }, Ct);
        sim.State.Join(p.Token!);

        await WaitForAsync(receiver, 1);
        await Task.Delay(300, Ct);
        Assert.Single(receiver.Received);
        Assert.Equal(400, Assert.Single(sim.State.Deliveries).StatusCode);
    }

    [Fact]
    public async Task NetworkErrorsAreRetriedUpToTheAttemptLimit()
    {
        // A port bound but never listening refuses every connection, and stays ours for the whole test
        // (a freed port could be taken by a parallel test and answer).
        using var dead = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        dead.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var deadUrl = $"http://127.0.0.1:{((System.Net.IPEndPoint)dead.LocalEndPoint!).Port}/webhooks/rtk";
        await using var sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions { WebhookMaxAttempts = 3, WebhookRetryDelay = TimeSpan.FromMilliseconds(10) }, Ct);
        var rtk = Client(sim);
        var appId = await NewAppAsync(rtk, Ct);
        await rtk.Webhooks.CreateAsync(appId, new RtkWebhookRequest { Name = "dead", Url = deadUrl, Events = [RtkWebhookEvents.MeetingStarted] }, Ct);
        var m = await rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        var p = await rtk.Participants.AddAsync(appId, m.Id, new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = "video_host" }, Ct);
        sim.State.Join(p.Token!);

        var attempts = await sim.State.WaitForDeliveriesAsync(d => d.Count >= 3, Wait, Ct);
        await Task.Delay(100, Ct);
        Assert.Equal(3, sim.State.Deliveries.Count);
        Assert.All(attempts, a => Assert.NotNull(a.Error));
        Assert.Single(attempts.Select(a => a.DeliveryId).Distinct());
    }

    [Fact]
    public async Task DuplicateOptionDeliversEachEventTwiceWithOneUuid()
    {
        await using var receiver = await WebhookReceiver.StartAsync(cancellationToken: Ct);
        var (sim, rtk, appId, _unused) = await SetUpAsync(receiver, new RtkSimulatorOptions { DuplicateDeliveries = true }, [RtkWebhookEvents.MeetingStarted]);
        await using var simScope = sim;
        var m = await rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        var p = await rtk.Participants.AddAsync(appId, m.Id, new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = "video_host" }, Ct);
        sim.State.Join(p.Token!);

        var received = await WaitForAsync(receiver, 2);
        Assert.Equal(received[0].Headers["rtk-uuid"], received[1].Headers["rtk-uuid"]);
        Assert.Equal(received[0].Text, received[1].Text);
    }

    [Fact]
    public async Task ReorderOptionSendsAHeldBatchNewestFirst()
    {
        await using var receiver = await WebhookReceiver.StartAsync(cancellationToken: Ct);
        var (sim, rtk, appId, _unused) = await SetUpAsync(receiver, new RtkSimulatorOptions { ReorderDeliveries = true, KeepAliveOverride = TimeSpan.FromMinutes(5) },
            [RtkWebhookEvents.MeetingStarted, RtkWebhookEvents.ParticipantJoined, RtkWebhookEvents.ParticipantLeft]);
        await using var simScope = sim;
        var m = await rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        var p = await rtk.Participants.AddAsync(appId, m.Id, new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = "video_host" }, Ct);

        sim.State.PauseWebhookDelivery();
        var join = sim.State.Join(p.Token!);
        sim.State.Leave(join.PeerId);
        sim.State.ResumeWebhookDelivery();

        var received = await WaitForAsync(receiver, 3);
        Assert.Equal(["meeting.participantLeft", "meeting.participantJoined", "meeting.started"], received.Select(r => (string)r.Json["event"]!));
    }
}
