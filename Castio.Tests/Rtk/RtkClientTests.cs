using System.Text.Json.Nodes;
using Castio.Core.Rtk;
using Castio.RtkSimulator;
using static Castio.Tests.Rtk.RtkTestKit;

namespace Castio.Tests.Rtk;

/// <summary>Every RtkClient method against the simulator over real HTTP: method, path, body and parsed answer.</summary>
public sealed class RtkClientTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private readonly RtkSimulatorHost _sim = fixture.Sim;
    private readonly RtkClient _rtk = Client(fixture.Sim);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private int Mark => _sim.State.Requests.Count;

    [Fact]
    public async Task CreateAppPostsNameAndReadsNestedApp()
    {
        var from = Mark;
        var app = await _rtk.Apps.CreateAsync("acme", Ct);

        var request = Request(_sim, "POST", "/realtime/kit/apps", from);
        Assert.Equal($"{KitPath(_sim)}/apps", request.Path);
        Assert.Equal("acme", (string?)BodyOf(request)["name"]);
        Assert.Equal("Bearer simulator-token", request.Authorization);
        Assert.Equal("acme", app.Name);
        Assert.True(Guid.TryParse(app.Id, out _));
        Assert.NotNull(app.CreatedAt);
    }

    [Fact]
    public async Task ListAppsSendsPagingAndSearchAndReadsPaging()
    {
        await _rtk.Apps.CreateAsync("listme-one", Ct);
        await _rtk.Apps.CreateAsync("listme-two", Ct);
        var from = Mark;

        var page = await _rtk.Apps.ListAsync(new RtkPageRequest(1, 1), "listme", Ct);

        var request = Request(_sim, "GET", "/realtime/kit/apps", from);
        Assert.Equal("?page_no=1&per_page=1&search=listme", request.Query);
        var app = Assert.Single(page.Items);
        Assert.StartsWith("listme", app.Name);
        Assert.Equal(new RtkPaging(2, 1, 1), page.Paging);
    }

    [Fact]
    public async Task CreateMeetingPostsSnakeCaseBodyWithoutStatus()
    {
        var appId = (await _rtk.Apps.CreateAsync("meetings", Ct)).Id;
        var from = Mark;

        var meeting = await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest
        {
            Title = "Weekly sync",
            RecordOnStart = false,
            TranscribeOnEnd = true,
            SummarizeOnEnd = true,
            SessionKeepAliveTimeInSecs = 120,
            AiConfig = new RtkAiConfig { Summarization = new RtkSummarizationConfig { WordLimit = 500, TextFormat = "markdown" } },
            RecordingConfig = new RtkRecordingConfig { MaxSeconds = 3600, VideoConfig = new RtkVideoConfig { Codec = "H264", Width = 1280, Height = 720 } },
        }, Ct);

        var request = Request(_sim, "POST", $"/{appId}/meetings", from);
        var body = BodyOf(request);
        Assert.Equal("Weekly sync", (string?)body["title"]);
        Assert.Equal(120, (int?)body["session_keep_alive_time_in_secs"]);
        Assert.True((bool?)body["transcribe_on_end"]);
        Assert.Equal(500, (int?)body["ai_config"]!["summarization"]!["word_limit"]);
        Assert.Equal(1280, (int?)body["recording_config"]!["video_config"]!["width"]);
        Assert.False(body.ContainsKey("status"));
        Assert.False(body.ContainsKey("live_stream_on_start")); // nulls are not sent

        Assert.Equal("ACTIVE", meeting.Status);
        Assert.Equal("Weekly sync", meeting.Title);
        Assert.Equal(120, meeting.SessionKeepAliveTimeInSecs);
        Assert.True(meeting.TranscribeOnEnd);
        Assert.Equal(500, meeting.AiConfig?.Summarization?.WordLimit);
        Assert.Equal(3600, meeting.RecordingConfig?.MaxSeconds);
    }

    [Fact]
    public async Task GetListAndPatchMeetingUseTheirPathsAndReadTheAnswer()
    {
        var appId = (await _rtk.Apps.CreateAsync("meetings2", Ct)).Id;
        var a = await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest { Title = "Alpha" }, Ct);
        await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest { Title = "Beta" }, Ct);
        var from = Mark;

        var got = await _rtk.Meetings.GetAsync(appId, a.Id, Ct);
        Assert.Equal($"{KitPath(_sim)}/{appId}/meetings/{a.Id}", Request(_sim, "GET", $"/meetings/{a.Id}", from).Path);
        Assert.Equal("Alpha", got.Title);

        var list = await _rtk.Meetings.ListAsync(appId, new RtkMeetingListQuery { Search = "Alp", PerPage = 10, PageNo = 1, Status = "ACTIVE" }, Ct);
        Assert.Equal("?page_no=1&per_page=10&search=Alp&status=ACTIVE", Request(_sim, "GET", $"/{appId}/meetings", from).Query);
        Assert.Equal(a.Id, Assert.Single(list.Items).Id);
        Assert.Equal(1, list.Paging?.TotalCount);

        var patched = await _rtk.Meetings.UpdateAsync(appId, a.Id, new RtkMeetingUpdate { Status = RtkMeetingStatusValues.Inactive }, Ct);
        var patch = Request(_sim, "PATCH", $"/meetings/{a.Id}", from);
        Assert.Equal("""{"status":"INACTIVE"}""", patch.Body);
        Assert.Equal("INACTIVE", patched.Status);
    }

    [Fact]
    public async Task AddParticipantPostsRequiredFieldsAndReadsTokenFromDataToken()
    {
        var appId = await NewAppAsync(_rtk, Ct);
        var meeting = await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        var from = Mark;

        var participant = await _rtk.Participants.AddAsync(appId, meeting.Id,
            new RtkAddParticipantRequest { CustomParticipantId = "user-123", PresetName = "video_guest", Name = "Mary Sue", Picture = "https://example.com/p.png" }, Ct);

        var request = Request(_sim, "POST", $"/meetings/{meeting.Id}/participants", from);
        var body = BodyOf(request);
        Assert.Equal("user-123", (string?)body["custom_participant_id"]);
        Assert.Equal("video_guest", (string?)body["preset_name"]);
        Assert.Equal("Mary Sue", (string?)body["name"]);
        Assert.Equal("https://example.com/p.png", (string?)body["picture"]);
        Assert.False(string.IsNullOrEmpty(participant.Token));
        Assert.Equal("user-123", participant.CustomParticipantId);
        Assert.Equal("video_guest", participant.PresetName);
        Assert.True(Guid.TryParse(participant.Id, out _));
        Assert.DoesNotContain(participant.Token!, participant.ToString());
    }

    [Fact]
    public async Task ParticipantReadsUpdatesRefreshAndDeleteHitTheirPaths()
    {
        var appId = await NewAppAsync(_rtk, Ct);
        var meeting = await _rtk.Meetings.CreateAsync(appId, new RtkMeetingRequest(), Ct);
        var added = await _rtk.Participants.AddAsync(appId, meeting.Id, new RtkAddParticipantRequest { CustomParticipantId = "u1", PresetName = "video_participant" }, Ct);
        var basePath = $"{KitPath(_sim)}/{appId}/meetings/{meeting.Id}/participants";
        var from = Mark;

        var got = await _rtk.Participants.GetAsync(appId, meeting.Id, added.Id, Ct);
        Assert.Equal($"{basePath}/{added.Id}", Request(_sim, "GET", $"/participants/{added.Id}", from).Path);
        Assert.Null(got.Token);
        Assert.Equal("u1", got.CustomParticipantId);

        var list = await _rtk.Participants.ListAsync(appId, meeting.Id, new RtkPageRequest(1, 5), Ct);
        Assert.Equal("?page_no=1&per_page=5", Request(_sim, "GET", "/participants", from).Query);
        Assert.Equal(added.Id, Assert.Single(list.Items).Id);
        Assert.Null(list.Items[0].Token);

        var promoted = await _rtk.Participants.UpdatePresetAsync(appId, meeting.Id, added.Id, "video_host", Ct);
        Assert.Equal("""{"preset_name":"video_host"}""", Request(_sim, "PATCH", $"/participants/{added.Id}", from).Body);
        Assert.Equal("video_host", promoted.PresetName);
        Assert.False(string.IsNullOrEmpty(promoted.Token));

        var renamed = await _rtk.Participants.UpdateAsync(appId, meeting.Id, added.Id, new RtkParticipantUpdate { Name = "New name" }, Ct);
        Assert.Equal("New name", renamed.Name);

        var token = await _rtk.Participants.RefreshTokenAsync(appId, meeting.Id, added.Id, Ct);
        var refresh = Request(_sim, "POST", $"/participants/{added.Id}/token", from);
        Assert.Equal("", refresh.Body);
        Assert.False(string.IsNullOrEmpty(token));
        Assert.NotEqual(added.Token, token);

        var deleted = await _rtk.Participants.DeleteAsync(appId, meeting.Id, added.Id, Ct);
        Assert.Equal($"{basePath}/{added.Id}", Request(_sim, "DELETE", $"/participants/{added.Id}", from).Path);
        Assert.Equal("u1", deleted.CustomParticipantId);
        Assert.False(string.IsNullOrEmpty(deleted.PresetId));
        var gone = await Assert.ThrowsAsync<RtkException>(() => _rtk.Participants.GetAsync(appId, meeting.Id, added.Id, Ct));
        Assert.True(gone.IsNotFound);
    }

    [Fact]
    public async Task ActiveSessionIsReadAndKickSendsBothIdLists()
    {
        var live = await LiveMeetingAsync(_sim, _rtk, Ct);
        var second = await _rtk.Participants.AddAsync(live.AppId, live.Meeting.Id, new RtkAddParticipantRequest { CustomParticipantId = "user-2", PresetName = "video_participant" }, Ct);
        _sim.State.Join(second.Token!);
        var from = Mark;

        var session = await _rtk.ActiveSession.GetAsync(live.AppId, live.Meeting.Id, Ct);
        Assert.EndsWith($"/meetings/{live.Meeting.Id}/active-session", Request(_sim, "GET", "/active-session", from).Path);
        Assert.Equal(live.Join.SessionId, session.Id);
        Assert.Equal("LIVE", session.Status);
        Assert.Equal(live.Meeting.Id, session.AssociatedId);
        Assert.Equal(2, session.LiveParticipants);

        var kicked = await _rtk.ActiveSession.KickAsync(live.AppId, live.Meeting.Id, null, ["user-2"], Ct);
        var body = BodyOf(Request(_sim, "POST", "/active-session/kick", from));
        Assert.Empty(body["participant_ids"]!.AsArray());
        Assert.Equal("user-2", (string?)body["custom_participant_ids"]![0]);
        Assert.Equal("kick", kicked.Action);
        Assert.Equal(second.Id, Assert.Single(kicked.Participants).Id);

        var muted = await _rtk.ActiveSession.MuteAllAsync(live.AppId, live.Meeting.Id, allowUnmute: false, Ct);
        Assert.Equal("""{"allow_unmute":false}""", Request(_sim, "POST", "/active-session/mute-all", from).Body);
        Assert.Equal(1, muted.MutedParticipantsCount);

        var all = await _rtk.ActiveSession.KickAllAsync(live.AppId, live.Meeting.Id, Ct);
        Assert.Equal("", Request(_sim, "POST", "/active-session/kick-all", from).Body);
        Assert.Equal(1, all.KickedParticipantsCount);
        var none = await Assert.ThrowsAsync<RtkException>(() => _rtk.ActiveSession.GetAsync(live.AppId, live.Meeting.Id, Ct));
        Assert.Equal(404, none.ErrorCode);
        Assert.Equal($"No active session found for meeting_id {live.Meeting.Id}", none.Message);
        Assert.False(none.IsUnavailable);
    }

    [Fact]
    public async Task PresetCrudUsesAppScopedPathsAndFullBodies()
    {
        var appId = (await _rtk.Apps.CreateAsync("presets", Ct)).Id;
        var desired = Castio.Core.Presets.CastioPresets.Get("webinar_viewer");
        var from = Mark;

        var created = await _rtk.Presets.CreateAsync(appId, desired, Ct);
        var body = BodyOf(Request(_sim, "POST", $"/{appId}/presets", from));
        Assert.Equal("webinar_viewer", (string?)body["name"]);
        Assert.Equal("WEBINAR", (string?)body["config"]!["view_type"]);
        Assert.Equal("NOT_ALLOWED", (string?)body["permissions"]!["media"]!["audio"]!["can_produce"]);
        Assert.Equal("SKIP", (string?)body["permissions"]!["waiting_room_type"]);
        Assert.Equal("#844d1c", (string?)body["ui"]!["design_tokens"]!["colors"]!["brand"]!["300"]);
        Assert.False(body.ContainsKey("id"));
        Assert.False(string.IsNullOrEmpty(created.Id));
        Assert.True(Castio.Core.Presets.PresetProvisioner.IsSatisfiedBy(desired, created));

        var list = await _rtk.Presets.ListAsync(appId, new RtkPageRequest(1, 10), "webinar", Ct);
        Assert.Equal("?page_no=1&per_page=10&search=webinar", Request(_sim, "GET", $"/{appId}/presets", from).Query);
        Assert.Equal("webinar_viewer", Assert.Single(list.Items).Name);
        Assert.Single(await _rtk.Presets.ListAllAsync(appId, Ct));

        var got = await _rtk.Presets.GetAsync(appId, created.Id!, Ct);
        Assert.Equal($"{KitPath(_sim)}/{appId}/presets/{created.Id}", Request(_sim, "GET", $"/presets/{created.Id}", from).Path);
        Assert.True(Castio.Core.Presets.PresetProvisioner.IsSatisfiedBy(desired, got));

        var patched = await _rtk.Presets.UpdateAsync(appId, created.Id!, new RtkPresetUpdate { Name = "renamed" }, Ct);
        Assert.Equal("""{"name":"renamed"}""", Request(_sim, "PATCH", $"/presets/{created.Id}", from).Body);
        Assert.Equal("renamed", patched.Name);

        var deleted = await _rtk.Presets.DeleteAsync(appId, created.Id!, Ct);
        Request(_sim, "DELETE", $"/presets/{created.Id}", from);
        Assert.Equal("renamed", deleted.Name);
        Assert.Empty((await _rtk.Presets.ListAsync(appId, cancellationToken: Ct)).Items);
    }

    [Fact]
    public async Task SessionListGetAndParticipantsSendFiltersAndReadNestedData()
    {
        var live = await LiveMeetingAsync(_sim, _rtk, Ct, title: "Session list");
        var from = Mark;

        var sessions = await _rtk.Sessions.ListAsync(live.AppId, new RtkSessionListQuery
        {
            AssociatedId = live.Meeting.Id, Status = "LIVE", PageNo = 1, PerPage = 5, SortBy = "createdAt", SortOrder = "DESC",
        }, Ct);
        Assert.Equal($"?associated_id={live.Meeting.Id}&status=LIVE&page_no=1&per_page=5&sort_by=createdAt&sort_order=DESC",
            Request(_sim, "GET", $"/{live.AppId}/sessions", from).Query);
        var listed = Assert.Single(sessions.Items);
        Assert.Equal(live.Join.SessionId, listed.Id);
        Assert.Equal("Session list", listed.MeetingDisplayName);
        Assert.Equal(live.AppId, listed.OrganizationId);
        Assert.Equal(1, sessions.Paging?.TotalCount);

        var session = await _rtk.Sessions.GetAsync(live.AppId, live.Join.SessionId, includeBreakoutRooms: true, Ct);
        Assert.Equal("?include_breakout_rooms=true", Request(_sim, "GET", $"/sessions/{live.Join.SessionId}", from).Query);
        Assert.NotNull(session.BreakoutRooms);
        Assert.Equal("meeting", session.Type);

        var peers = await _rtk.Sessions.ListParticipantsAsync(live.AppId, live.Join.SessionId, new RtkSessionParticipantsQuery { IncludePeerEvents = true, PerPage = 10 }, Ct);
        Assert.Equal("?per_page=10&include_peer_events=true", Request(_sim, "GET", $"/sessions/{live.Join.SessionId}/participants", from).Query);
        var peer = Assert.Single(peers.Items);
        Assert.Equal(live.Join.PeerId, peer.Id);
        Assert.Equal(live.Participant.Id, peer.UserId);
        Assert.Equal("user-1", peer.CustomParticipantId);
        Assert.Equal("video_host", peer.PresetName);
        Assert.NotNull(peer.PeerEvents);
        Assert.Equal(1, peers.Paging?.TotalCount);

        var report = await _rtk.Sessions.GetPeerReportAsync(live.AppId, live.Join.PeerId, [RtkPeerReportFilters.DeviceInfo, RtkPeerReportFilters.QualityStats], cancellationToken: Ct);
        var reportRequest = Request(_sim, "GET", $"/sessions/peer-report/{live.Join.PeerId}", from);
        Assert.Equal("?filters=device_info%2Cquality_stats", reportRequest.Query);
        Assert.Equal("video_host", report.Role);
        Assert.Equal(live.Join.SessionId, report.SessionId);
        Assert.NotNull(report.PeerReport?["metadata"]?["device_info"]);
    }

    [Fact]
    public async Task TranscriptSummaryAndChatReadTheirMixedCaseLinks()
    {
        var live = await LiveMeetingAsync(_sim, _rtk, Ct);
        _sim.State.EndSession(live.Join.SessionId);
        _sim.State.ProduceArtefacts(live.Join.SessionId, chat: true, transcript: true, summary: false);
        var from = Mark;

        var transcript = await _rtk.Sessions.GetTranscriptAsync(live.AppId, live.Join.SessionId, RtkTranscriptFormats.Csv, Ct);
        Assert.Equal("?format=CSV", Request(_sim, "GET", $"/sessions/{live.Join.SessionId}/transcript", from).Query);
        Assert.Equal(live.Join.SessionId, transcript.SessionId);
        Assert.StartsWith(_sim.ServerUrl + "/__sim/files/", transcript.TranscriptDownloadUrl);
        Assert.NotNull(transcript.TranscriptDownloadUrlExpiry);

        var missing = await Assert.ThrowsAsync<RtkException>(() => _rtk.Sessions.GetSummaryAsync(live.AppId, live.Join.SessionId, Ct));
        Assert.True(missing.IsNotFound);

        var trigger = await _rtk.Sessions.TriggerSummaryAsync(live.AppId, live.Join.SessionId, Ct);
        Assert.Equal("", Request(_sim, "POST", $"/sessions/{live.Join.SessionId}/summary", from).Body);
        Assert.Equal(live.Join.SessionId, trigger.SessionId);
        Assert.False(string.IsNullOrEmpty(trigger.Status));

        var summary = await _rtk.Sessions.GetSummaryAsync(live.AppId, live.Join.SessionId, Ct);
        Assert.Equal(live.Join.SessionId, summary.SessionId);
        Assert.NotNull(summary.SummaryDownloadUrl);
        Assert.NotNull(summary.SummaryDownloadUrlExpiry);

        var chat = await _rtk.Sessions.GetChatExportAsync(live.AppId, live.Join.SessionId, Ct);
        Request(_sim, "GET", $"/sessions/{live.Join.SessionId}/chat", from);
        using var http = new HttpClient();
        var csv = await http.GetStringAsync(chat.ChatDownloadUrl, Ct);
        Assert.StartsWith("id,participantId,sessionId,meetingId,displayName,pinned,isEdited,payloadType,payload,createdAt", csv);
        Assert.Contains(live.Join.SessionId, csv);
    }

    [Fact]
    public async Task RecordingStartStopPauseResumeGetListAndActive()
    {
        var live = await LiveMeetingAsync(_sim, _rtk, Ct);
        var from = Mark;

        var started = await _rtk.Recordings.StartAsync(live.AppId, new RtkStartRecordingRequest
        {
            MeetingId = live.Meeting.Id,
            FileNamePrefix = "physics",
            MaxSeconds = 600,
            AudioConfig = new RtkAudioConfig { Codec = "AAC", Channel = "stereo" },
            VideoConfig = new RtkVideoConfig { Codec = "H264", Width = 1280, Height = 720 },
            StorageConfig = new RtkStorageConfig { Type = "azure", Bucket = "recordings", AccessKey = "conn-string", Secret = "" },
            RealtimekitBucketConfig = new RtkBucketConfig(true),
        }, Ct);
        var body = BodyOf(Request(_sim, "POST", $"/{live.AppId}/recordings", from));
        Assert.Equal(live.Meeting.Id, (string?)body["meeting_id"]);
        Assert.Equal("physics", (string?)body["file_name_prefix"]);
        Assert.Equal("AAC", (string?)body["audio_config"]!["codec"]);
        Assert.Equal("azure", (string?)body["storage_config"]!["type"]);
        Assert.Equal("conn-string", (string?)body["storage_config"]!["access_key"]);
        Assert.True((bool?)body["realtimekit_bucket_config"]!["enabled"]);
        Assert.Equal("INVOKED", started.Status);
        Assert.Equal(live.Join.SessionId, started.SessionId);
        Assert.StartsWith("physics_", started.OutputFileName);
        Assert.Null(started.StorageConfig?.AccessKey); // write-only secret is not echoed
        Assert.Equal("API_CALL", started.StartReason?.Reason);

        _sim.State.AdvanceRecording(started.Id); // INVOKED → RECORDING
        var active = await _rtk.Recordings.GetActiveAsync(live.AppId, live.Meeting.Id, Ct);
        Assert.EndsWith($"/recordings/active-recording/{live.Meeting.Id}", Request(_sim, "GET", "/active-recording/" + live.Meeting.Id, from).Path);
        Assert.Equal("RECORDING", active.Status);

        var paused = await _rtk.Recordings.PauseAsync(live.AppId, started.Id, Ct);
        Assert.Equal("PAUSED", paused.Status);
        var resumed = await _rtk.Recordings.ResumeAsync(live.AppId, started.Id, Ct);
        Assert.Equal("RECORDING", resumed.Status);
        var stopped = await _rtk.Recordings.StopAsync(live.AppId, started.Id, Ct);
        var puts = _sim.State.Requests.Skip(from).Where(r => r.Method == "PUT").ToList();
        Assert.All(puts, r => Assert.EndsWith($"/{live.AppId}/recordings/{started.Id}", r.Path));
        Assert.Equal(["""{"action":"pause"}""", """{"action":"resume"}""", """{"action":"stop"}"""], puts.Select(r => r.Body));
        Assert.Equal("UPLOADING", stopped.Status);
        Assert.Equal("API_CALL", stopped.StopReason?.Reason);

        _sim.State.AdvanceRecording(started.Id); // UPLOADING → UPLOADED
        var uploaded = await _rtk.Recordings.GetAsync(live.AppId, started.Id, Ct);
        Request(_sim, "GET", $"/recordings/{started.Id}", from);
        Assert.Equal("UPLOADED", uploaded.Status);
        Assert.NotNull(uploaded.DownloadUrl);
        Assert.NotNull(uploaded.AudioDownloadUrl);
        Assert.Equal(2044680, uploaded.FileSize);
        Assert.NotNull(uploaded.DownloadUrlExpiry);

        var list = await _rtk.Recordings.ListAsync(live.AppId, new RtkRecordingListQuery { MeetingId = live.Meeting.Id, Status = ["UPLOADED", "ERRORED"], PerPage = 5 }, Ct);
        Assert.Equal($"?meeting_id={live.Meeting.Id}&status=UPLOADED%2CERRORED&per_page=5", Request(_sim, "GET", $"/{live.AppId}/recordings", from).Query);
        var item = Assert.Single(list.Items);
        Assert.Equal(started.Id, item.Id);
        Assert.Equal(live.Meeting.Id, item.Meeting?.Id);
    }

    [Fact]
    public async Task LivestreamStartGetAndStop()
    {
        var live = await LiveMeetingAsync(_sim, _rtk, Ct);
        var from = Mark;

        var stream = await _rtk.Livestreams.StartAsync(live.AppId, live.Meeting.Id, new RtkStartLivestreamRequest { Name = "town_hall", VideoConfig = new RtkSize(1280, 720) }, Ct);
        var body = BodyOf(Request(_sim, "POST", $"/meetings/{live.Meeting.Id}/livestreams", from));
        Assert.Equal("town_hall", (string?)body["name"]);
        Assert.Equal(720, (int?)body["video_config"]!["height"]);
        Assert.Equal("LIVE", stream.Status);
        Assert.StartsWith("rtmps://", stream.IngestServer);
        Assert.EndsWith(".m3u8", stream.PlaybackUrl);
        Assert.False(string.IsNullOrEmpty(stream.StreamKey));
        Assert.DoesNotContain(stream.StreamKey!, stream.ToString());

        var active = await _rtk.Livestreams.GetActiveAsync(live.AppId, live.Meeting.Id, Ct);
        Request(_sim, "GET", $"/meetings/{live.Meeting.Id}/active-livestream", from);
        Assert.Equal(stream.Id, active.Id);

        var message = await _rtk.Livestreams.StopAsync(live.AppId, live.Meeting.Id, Ct);
        Request(_sim, "POST", $"/meetings/{live.Meeting.Id}/active-livestream/stop", from);
        Assert.Equal("Stopped live stream successfully", message);
        Assert.True((await Assert.ThrowsAsync<RtkException>(() => _rtk.Livestreams.GetActiveAsync(live.AppId, live.Meeting.Id, Ct))).IsNotFound);
    }

    [Fact]
    public async Task WebhookCrudSendsNameUrlEventsAndReadsTheWebhook()
    {
        var appId = (await _rtk.Apps.CreateAsync("webhooks", Ct)).Id;
        var from = Mark;

        var created = await _rtk.Webhooks.CreateAsync(appId, new RtkWebhookRequest
        {
            Name = "castio", Url = "https://castio.example/webhooks/rtk", Events = [RtkWebhookEvents.MeetingStarted, RtkWebhookEvents.RecordingStatusUpdate],
        }, Ct);
        var body = BodyOf(Request(_sim, "POST", $"/{appId}/webhooks", from));
        Assert.Equal("castio", (string?)body["name"]);
        Assert.Equal("https://castio.example/webhooks/rtk", (string?)body["url"]);
        Assert.Equal(["meeting.started", "recording.statusUpdate"], body["events"]!.AsArray().Select(e => (string)e!));
        Assert.True(created.Enabled);
        Assert.Equal(["meeting.started", "recording.statusUpdate"], created.Events);

        var list = await _rtk.Webhooks.ListAsync(appId, Ct);
        Request(_sim, "GET", $"/{appId}/webhooks", from);
        Assert.Equal(created.Id, Assert.Single(list).Id);

        var updated = await _rtk.Webhooks.UpdateAsync(appId, created.Id, new RtkWebhookUpdate { Enabled = false }, Ct);
        Assert.Equal("""{"enabled":false}""", Request(_sim, "PATCH", $"/webhooks/{created.Id}", from).Body);
        Assert.False(updated.Enabled);

        var deleted = await _rtk.Webhooks.DeleteAsync(appId, created.Id, Ct);
        Request(_sim, "DELETE", $"/webhooks/{created.Id}", from);
        Assert.Equal(created.Id, deleted.Id);
        Assert.Empty(await _rtk.Webhooks.ListAsync(appId, Ct));
    }

    [Fact]
    public async Task DaywiseAnalyticsSendsDatesAndReadsStats()
    {
        var live = await LiveMeetingAsync(_sim, _rtk, Ct);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var from = Mark;

        var stats = await _rtk.Analytics.GetDaywiseAsync(live.AppId, today.AddDays(-1), today, Ct);

        var request = Request(_sim, "GET", $"/{live.AppId}/analytics/daywise", from);
        Assert.Equal($"?start_date={today.AddDays(-1):yyyy-MM-dd}&end_date={today:yyyy-MM-dd}", request.Query);
        Assert.Equal(1, stats.SessionStats?.SessionsCount);
        Assert.Equal(today.ToString("yyyy-MM-dd"), Assert.Single(stats.SessionStats!.DayStats).Day);
        Assert.Equal(0, stats.RecordingStats?.RecordingCount);
    }

    [Fact]
    public async Task GuardsRejectBlankIdsBeforeAnyRequest()
    {
        var from = Mark;
        await Assert.ThrowsAsync<ArgumentException>(() => _rtk.Meetings.GetAsync("app", " ", Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _rtk.Recordings.ActionAsync("app", "r", "delete", Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _rtk.ActiveSession.KickAsync("app", "m", [], [], Ct));
        Assert.Equal(from, Mark);
    }
}
