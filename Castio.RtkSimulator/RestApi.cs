using System.Text.Json.Nodes;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>The RTK REST surface (docs/realtimekit.md) over in-memory state.</summary>
internal static class RestApi
{
    public const string Prefix = "/client/v4/accounts/{acc}/realtime/kit";
    public const string IngestServer = "rtmps://live.cloudflare.com:443/live/";
    public static string PlaybackUrl(SimLivestream l) => $"https://customer-simulated.cloudflarestream.com/{l.Id}/manifest/video.m3u8";

    private static readonly string[] ViewTypes = ["GROUP_CALL", "WEBINAR", "AUDIO_ROOM", "LIVESTREAM"];
    private static readonly string[] StorageTypes = ["aws", "azure", "digitalocean", "gcs", "sftp", "cloudflare"];
    private static readonly string[] PeerReportFilters = ["device_info", "ip_information", "precall_network_information", "events", "quality_stats"];

    public static void Map(WebApplication web, RtkSimulatorState s)
    {
        var kit = web.MapGroup(Prefix);

        // Apps
        kit.MapGet("/apps", (HttpRequest req) => Locked(s, () =>
        {
            var search = req.Query["search"].ToString();
            var desc = req.Query["sort_order"].ToString() == "DESC";
            var apps = s.Apps.Values.Where(a => search.Length == 0 || a.Name.Contains(search, StringComparison.OrdinalIgnoreCase));
            var list = (desc ? apps.OrderByDescending(a => a.CreatedAt) : apps.OrderBy(a => a.CreatedAt)).ToList();
            var (items, paging) = Page(list, req);
            return Ok(new JsonArray([.. items.Select(AppJson)]), paging: paging);
        }));
        kit.MapPost("/apps", async (HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var name = Str(body, "name", required: true, maxLength: 200)!;
            return Locked(s, () => Ok(new JsonObject { ["app"] = AppJson(s.AddApp(name)) }));
        });
        kit.MapGet("/apps/{app}", (string app) => Locked(s, () => Ok(AppJson(s.App(app)))));

        // Meetings
        kit.MapPost("/{app}/meetings", async (string app, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req, allowEmpty: true);
            if (body.ContainsKey("status")) throw new SimulatorException(400, "status is not part of the create schema; set it with PATCH");
            return Locked(s, () =>
            {
                var a = s.App(app);
                var m = new SimMeeting { Id = RtkSimulatorState.NewId(), CreatedAt = s.Now, UpdatedAt = s.Now };
                ApplyMeeting(m, body);
                a.Meetings.Add(m.Id, m);
                return Ok(MeetingJson(m, withAi: true), 201);
            });
        });
        kit.MapGet("/{app}/meetings", (string app, HttpRequest req) => Locked(s, () =>
        {
            var search = req.Query["search"].ToString();
            var status = req.Query["status"].ToString();
            OneOf(status.Length == 0 ? null : status, "status", "ACTIVE", "INACTIVE");
            var start = QueryTime(req, "start_time");
            var end = QueryTime(req, "end_time");
            var list = s.App(app).Meetings.Values
                .Where(m => search.Length == 0 || m.Id.Contains(search, StringComparison.OrdinalIgnoreCase) || (m.Title ?? "").Contains(search, StringComparison.OrdinalIgnoreCase))
                .Where(m => status.Length == 0 || m.Status == status)
                .Where(m => (start is null || m.CreatedAt >= start) && (end is null || m.CreatedAt <= end))
                .OrderByDescending(m => m.CreatedAt).ToList();
            var (items, paging) = Page(list, req);
            return Ok(new JsonArray([.. items.Select(m => MeetingJson(m, withAi: false))]), paging: paging);
        }));
        kit.MapGet("/{app}/meetings/{m}", (string app, string m) => Locked(s, () => Ok(MeetingJson(Meeting(s, app, m), withAi: true))));
        kit.MapPatch("/{app}/meetings/{m}", async (string app, string m, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var status = Str(body, "status");
            OneOf(status, "status", "ACTIVE", "INACTIVE");
            return Locked(s, () =>
            {
                var meeting = Meeting(s, app, m);
                ApplyMeeting(meeting, body);
                if (status is not null) meeting.Status = status;
                meeting.UpdatedAt = s.Now;
                return Ok(MeetingJson(meeting, withAi: true));
            });
        });
        kit.MapPut("/{app}/meetings/{m}", async (string app, string m, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req, allowEmpty: true);
            return Locked(s, () =>
            {
                var meeting = Meeting(s, app, m);
                meeting.Title = null; meeting.RecordOnStart = false; meeting.LiveStreamOnStart = false; meeting.PersistChat = false;
                meeting.SummarizeOnEnd = false; meeting.TranscribeOnEnd = false; meeting.SessionKeepAliveTimeInSecs = 60;
                meeting.RecordingConfig = []; meeting.AiConfig = [];
                ApplyMeeting(meeting, body);
                meeting.UpdatedAt = s.Now;
                return Ok(MeetingJson(meeting, withAi: true));
            });
        });

        // Participants
        kit.MapPost("/{app}/meetings/{m}/participants", async (string app, string m, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var custom = Str(body, "custom_participant_id", required: true, maxLength: 256)!;
            var preset = Str(body, "preset_name", required: true, maxLength: 256)!;
            var name = Str(body, "name", maxLength: 256);
            var picture = Str(body, "picture", maxLength: 2048);
            return Locked(s, () =>
            {
                var a = s.App(app);
                var meeting = Meeting(s, app, m);
                RequirePreset(a, preset);
                if (s.Options.RejectDuplicateCustomParticipantId && meeting.Participants.Values.Any(p => p.CustomParticipantId == custom))
                    throw new SimulatorException(409, $"Participant with custom_participant_id {custom} already exists in meeting {m}");
                var p = new SimParticipant
                {
                    Id = RtkSimulatorState.NewId(), MeetingId = meeting.Id, CustomParticipantId = custom, PresetName = preset,
                    Name = name, Picture = picture, CreatedAt = s.Now, UpdatedAt = s.Now,
                };
                meeting.Participants.Add(p.Id, p);
                return Ok(ParticipantJson(p, s.IssueToken(a, meeting, p)), 201);
            });
        });
        kit.MapGet("/{app}/meetings/{m}/participants", (string app, string m, HttpRequest req) => Locked(s, () =>
        {
            var list = Meeting(s, app, m).Participants.Values.OrderBy(p => p.CreatedAt).ToList();
            var (items, paging) = Page(list, req);
            return Ok(new JsonArray([.. items.Select(p => ParticipantJson(p, null))]), paging: paging);
        }));
        kit.MapGet("/{app}/meetings/{m}/participants/{p}", (string app, string m, string p) =>
            Locked(s, () => Ok(ParticipantJson(Participant(s, app, m, p), null))));
        kit.MapPatch("/{app}/meetings/{m}/participants/{p}", async (string app, string m, string p, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var name = Str(body, "name", maxLength: 256);
            var picture = Str(body, "picture", maxLength: 2048);
            var preset = Str(body, "preset_name", maxLength: 256);
            return Locked(s, () =>
            {
                var a = s.App(app);
                var participant = Participant(s, app, m, p);
                if (preset is not null) { RequirePreset(a, preset); participant.PresetName = preset; }
                if (name is not null) participant.Name = name;
                if (picture is not null) participant.Picture = picture;
                participant.UpdatedAt = s.Now;
                return Ok(ParticipantJson(participant, s.IssueToken(a, a.Meetings[m], participant)));
            });
        });
        kit.MapDelete("/{app}/meetings/{m}/participants/{p}", (string app, string m, string p) => Locked(s, () =>
        {
            var a = s.App(app);
            var participant = Participant(s, app, m, p);
            a.Meetings[m].Participants.Remove(p);
            foreach (var token in s.Tokens.Where(t => t.Value.Participant == p).Select(t => t.Key).ToList()) s.Tokens.Remove(token);
            var presetId = a.Presets.Values.FirstOrDefault(x => x.Name == participant.PresetName)?.Id;
            return Ok(new JsonObject
            {
                ["custom_participant_id"] = participant.CustomParticipantId, ["preset_id"] = presetId,
                ["created_at"] = RtkSimulatorState.Iso(participant.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(participant.UpdatedAt),
            });
        }));
        kit.MapPost("/{app}/meetings/{m}/participants/{p}/token", (string app, string m, string p) => Locked(s, () =>
        {
            var a = s.App(app);
            var participant = Participant(s, app, m, p);
            return Ok(new JsonObject { ["token"] = s.IssueToken(a, a.Meetings[m], participant) });
        }));

        // Active session
        kit.MapGet("/{app}/meetings/{m}/active-session", (string app, string m) => Locked(s, () =>
        {
            var a = s.App(app);
            Meeting(s, app, m);
            return Ok(SessionJson(s, a, ActiveSession(a, m), breakouts: false));
        }));
        kit.MapPost("/{app}/meetings/{m}/active-session/kick", async (string app, string m, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var ids = StrList(body, "participant_ids") ?? [];
            var custom = StrList(body, "custom_participant_ids") ?? [];
            if (!body.ContainsKey("participant_ids") && !body.ContainsKey("custom_participant_ids"))
                throw new SimulatorException(400, "participant_ids or custom_participant_ids is required");
            return Locked(s, () =>
            {
                var a = s.App(app);
                var meeting = Meeting(s, app, m);
                var session = ActiveSession(a, m);
                var peers = session.Peers.Where(x => x.LeftAt is null && (ids.Contains(x.ParticipantId) || custom.Contains(x.CustomParticipantId))).ToList();
                if (peers.Count == 0) throw new SimulatorException(404, "No matching participants found in the active session");
                foreach (var peer in peers) s.LeaveCore(a, session, peer);
                var kicked = peers.Select(x => x.ParticipantId).Distinct()
                    .Select(id => meeting.Participants.TryGetValue(id, out var part) ? SessionParticipantJson(part) : new JsonObject { ["id"] = id });
                // Kicking the last peer is like the last peer leaving: the session ends after keep-alive.
                if (session.LivePeers == 0) s.ScheduleEnd(a, session);
                return Ok(new JsonObject { ["action"] = "kick", ["participants"] = new JsonArray([.. kicked]) });
            });
        });
        kit.MapPost("/{app}/meetings/{m}/active-session/kick-all", (string app, string m) => Locked(s, () =>
        {
            var a = s.App(app);
            Meeting(s, app, m);
            var session = ActiveSession(a, m);
            var count = session.LivePeers;
            // UNVERIFIED which reason RTK gives for kick-all; host-ended is the natural reading.
            s.EndCore(a, session, "HOST_ENDED_MEETING");
            return Ok(new JsonObject { ["action"] = "kick-all", ["kicked_participants_count"] = count });
        }));
        kit.MapPost("/{app}/meetings/{m}/active-session/mute-all", async (string app, string m, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            Bool(body, "allow_unmute", required: true);
            return Locked(s, () =>
            {
                var a = s.App(app);
                Meeting(s, app, m);
                var session = ActiveSession(a, m);
                return Ok(new JsonObject { ["action"] = "mute-all", ["muted_participants_count"] = session.LivePeers });
            });
        });

        // Presets
        kit.MapPost("/{app}/presets", async (string app, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var name = Str(body, "name", required: true, maxLength: 100)!;
            var config = Obj(body, "config", required: true)!;
            var permissions = Obj(body, "permissions", required: true)!;
            var ui = Obj(body, "ui", required: true)!;
            ValidatePresetConfig(config);
            return Locked(s, () =>
            {
                var a = s.App(app);
                if (a.Presets.Values.Any(p => p.Name == name)) throw new SimulatorException(409, $"Preset with name {name} already exists");
                var preset = new SimPreset
                {
                    Id = RtkSimulatorState.NewId(), Name = name, Config = (JsonObject)config.DeepClone(), Permissions = (JsonObject)permissions.DeepClone(),
                    Ui = (JsonObject)ui.DeepClone(), CreatedAt = s.Now, UpdatedAt = s.Now,
                };
                a.Presets.Add(preset.Id, preset);
                return Ok(PresetJson(preset), 201);
            });
        });
        kit.MapGet("/{app}/presets", (string app, HttpRequest req) => Locked(s, () =>
        {
            var search = req.Query["search"].ToString();
            var list = s.App(app).Presets.Values.Where(p => search.Length == 0 || p.Name.Contains(search, StringComparison.OrdinalIgnoreCase))
                .OrderBy(p => p.CreatedAt).ToList();
            var (items, paging) = Page(list, req);
            return Ok(new JsonArray([.. items.Select(p => new JsonObject
            {
                ["id"] = p.Id, ["name"] = p.Name, ["created_at"] = RtkSimulatorState.Iso(p.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(p.UpdatedAt),
            })]), paging: paging);
        }));
        kit.MapGet("/{app}/presets/{id}", (string app, string id) => Locked(s, () => Ok(PresetJson(Preset(s, app, id)))));
        kit.MapPatch("/{app}/presets/{id}", async (string app, string id, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var name = Str(body, "name", maxLength: 100);
            var config = Obj(body, "config");
            var permissions = Obj(body, "permissions");
            var ui = Obj(body, "ui");
            return Locked(s, () =>
            {
                var a = s.App(app);
                var preset = Preset(s, app, id);
                if (name is not null && name != preset.Name && a.Presets.Values.Any(p => p.Name == name))
                    throw new SimulatorException(409, $"Preset with name {name} already exists");
                // RTK's preset PATCH is deep-partial: absent members keep their values.
                var merged = (JsonObject)preset.Config.DeepClone();
                if (config is not null) { Merge(merged, config); ValidatePresetConfig(merged); preset.Config = merged; }
                if (permissions is not null) Merge(preset.Permissions, permissions);
                if (ui is not null) Merge(preset.Ui, ui);
                if (name is not null) preset.Name = name;
                preset.UpdatedAt = s.Now;
                return Ok(PresetJson(preset));
            });
        });
        kit.MapPut("/{app}/presets/{id}", async (string app, string id, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var name = Str(body, "name", required: true, maxLength: 100)!;
            var config = Obj(body, "config", required: true)!;
            var permissions = Obj(body, "permissions", required: true)!;
            var ui = Obj(body, "ui", required: true)!;
            ValidatePresetConfig(config);
            return Locked(s, () =>
            {
                var preset = Preset(s, app, id);
                preset.Name = name; preset.Config = (JsonObject)config.DeepClone(); preset.Permissions = (JsonObject)permissions.DeepClone(); preset.Ui = (JsonObject)ui.DeepClone();
                preset.UpdatedAt = s.Now;
                return Ok(PresetJson(preset));
            });
        });
        kit.MapDelete("/{app}/presets/{id}", (string app, string id) => Locked(s, () =>
        {
            var preset = Preset(s, app, id);
            s.App(app).Presets.Remove(id);
            return Ok(PresetJson(preset));
        }));

        // Sessions
        kit.MapGet("/{app}/sessions", (string app, HttpRequest req) => Locked(s, () =>
        {
            var a = s.App(app);
            var associated = req.Query["associated_id"].ToString();
            var status = req.Query["status"].ToString();
            OneOf(status.Length == 0 ? null : status, "status", "LIVE", "ENDED");
            var search = req.Query["search"].ToString();
            var start = QueryTime(req, "start_time");
            var end = QueryTime(req, "end_time");
            var sortBy = req.Query["sort_by"].ToString();
            OneOf(sortBy.Length == 0 ? null : sortBy, "sort_by", "minutesConsumed", "createdAt");
            var sortOrder = req.Query["sort_order"].ToString();
            OneOf(sortOrder.Length == 0 ? null : sortOrder, "sort_order", "ASC", "DESC");
            var filtered = a.Sessions.Values
                .Where(x => associated.Length == 0 || x.MeetingId == associated)
                .Where(x => status.Length == 0 || x.Status == status)
                .Where(x => search.Length == 0 || x.Id.Contains(search, StringComparison.OrdinalIgnoreCase) || x.MeetingId.Contains(search, StringComparison.OrdinalIgnoreCase) || x.Title.Contains(search, StringComparison.OrdinalIgnoreCase))
                .Where(x => (start is null || x.StartedAt >= start) && (end is null || x.StartedAt <= end));
            Func<SimSession, double> key = sortBy == "minutesConsumed" ? x => Minutes(s, x) : x => x.CreatedAt.ToUnixTimeMilliseconds();
            var list = (sortOrder == "ASC" ? filtered.OrderBy(key) : filtered.OrderByDescending(key)).ToList();
            var (items, paging) = Page(list, req);
            return Ok(new JsonObject { ["sessions"] = new JsonArray([.. items.Select(x => SessionJson(s, a, x, breakouts: false))]) }, paging: paging);
        }));
        kit.MapGet("/{app}/sessions/{sid}", (string app, string sid, HttpRequest req) => Locked(s, () =>
        {
            var a = s.App(app);
            return Ok(SessionJson(s, a, Session(a, sid), QueryBool(req, "include_breakout_rooms")));
        }));
        kit.MapGet("/{app}/sessions/{sid}/participants", (string app, string sid, HttpRequest req) => Locked(s, () =>
        {
            var a = s.App(app);
            var session = Session(a, sid);
            var search = req.Query["search"].ToString();
            var events = QueryBool(req, "include_peer_events");
            var peers = session.Peers
                .Where(p => search.Length == 0 || p.ParticipantId == search || p.CustomParticipantId == search || p.DisplayName.Contains(search, StringComparison.OrdinalIgnoreCase))
                .OrderBy(p => p.JoinedAt).ToList();
            var (items, paging) = Page(peers, req);
            return Ok(new JsonObject { ["participants"] = new JsonArray([.. items.Select(p => PeerJson(s, a, session, p, events))]) }, paging: paging);
        }));
        kit.MapGet("/{app}/sessions/{sid}/participants/{peer}", (string app, string sid, string peer, HttpRequest req) => Locked(s, () =>
        {
            var a = s.App(app);
            var session = Session(a, sid);
            var p = session.Peers.FirstOrDefault(x => x.Id == peer) ?? throw new SimulatorException(404, $"No peer found with id {peer}");
            return Ok(new JsonObject { ["participant"] = PeerJson(s, a, session, p, QueryBool(req, "include_peer_events")) });
        }));
        kit.MapGet("/{app}/sessions/peer-report/{peer}", (string app, string peer, HttpRequest req) => Locked(s, () =>
        {
            var a = s.App(app);
            var filters = QueryList(req, "filters");
            foreach (var f in filters) OneOf(f, "filters", PeerReportFilters);
            foreach (var session in a.Sessions.Values)
            {
                var p = session.Peers.FirstOrDefault(x => x.Id == peer);
                if (p is null) continue;
                var json = PeerJson(s, a, session, p, QueryBool(req, "include_peer_events"));
                json.Remove("preset_name");
                json["role"] = p.PresetName;
                json["session_id"] = session.Id;
                var metadata = new JsonObject();
                if (filters.Count == 0 || filters.Contains("device_info"))
                    metadata["device_info"] = new JsonObject { ["cpus"] = 8, ["is_mobile"] = false, ["os"] = "Linux", ["os_version"] = "6" };
                if (filters.Count == 0 || filters.Contains("ip_information"))
                    metadata["ip_information"] = new JsonObject { ["ipv4"] = "203.0.113.10", ["city"] = "Simulated", ["country"] = "ZZ", ["timezone"] = "UTC" };
                if (filters.Count == 0 || filters.Contains("events")) metadata["events"] = new JsonArray();
                var quality = filters.Count == 0 || filters.Contains("quality_stats")
                    ? new JsonObject { ["audio_producer"] = new JsonArray(), ["video_producer"] = new JsonArray() } : new JsonObject();
                json["peer_report"] = new JsonObject { ["metadata"] = metadata, ["quality"] = quality };
                return Ok(new JsonObject { ["participant"] = json });
            }
            throw new SimulatorException(404, $"No peer found with id {peer}");
        }));
        kit.MapGet("/{app}/sessions/{sid}/transcript", (string app, string sid, HttpRequest req) => Locked(s, () =>
        {
            var format = req.Query["format"].ToString();
            OneOf(format.Length == 0 ? null : format, "format", "SRT", "VTT", "JSON", "CSV");
            var session = Session(s.App(app), sid);
            var file = session.Transcript ?? throw new SimulatorException(404, $"No transcript found for session_id {sid}");
            return Ok(new JsonObject
            {
                ["sessionId"] = session.Id, ["transcript_download_url"] = s.FileUrl(file), ["transcript_download_url_expiry"] = RtkSimulatorState.Iso(file.Expiry),
            });
        }));
        kit.MapGet("/{app}/sessions/{sid}/summary", (string app, string sid) => Locked(s, () =>
        {
            var session = Session(s.App(app), sid);
            var file = session.Summary ?? throw new SimulatorException(404, $"No summary found for session_id {sid}");
            return Ok(new JsonObject
            {
                ["sessionId"] = session.Id, ["summaryDownloadUrl"] = s.FileUrl(file), ["summaryDownloadUrlExpiry"] = RtkSimulatorState.Iso(file.Expiry),
            });
        }));
        kit.MapPost("/{app}/sessions/{sid}/summary", (string app, string sid) => Locked(s, () =>
        {
            var session = Session(s.App(app), sid);
            if (session.Transcript is null) throw new SimulatorException(400, $"No transcript found for session_id {sid}; a summary needs one");
            s.ProduceArtefactsLocked(session, chat: false, transcript: false, summary: true);
            return Ok(new JsonObject { ["session_id"] = session.Id, ["status"] = "IN_PROGRESS" });
        }));
        kit.MapGet("/{app}/sessions/{sid}/chat", (string app, string sid) => Locked(s, () =>
        {
            var session = Session(s.App(app), sid);
            var file = session.Chat ?? throw new SimulatorException(404, $"No chat found for session_id {sid}");
            return Ok(new JsonObject { ["chat_download_url"] = s.FileUrl(file), ["chat_download_url_expiry"] = RtkSimulatorState.Iso(file.Expiry) });
        }));

        // Recordings
        kit.MapPost("/{app}/recordings", async (string app, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var meetingId = Str(body, "meeting_id", required: true)!;
            var allowMultiple = Bool(body, "allow_multiple_recordings") ?? false;
            Int(body, "max_seconds", 60, 86400);
            var prefix = Str(body, "file_name_prefix", maxLength: 100);
            var bucket = Obj(body, "realtimekit_bucket_config");
            var bucketEnabled = bucket is null || (Bool(bucket, "enabled") ?? true);
            var storage = Obj(body, "storage_config");
            if (storage is not null) OneOf(Str(storage, "type", required: true), "storage_config.type", StorageTypes);
            if (!bucketEnabled && storage is null) throw new SimulatorException(400, "Recording needs realtimekit_bucket_config.enabled or a storage_config");
            return Locked(s, () =>
            {
                var a = s.App(app);
                var meeting = Meeting(s, app, meetingId);
                var session = RtkSimulatorState.LiveSession(a, meetingId) ?? throw new SimulatorException(400, $"No active session found for meeting_id {meetingId}");
                if (!allowMultiple && a.Recordings.Values.Any(r => r.MeetingId == meetingId && r.IsActive))
                    throw new SimulatorException(409, $"A recording is already running for meeting_id {meetingId}");
                var recording = s.StartRecordingCore(a, meeting, session, "API_CALL", prefix, bucketEnabled, Redacted(storage));
                return Ok(RecordingJson(recording, null));
            });
        });
        kit.MapGet("/{app}/recordings", (string app, HttpRequest req) => Locked(s, () =>
        {
            var a = s.App(app);
            var meetingId = req.Query["meeting_id"].ToString();
            var statuses = QueryList(req, "status");
            var search = req.Query["search"].ToString();
            var start = QueryTime(req, "start_time");
            var end = QueryTime(req, "end_time");
            var asc = req.Query["sort_order"].ToString() == "ASC";
            var filtered = a.Recordings.Values
                .Where(r => meetingId.Length == 0 || r.MeetingId == meetingId)
                .Where(r => statuses.Count == 0 || statuses.Contains(r.Status))
                .Where(r => search.Length == 0 || r.Id.Contains(search, StringComparison.OrdinalIgnoreCase) || r.OutputFileName.Contains(search, StringComparison.OrdinalIgnoreCase))
                .Where(r => (start is null || r.InvokedTime >= start) && (end is null || r.InvokedTime <= end));
            var list = (asc ? filtered.OrderBy(r => r.InvokedTime) : filtered.OrderByDescending(r => r.InvokedTime)).ToList();
            var (items, paging) = Page(list, req);
            return Ok(new JsonArray([.. items.Select(r => RecordingJson(r, a.Meetings.GetValueOrDefault(r.MeetingId)))]), paging: paging);
        }));
        kit.MapGet("/{app}/recordings/{r}", (string app, string r) => Locked(s, () => Ok(RecordingJson(Recording(s, app, r), null))));
        kit.MapGet("/{app}/recordings/active-recording/{m}", (string app, string m) => Locked(s, () =>
        {
            var a = s.App(app);
            Meeting(s, app, m);
            var recording = a.Recordings.Values.Where(r => r.MeetingId == m && r.IsActive).OrderByDescending(r => r.InvokedTime).FirstOrDefault()
                ?? throw new SimulatorException(404, $"No active recording found for meeting_id {m}");
            return Ok(RecordingJson(recording, null));
        }));
        kit.MapPut("/{app}/recordings/{r}", async (string app, string r, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var action = Str(body, "action", required: true);
            OneOf(action, "action", "stop", "pause", "resume");
            return Locked(s, () =>
            {
                var a = s.App(app);
                var recording = Recording(s, app, r);
                switch (action)
                {
                    case "stop" when recording.IsActive:
                        s.StopRecordingCore(a, recording, "API_CALL");
                        break;
                    case "pause" when recording.Status == "RECORDING":
                        s.AdvanceCore(a, recording, "PAUSED");
                        break;
                    case "resume" when recording.Status == "PAUSED":
                        s.AdvanceCore(a, recording, "RECORDING");
                        break;
                    default:
                        throw new SimulatorException(400, $"Cannot {action} a recording that is {recording.Status}");
                }
                return Ok(RecordingJson(recording, null));
            });
        });

        // Livestreams
        kit.MapPost("/{app}/meetings/{m}/livestreams", async (string app, string m, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req, allowEmpty: true);
            var name = Str(body, "name", maxLength: 100);
            if (name is not null && !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                throw new SimulatorException(400, "name may contain letters, digits, '-' and '_' only");
            return Locked(s, () =>
            {
                var a = s.App(app);
                Meeting(s, app, m);
                if (RtkSimulatorState.LiveSession(a, m) is null) throw new SimulatorException(400, $"No active session found for meeting_id {m}");
                if (a.Livestreams.Values.Any(l => l.MeetingId == m && l.Status == "LIVE")) throw new SimulatorException(409, $"A livestream is already running for meeting_id {m}");
                var stream = new SimLivestream
                {
                    Id = RtkSimulatorState.NewId(), MeetingId = m, Name = name, StreamKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(),
                    CreatedAt = s.Now, UpdatedAt = s.Now,
                };
                a.Livestreams.Add(stream.Id, stream);
                s.Emit(a, WebhookPayloads.Livestream(s, a, stream));
                return Ok(LivestreamJson(stream), 201);
            });
        });
        kit.MapPost("/{app}/meetings/{m}/active-livestream/stop", (string app, string m) => Locked(s, () =>
        {
            var a = s.App(app);
            Meeting(s, app, m);
            var stream = a.Livestreams.Values.FirstOrDefault(l => l.MeetingId == m && l.Status == "LIVE")
                ?? throw new SimulatorException(404, $"No active livestream found for meeting_id {m}");
            s.StopLivestreamCore(a, stream);
            return Ok(new JsonObject { ["message"] = "Stopped live stream successfully" });
        }));
        kit.MapGet("/{app}/meetings/{m}/active-livestream", (string app, string m) => Locked(s, () =>
        {
            var a = s.App(app);
            Meeting(s, app, m);
            var stream = a.Livestreams.Values.FirstOrDefault(l => l.MeetingId == m && l.Status == "LIVE")
                ?? throw new SimulatorException(404, $"No active livestream found for meeting_id {m}");
            return Ok(LivestreamJson(stream));
        }));

        // Webhooks
        kit.MapPost("/{app}/webhooks", async (string app, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var (name, url, events, enabled) = WebhookFields(body, required: true);
            return Locked(s, () =>
            {
                var a = s.App(app);
                var w = new SimWebhook { Id = RtkSimulatorState.NewId(), Name = name!, Url = url!, Events = events!, Enabled = enabled ?? true, CreatedAt = s.Now, UpdatedAt = s.Now };
                a.Webhooks.Add(w.Id, w);
                return Ok(WebhookJson(w), 201);
            });
        });
        kit.MapGet("/{app}/webhooks", (string app) => Locked(s, () =>
            Ok(new JsonArray([.. s.App(app).Webhooks.Values.OrderBy(w => w.CreatedAt).Select(WebhookJson)]))));
        kit.MapGet("/{app}/webhooks/all", (string app) => Locked(s, () =>
        {
            s.App(app);
            return Ok(new JsonArray([.. WebhookPayloads.AllEvents.Select(e => (JsonNode)e)]));
        }));
        kit.MapGet("/{app}/webhooks/{id}", (string app, string id) => Locked(s, () => Ok(WebhookJson(Webhook(s, app, id)))));
        kit.MapPatch("/{app}/webhooks/{id}", async (string app, string id, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var (name, url, events, enabled) = WebhookFields(body, required: false);
            return Locked(s, () =>
            {
                var w = Webhook(s, app, id);
                if (name is not null) w.Name = name;
                if (url is not null) w.Url = url;
                if (events is not null) w.Events = events;
                if (enabled is not null) w.Enabled = enabled.Value;
                w.UpdatedAt = s.Now;
                return Ok(WebhookJson(w));
            });
        });
        kit.MapPut("/{app}/webhooks/{id}", async (string app, string id, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var (name, url, events, enabled) = WebhookFields(body, required: true);
            return Locked(s, () =>
            {
                var w = Webhook(s, app, id);
                w.Name = name!; w.Url = url!; w.Events = events!; w.Enabled = enabled ?? true; w.UpdatedAt = s.Now;
                return Ok(WebhookJson(w));
            });
        });
        kit.MapDelete("/{app}/webhooks/{id}", (string app, string id) => Locked(s, () =>
        {
            var w = Webhook(s, app, id);
            s.App(app).Webhooks.Remove(id);
            return Ok(WebhookJson(w));
        }));

        // Analytics
        kit.MapGet("/{app}/analytics/daywise", (string app, HttpRequest req) => Locked(s, () =>
        {
            var a = s.App(app);
            static DateOnly? Day(HttpRequest r, string n)
            {
                var raw = r.Query[n].ToString();
                if (raw.Length == 0) return null;
                return DateOnly.TryParseExact(raw, "yyyy-MM-dd", out var d) ? d : throw new SimulatorException(400, $"{n} must be YYYY-MM-DD");
            }
            var from = Day(req, "start_date") ?? DateOnly.FromDateTime(s.Now.UtcDateTime.AddDays(-30));
            var to = Day(req, "end_date") ?? DateOnly.FromDateTime(s.Now.UtcDateTime);
            if (to < from) throw new SimulatorException(400, "end_date is before start_date");
            bool InRange(DateTimeOffset t) { var d = DateOnly.FromDateTime(t.UtcDateTime); return d >= from && d <= to; }
            var sessions = a.Sessions.Values.Where(x => InRange(x.StartedAt)).ToList();
            var recordings = a.Recordings.Values.Where(r => InRange(r.InvokedTime)).ToList();
            double RecMinutes(SimRecording r) => r.StartedTime is { } st ? ((r.StoppedTime ?? s.Now) - st).TotalMinutes : 0;
            return Ok(new JsonObject
            {
                ["session_stats"] = new JsonObject
                {
                    ["sessions_count"] = sessions.Count,
                    ["sessions_minutes_consumed"] = sessions.Sum(x => Minutes(s, x)),
                    ["day_stats"] = new JsonArray([.. sessions.GroupBy(x => x.StartedAt.UtcDateTime.ToString("yyyy-MM-dd")).OrderBy(g => g.Key).Select(g => new JsonObject
                    {
                        ["day"] = g.Key, ["total_sessions"] = g.Count(), ["total_session_minutes"] = g.Sum(x => Minutes(s, x)),
                    })]),
                },
                ["recording_stats"] = new JsonObject
                {
                    ["recording_count"] = recordings.Count,
                    ["recording_minutes_consumed"] = recordings.Sum(RecMinutes),
                    ["day_stats"] = new JsonArray([.. recordings.GroupBy(r => r.InvokedTime.UtcDateTime.ToString("yyyy-MM-dd")).OrderBy(g => g.Key).Select(g => new JsonObject
                    {
                        ["day"] = g.Key, ["total_recordings"] = g.Count(), ["total_recording_minutes"] = g.Sum(RecMinutes),
                    })]),
                },
            });
        }));
    }

    private static IResult Locked(RtkSimulatorState s, Func<IResult> action)
    {
        lock (s.Gate) return action();
    }

    // ---- Lookups (404 with RTK's message style)

    private static SimMeeting Meeting(RtkSimulatorState s, string app, string id) =>
        s.App(app).Meetings.TryGetValue(id, out var m) ? m : throw new SimulatorException(404, $"No meeting found with id {id}");

    private static SimParticipant Participant(RtkSimulatorState s, string app, string meeting, string id) =>
        Meeting(s, app, meeting).Participants.TryGetValue(id, out var p) ? p : throw new SimulatorException(404, $"No user found with id {id}");

    private static SimPreset Preset(RtkSimulatorState s, string app, string id) =>
        s.App(app).Presets.TryGetValue(id, out var p) ? p : throw new SimulatorException(404, $"No preset found with id {id}");

    private static SimSession Session(SimApp a, string id) =>
        a.Sessions.TryGetValue(id, out var x) ? x : throw new SimulatorException(404, $"No session found with id {id}");

    private static SimSession ActiveSession(SimApp a, string meetingId) =>
        RtkSimulatorState.LiveSession(a, meetingId) ?? throw new SimulatorException(404, $"No active session found for meeting_id {meetingId}");

    private static SimRecording Recording(RtkSimulatorState s, string app, string id) =>
        s.App(app).Recordings.TryGetValue(id, out var r) ? r : throw new SimulatorException(404, $"No recording found with id {id}");

    private static SimWebhook Webhook(RtkSimulatorState s, string app, string id) =>
        s.App(app).Webhooks.TryGetValue(id, out var w) ? w : throw new SimulatorException(404, $"No webhook found with id {id}");

    /// <summary>Unknown preset on add/update: 400 (UNVERIFIED whether RTK answers 400 or 404).</summary>
    private static void RequirePreset(SimApp a, string name)
    {
        if (!a.Presets.Values.Any(p => p.Name == name)) throw new SimulatorException(400, $"No preset found with name {name}");
    }

    // ---- Validation and mapping

    private static void ApplyMeeting(SimMeeting m, JsonObject body)
    {
        if (body.ContainsKey("title")) m.Title = Str(body, "title", maxLength: 500);
        m.RecordOnStart = Bool(body, "record_on_start") ?? m.RecordOnStart;
        m.LiveStreamOnStart = Bool(body, "live_stream_on_start") ?? m.LiveStreamOnStart;
        m.PersistChat = Bool(body, "persist_chat") ?? m.PersistChat;
        m.SummarizeOnEnd = Bool(body, "summarize_on_end") ?? m.SummarizeOnEnd;
        m.TranscribeOnEnd = Bool(body, "transcribe_on_end") ?? m.TranscribeOnEnd;
        m.SessionKeepAliveTimeInSecs = Int(body, "session_keep_alive_time_in_secs", 60, 600) ?? m.SessionKeepAliveTimeInSecs;
        if (Obj(body, "ai_config") is { } ai)
        {
            if (Obj(ai, "summarization") is { } sum)
            {
                Int(sum, "word_limit", 150, 1000);
                OneOf(Str(sum, "text_format"), "ai_config.summarization.text_format", "plain_text", "markdown");
            }
            m.AiConfig = (JsonObject)ai.DeepClone();
        }
        if (Obj(body, "recording_config") is { } rec)
        {
            Int(rec, "max_seconds", 60, 86400);
            if (Obj(rec, "storage_config") is { } storage) OneOf(Str(storage, "type", required: true), "recording_config.storage_config.type", StorageTypes);
            m.RecordingConfig = (JsonObject)rec.DeepClone();
        }
    }

    private static void ValidatePresetConfig(JsonObject config)
    {
        OneOf(Str(config, "view_type", required: true), "config.view_type", ViewTypes);
        if (Int(config, "max_screenshare_count", 0, 100) is null) throw new SimulatorException(400, "config.max_screenshare_count is required");
        Obj(config, "max_video_streams", required: true);
        Obj(config, "media", required: true);
    }

    private static (string? Name, string? Url, List<string>? Events, bool? Enabled) WebhookFields(JsonObject body, bool required)
    {
        var name = Str(body, "name", required, maxLength: 200);
        var url = Str(body, "url", required, maxLength: 2048);
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http")))
            throw new SimulatorException(400, "url must be an absolute http(s) URI");
        var events = StrList(body, "events", required);
        if (events is not null)
        {
            if (events.Count == 0) throw new SimulatorException(400, "events must not be empty");
            foreach (var e in events) OneOf(e, "events", WebhookPayloads.AllEvents);
        }
        return (name, url, events, Bool(body, "enabled"));
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is JsonObject patchObject && target[key] is JsonObject targetObject) Merge(targetObject, patchObject);
            else target[key] = value?.DeepClone();
        }
    }

    private static JsonObject? Redacted(JsonObject? storage)
    {
        if (storage is null) return null;
        var copy = (JsonObject)storage.DeepClone();
        // RTK never echoes storage secrets; the sftp credentials are withheld the same way.
        foreach (var secret in new[] { "access_key", "secret", "password", "private_key" }) copy.Remove(secret);
        return copy;
    }

    private static double Minutes(RtkSimulatorState s, SimSession x) =>
        x.Peers.Sum(p => ((p.LeftAt ?? s.Now) - p.JoinedAt).TotalMinutes);

    private static JsonObject AppJson(SimApp a) => new() { ["id"] = a.Id, ["name"] = a.Name, ["created_at"] = RtkSimulatorState.Iso(a.CreatedAt) };

    private static JsonObject MeetingJson(SimMeeting m, bool withAi)
    {
        var recording = (JsonObject)m.RecordingConfig.DeepClone();
        if (recording["storage_config"] is JsonObject storage) recording["storage_config"] = Redacted(storage);
        var json = new JsonObject
        {
            ["id"] = m.Id,
            ["title"] = m.Title,
            ["status"] = m.Status,
            ["record_on_start"] = m.RecordOnStart,
            ["live_stream_on_start"] = m.LiveStreamOnStart,
            ["persist_chat"] = m.PersistChat,
            ["summarize_on_end"] = m.SummarizeOnEnd,
            ["transcribe_on_end"] = m.TranscribeOnEnd,
            ["session_keep_alive_time_in_secs"] = m.SessionKeepAliveTimeInSecs,
            ["recording_config"] = recording,
        };
        if (withAi) json["ai_config"] = m.AiConfig.DeepClone();
        json["created_at"] = RtkSimulatorState.Iso(m.CreatedAt);
        json["updated_at"] = RtkSimulatorState.Iso(m.UpdatedAt);
        return json;
    }

    private static JsonObject ParticipantJson(SimParticipant p, string? token)
    {
        var json = new JsonObject
        {
            ["id"] = p.Id, ["name"] = p.Name, ["picture"] = p.Picture, ["custom_participant_id"] = p.CustomParticipantId, ["preset_name"] = p.PresetName,
            ["created_at"] = RtkSimulatorState.Iso(p.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(p.UpdatedAt),
        };
        if (token is not null) json["token"] = token;
        return json;
    }

    private static JsonObject SessionParticipantJson(SimParticipant p) => new()
    {
        ["id"] = p.Id, ["name"] = p.Name, ["picture"] = p.Picture,
        ["created_at"] = RtkSimulatorState.Iso(p.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(p.UpdatedAt),
    };

    private static JsonObject PresetJson(SimPreset p) => new()
    {
        ["id"] = p.Id, ["name"] = p.Name, ["config"] = p.Config.DeepClone(), ["permissions"] = p.Permissions.DeepClone(), ["ui"] = p.Ui.DeepClone(),
        ["created_at"] = RtkSimulatorState.Iso(p.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(p.UpdatedAt),
    };

    private static JsonObject SessionJson(RtkSimulatorState s, SimApp a, SimSession x, bool breakouts)
    {
        var json = new JsonObject
        {
            ["id"] = x.Id, ["associated_id"] = x.MeetingId, ["meeting_display_name"] = x.Title, ["organization_id"] = a.Id, ["type"] = "meeting",
            ["status"] = x.Status, ["live_participants"] = x.LivePeers, ["max_concurrent_participants"] = x.MaxConcurrent,
            ["minutes_consumed"] = Math.Round(x.Peers.Sum(p => ((p.LeftAt ?? x.EndedAt ?? s.Now) - p.JoinedAt).TotalMinutes), 4),
            ["started_at"] = RtkSimulatorState.Iso(x.StartedAt), ["ended_at"] = RtkSimulatorState.Iso(x.EndedAt),
            ["created_at"] = RtkSimulatorState.Iso(x.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(x.UpdatedAt),
        };
        if (breakouts) json["breakout_rooms"] = new JsonArray();
        return json;
    }

    private static JsonObject PeerJson(RtkSimulatorState s, SimApp a, SimSession session, SimPeer p, bool events)
    {
        var json = new JsonObject
        {
            ["id"] = p.Id, ["user_id"] = p.ParticipantId, ["custom_participant_id"] = p.CustomParticipantId, ["display_name"] = p.DisplayName,
            ["preset_name"] = p.PresetName, ["joined_at"] = RtkSimulatorState.Iso(p.JoinedAt), ["left_at"] = RtkSimulatorState.Iso(p.LeftAt),
            ["duration"] = Math.Round(((p.LeftAt ?? s.Now) - p.JoinedAt).TotalMinutes, 4),
            ["created_at"] = RtkSimulatorState.Iso(p.JoinedAt), ["updated_at"] = RtkSimulatorState.Iso(p.LeftAt ?? p.JoinedAt),
        };
        if (events)
        {
            var viewType = a.Presets.Values.FirstOrDefault(x => x.Name == p.PresetName)?.Config["view_type"]?.GetValue<string>();
            JsonObject Event(string name, DateTimeOffset at) => new()
            {
                ["id"] = RtkSimulatorState.NewId(), ["event_name"] = name, ["peer_id"] = p.Id, ["participant_id"] = p.ParticipantId, ["session_id"] = session.Id,
                ["preset_view_type"] = viewType, ["minutes_consumed"] = 0, ["created_at"] = RtkSimulatorState.Iso(at), ["updated_at"] = RtkSimulatorState.Iso(at),
            };
            var list = new JsonArray(Event("PEER_CREATED", p.JoinedAt), Event("PEER_JOINING", p.JoinedAt));
            if (p.LeftAt is { } left) list.Add(Event("PEER_LEAVING", left));
            json["peer_events"] = list;
        }
        return json;
    }

    private static JsonObject RecordingJson(SimRecording r, SimMeeting? meeting)
    {
        var json = new JsonObject
        {
            ["id"] = r.Id, ["status"] = r.Status, ["session_id"] = r.SessionId, ["meeting_id"] = r.MeetingId, ["output_file_name"] = r.OutputFileName,
            ["invoked_time"] = RtkSimulatorState.Iso(r.InvokedTime), ["started_time"] = RtkSimulatorState.Iso(r.StartedTime),
            ["stopped_time"] = RtkSimulatorState.Iso(r.StoppedTime),
            ["recording_duration"] = r.StartedTime is { } st && r.StoppedTime is { } sp ? (int)(sp - st).TotalSeconds : null,
            ["file_size"] = r.FileSize, ["download_url"] = r.DownloadUrl, ["audio_download_url"] = r.AudioDownloadUrl,
            ["download_url_expiry"] = RtkSimulatorState.Iso(r.DownloadUrlExpiry),
            ["start_reason"] = new JsonObject
            {
                ["reason"] = r.StartReason,
                ["caller"] = r.StartReason == "API_CALL" ? new JsonObject { ["type"] = "ORGANIZATION" } : new JsonObject(),
            },
            ["stop_reason"] = r.StopReason is null ? null : new JsonObject
            {
                ["reason"] = r.StopReason, ["caller"] = new JsonObject { ["type"] = "ORGANIZATION" },
            },
            ["storage_config"] = r.StorageConfig?.DeepClone(),
        };
        if (meeting is not null) json["meeting"] = MeetingJson(meeting, withAi: false);
        return json;
    }

    private static JsonObject LivestreamJson(SimLivestream l) => new()
    {
        ["id"] = l.Id, ["name"] = l.Name, ["meeting_id"] = l.MeetingId, ["status"] = l.Status, ["ingest_server"] = IngestServer,
        ["stream_key"] = l.StreamKey, ["playback_url"] = PlaybackUrl(l), ["disabled"] = false,
        ["created_at"] = RtkSimulatorState.Iso(l.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(l.UpdatedAt),
    };

    private static JsonObject WebhookJson(SimWebhook w) => new()
    {
        ["id"] = w.Id, ["name"] = w.Name, ["url"] = w.Url, ["events"] = new JsonArray([.. w.Events.Select(e => (JsonNode)e)]), ["enabled"] = w.Enabled,
        ["created_at"] = RtkSimulatorState.Iso(w.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(w.UpdatedAt),
    };
}
