using System.Text.Json.Nodes;
using static Castio.RtkSimulator.RestApi;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>Livestreams: <c>/{app}/meetings/{m}/livestreams</c> and <c>active-livestream</c>.</summary>
internal static class LivestreamsApi
{
    public static void Map(RouteGroupBuilder kit, RtkSimulatorState s)
    {
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
    }

    private static JsonObject LivestreamJson(SimLivestream l) => new()
    {
        ["id"] = l.Id, ["name"] = l.Name, ["meeting_id"] = l.MeetingId, ["status"] = l.Status, ["ingest_server"] = IngestServer,
        ["stream_key"] = l.StreamKey, ["playback_url"] = PlaybackUrl(l), ["disabled"] = false,
        ["created_at"] = RtkSimulatorState.Iso(l.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(l.UpdatedAt),
    };
}
