using System.Text.Json.Nodes;
using static Castio.RtkSimulator.RestApi;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>Sessions and their artefacts (peers, peer report, transcript, summary, chat export): <c>/{app}/sessions</c>.</summary>
internal static class SessionsApi
{
    private static readonly string[] PeerReportFilters = ["device_info", "ip_information", "precall_network_information", "events", "quality_stats"];

    public static void Map(RouteGroupBuilder kit, RtkSimulatorState s)
    {
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
    }

    private static SimSession Session(SimApp a, string id) =>
        a.Sessions.TryGetValue(id, out var x) ? x : throw new SimulatorException(404, $"No session found with id {id}");

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
}
