using System.Text.Json.Nodes;
using static Castio.RtkSimulator.RestApi;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>The live session of a meeting (kick, kick-all, mute-all): <c>/{app}/meetings/{m}/active-session</c>.</summary>
internal static class ActiveSessionApi
{
    public static void Map(RouteGroupBuilder kit, RtkSimulatorState s)
    {
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
    }

    private static SimSession ActiveSession(SimApp a, string meetingId) =>
        RtkSimulatorState.LiveSession(a, meetingId) ?? throw new SimulatorException(404, $"No active session found for meeting_id {meetingId}");

    private static JsonObject SessionParticipantJson(SimParticipant p) => new()
    {
        ["id"] = p.Id, ["name"] = p.Name, ["picture"] = p.Picture,
        ["created_at"] = RtkSimulatorState.Iso(p.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(p.UpdatedAt),
    };
}
