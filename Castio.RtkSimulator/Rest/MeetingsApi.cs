using System.Text.Json.Nodes;
using static Castio.RtkSimulator.RestApi;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>Meetings: <c>/{app}/meetings</c>.</summary>
internal static class MeetingsApi
{
    public static void Map(RouteGroupBuilder kit, RtkSimulatorState s)
    {
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
    }

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
}
