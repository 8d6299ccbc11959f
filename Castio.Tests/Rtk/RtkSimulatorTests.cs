using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Castio.Core.Rtk;
using Castio.RtkSimulator;
using static Castio.Tests.Rtk.RtkTestKit;

namespace Castio.Tests.Rtk;

/// <summary>The simulator's own rules: envelopes, validation, paging, session lifecycle and control endpoints over HTTP.</summary>
public sealed class RtkSimulatorTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly RtkSimulatorHost _sim = fixture.Sim;
    private readonly RtkClient _rtk = Client(fixture.Sim);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Raw()
    {
        var http = new HttpClient { BaseAddress = new Uri(_sim.ServerUrl) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _sim.Options.ApiToken);
        return http;
    }

    private static async Task<JsonObject> JsonOf(HttpResponseMessage response) =>
        (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task MissingRequiredParticipantFieldsAre400InTheRtkErrorShape()
    {
        var appId = await NewAppAsync(_rtk, Ct);
        var meeting = await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        using var http = Raw();

        var response = await http.PostAsync($"{KitPath(_sim)}/{appId}/meetings/{meeting.Id}/participants", Body("""{"preset_name":"video_host"}"""), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await JsonOf(response);
        Assert.False((bool)json["success"]!);
        Assert.Equal(400, (int)json["error"]!["code"]!);
        Assert.Equal("custom_participant_id is required", (string?)json["error"]!["message"]);
    }

    [Fact]
    public async Task UnknownIdsAre404AndMalformedJsonIs400()
    {
        var appId = await NewAppAsync(_rtk, Ct);
        using var http = Raw();

        var unknownApp = await http.GetAsync($"{KitPath(_sim)}/nope/meetings", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknownApp.StatusCode);
        var unknownMeeting = await http.GetAsync($"{KitPath(_sim)}/{appId}/meetings/nope", Ct);
        Assert.Equal("No meeting found with id nope", (string?)(await JsonOf(unknownMeeting))["error"]!["message"]);
        var badJson = await http.PostAsync($"{KitPath(_sim)}/{appId}/meetings", Body("{nope"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
    }

    [Fact]
    public async Task StatusIsRefusedOnCreateAndValidatedOnPatch()
    {
        var appId = await NewAppAsync(_rtk, Ct);
        using var http = Raw();

        var create = await http.PostAsync($"{KitPath(_sim)}/{appId}/meetings", Body("""{"title":"x","status":"ACTIVE"}"""), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);

        var meeting = await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        var ex = await Assert.ThrowsAsync<RtkException>(() => _rtk.Meetings.UpdateAsync(appId, meeting.Id, new RtkMeetingUpdate { Status = "PAUSED" }, Ct));
        Assert.Equal(HttpStatusCode.BadRequest, ex.Status);
        var keepAlive = await Assert.ThrowsAsync<RtkException>(() => _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest { SessionKeepAliveTimeInSecs = 5 }, Ct));
        Assert.Contains("session_keep_alive_time_in_secs", keepAlive.Message);
    }

    [Fact]
    public async Task PresetsNeedAllParts_DuplicatesConflict_AndWebhooksNeedKnownEvents()
    {
        var appId = (await _rtk.Apps.CreateAsync("validation", Ct)).Id;
        using var http = Raw();

        var noPermissions = await http.PostAsync($"{KitPath(_sim)}/{appId}/presets",
            Body("""{"name":"p","config":{"view_type":"GROUP_CALL","max_screenshare_count":1,"max_video_streams":{},"media":{}},"ui":{}}"""), Ct);
        Assert.Equal("permissions is required", (string?)(await JsonOf(noPermissions))["error"]!["message"]);

        await _rtk.Presets.CreateAsync(appId, Castio.Core.Presets.CastioPresets.Get("video_host"), Ct);
        var duplicate = await Assert.ThrowsAsync<RtkException>(() => _rtk.Presets.CreateAsync(appId, Castio.Core.Presets.CastioPresets.Get("video_host"), Ct));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Status);

        var badEvent = await Assert.ThrowsAsync<RtkException>(() => _rtk.Webhooks.CreateAsync(appId,
            new RtkWebhookRequest { Name = "w", Url = "https://x.example/h", Events = ["participant.joined"] }, Ct));
        Assert.Equal(HttpStatusCode.BadRequest, badEvent.Status);
        var badUrl = await Assert.ThrowsAsync<RtkException>(() => _rtk.Webhooks.CreateAsync(appId,
            new RtkWebhookRequest { Name = "w", Url = "not a url", Events = ["meeting.started"] }, Ct));
        Assert.Equal(HttpStatusCode.BadRequest, badUrl.Status);
    }

    [Fact]
    public async Task PagingUsesPageNoAndPerPageWithOneBasedOffsets()
    {
        var appId = await NewAppAsync(_rtk, Ct);
        for (var i = 0; i < 5; i++) await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest { Title = $"m{i}" }, Ct);

        var second = await _rtk.Meetings.ListAsync(appId, new RtkMeetingListQuery { PageNo = 2, PerPage = 2 }, Ct);
        Assert.Equal(2, second.Items.Count);
        Assert.Equal(new RtkPaging(5, 3, 4), second.Paging);
        var beyond = await _rtk.Meetings.ListAsync(appId, new RtkMeetingListQuery { PageNo = 9, PerPage = 2 }, Ct);
        Assert.Empty(beyond.Items);

        var tooBig = await Assert.ThrowsAsync<RtkException>(() => _rtk.Meetings.ListAsync(appId, new RtkMeetingListQuery { PerPage = 1000 }, Ct));
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.Status);
        for (var i = 0; i < 17; i++) await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        var defaults = await _rtk.Meetings.ListAsync(appId, cancellationToken: Ct);
        Assert.Equal(SimDefaults.PerPage, defaults.Items.Count);
        Assert.Equal(new RtkPaging(22, 1, 20), defaults.Paging);
    }

    [Fact]
    public async Task InactiveMeetingRefusesJoinsAndRecordingNeedsALiveSession()
    {
        var appId = await NewAppAsync(_rtk, Ct);
        var meeting = await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        var p = await _rtk.Participants.AddAsync(appId, meeting.Id, new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = "video_host" }, Ct);

        var notLive = await Assert.ThrowsAsync<RtkException>(() => _rtk.Recordings.StartAsync(appId, new RtkStartRecordingRequest { MeetingId = meeting.Id }, Ct));
        Assert.Equal(HttpStatusCode.BadRequest, notLive.Status);

        await _rtk.Meetings.UpdateAsync(appId, meeting.Id, new RtkMeetingUpdate { Status = "INACTIVE" }, Ct);
        var refused = Assert.Throws<SimulatorException>(() => _sim.State.Join(p.Token!));
        Assert.Equal(403, refused.Status);
        Assert.Throws<SimulatorException>(() => _sim.State.Join("forged-token"));
    }

    [Fact]
    public async Task RecordOnStartStartsARecordingWhenTheSessionStarts()
    {
        var appId = await NewAppAsync(_rtk, Ct);
        var meeting = await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest { RecordOnStart = true }, Ct);
        var p = await _rtk.Participants.AddAsync(appId, meeting.Id, new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = "video_host" }, Ct);

        var join = _sim.State.Join(p.Token!);

        var recording = await _rtk.Recordings.GetActiveAsync(appId, meeting.Id, Ct);
        Assert.Equal("RECORD_ON_START", recording.StartReason?.Reason);
        Assert.Equal(join.SessionId, recording.SessionId);
    }

    [Fact]
    public void TrackRecordingDownloadArraysDoNotBreakParsing()
    {
        var json = """{"success":true,"data":{"id":"r","status":"UPLOADED","download_url":[{"layer_name":"default","download_urls":{}}]}}""";
        var env = System.Text.Json.JsonSerializer.Deserialize(json, RtkJsonContext.Default.RtkEnvelopeRtkRecording);
        Assert.Equal("r", env!.Data!.Id);
        Assert.Null(env.Data.DownloadUrl);
    }

    [Fact]
    public async Task DuplicateCustomParticipantIdInOneMeetingIsAConflict()
    {
        var appId = await NewAppAsync(_rtk, Ct);
        var meeting = await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        await _rtk.Participants.AddAsync(appId, meeting.Id, new RtkAddParticipantRequest { CustomParticipantId = "same", PresetName = "video_host" }, Ct);

        var ex = await Assert.ThrowsAsync<RtkException>(() =>
            _rtk.Participants.AddAsync(appId, meeting.Id, new RtkAddParticipantRequest { CustomParticipantId = "same", PresetName = "video_host" }, Ct));

        Assert.Equal(HttpStatusCode.Conflict, ex.Status);
    }

    [Fact]
    public async Task ControlEndpointsDriveASessionOverHttp()
    {
        var appId = await NewAppAsync(_rtk, Ct);
        var meeting = await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest { Title = "control" }, Ct);
        var p = await _rtk.Participants.AddAsync(appId, meeting.Id, new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = "video_host" }, Ct);
        using var http = new HttpClient { BaseAddress = new Uri(_sim.ServerUrl) };

        var index = await http.GetFromJsonAsync<JsonArray>("/__sim", Ct);
        Assert.Contains(index!, e => (string?)e!["path"] == "/__sim/join");

        var join = await JsonOf(await http.PostAsync("/__sim/join", Body($$"""{"token":"{{p.Token}}","display_name":"Ann"}"""), Ct));
        var sessionId = (string)join["session_id"]!;
        Assert.True((bool)join["session_started"]!);
        var recording = await _rtk.Recordings.StartAsync(appId, new RtkStartRecordingRequest { MeetingId = meeting.Id }, Ct);
        var advanced = await JsonOf(await http.PostAsync($"/__sim/recordings/{recording.Id}/advance", Body("{}"), Ct));
        Assert.Equal("RECORDING", (string?)advanced["status"]);

        var leave = await http.PostAsync($"/__sim/peers/{join["peer_id"]}/leave", null, Ct);
        Assert.Equal(HttpStatusCode.NoContent, leave.StatusCode);
        Assert.Equal("LIVE", (await _rtk.Sessions.GetAsync(appId, sessionId, cancellationToken: Ct)).Status); // keep-alive still running
        var end = await http.PostAsync($"/__sim/sessions/{sessionId}/end", Body("""{"reason":"HOST_ENDED_MEETING"}"""), Ct);
        Assert.Equal(HttpStatusCode.NoContent, end.StatusCode);
        var ended = await _rtk.Sessions.GetAsync(appId, sessionId, cancellationToken: Ct);
        Assert.Equal("ENDED", ended.Status);
        Assert.NotNull(ended.EndedAt);
        Assert.Equal("UPLOADING", (await _rtk.Recordings.GetAsync(appId, recording.Id, Ct)).Status);

        var artefacts = await http.PostAsync($"/__sim/sessions/{sessionId}/artefacts", Body("""{"summary":false}"""), Ct);
        Assert.Equal(HttpStatusCode.NoContent, artefacts.StatusCode);
        var transcript = await _rtk.Sessions.GetTranscriptAsync(appId, sessionId, cancellationToken: Ct);
        var file = await http.GetAsync(transcript.TranscriptDownloadUrl, Ct);
        Assert.Equal("text/csv", file.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Ann", await file.Content.ReadAsStringAsync(Ct));

        var unknown = await http.PostAsync("/__sim/peers/nope/leave", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task LastLeaveEndsTheSessionAfterKeepAliveAndARejoinWithinItContinuesIt()
    {
        await using var sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions { KeepAliveOverride = TimeSpan.FromMilliseconds(300) }, Ct);
        var rtk = Client(sim);
        var appId = await NewAppAsync(rtk, Ct);
        var meeting = await rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        var p = await rtk.Participants.AddAsync(appId, meeting.Id, new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = "video_host" }, Ct);

        var first = sim.State.Join(p.Token!);
        sim.State.Leave(first.PeerId);
        var rejoin = sim.State.Join(p.Token!);
        Assert.Equal(first.SessionId, rejoin.SessionId);
        Assert.False(rejoin.SessionStarted);

        sim.State.Leave(rejoin.PeerId);
        Assert.Equal("LIVE", (await rtk.Sessions.GetAsync(appId, first.SessionId, cancellationToken: Ct)).Status);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        RtkSession session;
        while ((session = await rtk.Sessions.GetAsync(appId, first.SessionId, cancellationToken: Ct)).Status == "LIVE" && DateTime.UtcNow < deadline)
            await Task.Delay(50, Ct);
        Assert.Equal("ENDED", session.Status);
        Assert.Equal(2, (await rtk.Sessions.ListParticipantsAsync(appId, first.SessionId, cancellationToken: Ct)).Items.Count);
    }

    [Fact]
    public async Task PublicKeyIsServedAtTheWellKnownPath()
    {
        using var http = new HttpClient();
        var doc = await http.GetFromJsonAsync<JsonObject>(_sim.PublicKeyUrl, Ct);

        Assert.True((bool)doc!["success"]!);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", (string?)doc["data"]!["publicKey"]);
        Assert.Equal("", (string?)doc["message"]);
    }

    [Fact]
    public async Task FaultsCanBeSetOverHttpAndDownModeAnswers503()
    {
        await using var sim = await RtkSimulatorHost.StartAsync(cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = new Uri(sim.ServerUrl) };

        var set = await http.PutAsync("/__sim/faults", Body("""{"down":true}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var ex = await Assert.ThrowsAsync<RtkUnavailableException>(() => Client(sim, o => o.MaxRetries = 0).Apps.ListAsync(cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.Status);

        await http.PostAsync("/__sim/faults/reset", null, Ct);
        Assert.NotNull((await Client(sim).Apps.ListAsync(cancellationToken: Ct)).Items);
    }
}

internal static class SimDefaults
{
    public const int PerPage = 20;
}
