using System.Text.Json.Nodes;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>
/// The RTK REST surface (docs/realtimekit.md) over in-memory state: one class per API area maps its routes
/// (<see cref="MeetingsApi"/> and the rest); the lookups and JSON shapes more than one area needs live here.
/// </summary>
internal static class RestApi
{
    public const string Prefix = "/client/v4/accounts/{acc}/realtime/kit";
    public const string IngestServer = "rtmps://live.cloudflare.com:443/live/";
    public static string PlaybackUrl(SimLivestream l) => $"https://customer-simulated.cloudflarestream.com/{l.Id}/manifest/video.m3u8";

    public static readonly string[] StorageTypes = ["aws", "azure", "digitalocean", "gcs", "sftp", "cloudflare"];

    public static void Map(WebApplication web, RtkSimulatorState s)
    {
        var kit = web.MapGroup(Prefix);
        AppsApi.Map(kit, s);
        MeetingsApi.Map(kit, s);
        ParticipantsApi.Map(kit, s);
        ActiveSessionApi.Map(kit, s);
        PresetsApi.Map(kit, s);
        SessionsApi.Map(kit, s);
        RecordingsApi.Map(kit, s);
        LivestreamsApi.Map(kit, s);
        WebhooksApi.Map(kit, s);
        AnalyticsApi.Map(kit, s);
    }

    public static IResult Locked(RtkSimulatorState s, Func<IResult> action)
    {
        lock (s.Gate) return action();
    }

    // Lookups answer 404 in RTK's message style.
    public static SimMeeting Meeting(RtkSimulatorState s, string app, string id) =>
        s.App(app).Meetings.TryGetValue(id, out var m) ? m : throw new SimulatorException(404, $"No meeting found with id {id}");

    public static JsonObject? Redacted(JsonObject? storage)
    {
        if (storage is null) return null;
        var copy = (JsonObject)storage.DeepClone();
        // RTK never echoes storage secrets; the sftp credentials are withheld the same way.
        foreach (var secret in new[] { "access_key", "secret", "password", "private_key" }) copy.Remove(secret);
        return copy;
    }

    public static double Minutes(RtkSimulatorState s, SimSession x) =>
        x.Peers.Sum(p => ((p.LeftAt ?? s.Now) - p.JoinedAt).TotalMinutes);

    public static JsonObject MeetingJson(SimMeeting m, bool withAi)
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

    public static JsonObject SessionJson(RtkSimulatorState s, SimApp a, SimSession x, bool breakouts)
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
}
