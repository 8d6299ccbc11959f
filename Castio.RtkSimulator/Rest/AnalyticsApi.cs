using System.Text.Json.Nodes;
using static Castio.RtkSimulator.RestApi;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>Usage analytics: <c>/{app}/analytics</c>.</summary>
internal static class AnalyticsApi
{
    public static void Map(RouteGroupBuilder kit, RtkSimulatorState s)
    {
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
}
