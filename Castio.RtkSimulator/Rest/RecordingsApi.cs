using System.Text.Json.Nodes;
using static Castio.RtkSimulator.RestApi;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>Recordings: <c>/{app}/recordings</c>.</summary>
internal static class RecordingsApi
{
    public static void Map(RouteGroupBuilder kit, RtkSimulatorState s)
    {
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
    }

    private static SimRecording Recording(RtkSimulatorState s, string app, string id) =>
        s.App(app).Recordings.TryGetValue(id, out var r) ? r : throw new SimulatorException(404, $"No recording found with id {id}");

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
}
