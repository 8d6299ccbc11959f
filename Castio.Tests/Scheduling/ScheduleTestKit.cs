using System.Net;
using System.Text.Json.Nodes;
using Castio.Core.Auth;
using Castio.Core.Meetings;
using Castio.Core.Scheduling;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Meetings;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Scheduling;

internal static class ScheduleTestKit
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Creates a meeting through the API and makes sure Scheduling has its schedule: the same call
    /// Meetings makes on create (idempotent, so harmless where Meetings already made it).
    /// </summary>
    public static async Task<JsonObject> CreateScheduledAsync(this CastioApplication app, HttpClient client, Caller who, object body)
    {
        var meeting = await client.CreateMeetingAsync(who, body);
        var schedule = ScheduleFields.Validate(new ScheduleInput(
            (string?)meeting["schedulingType"],
            Iso(meeting["scheduledStart"]),
            Iso(meeting["scheduledEnd"]),
            (string?)meeting["timezone"],
            (string?)meeting["rrule"],
            (string?)meeting["dtstart"],
            (int?)meeting["durationMinutes"])).Value;
        var info = new SeriesInfo(who.OrgId, Guid.Parse((string)meeting["id"]!), Guid.Parse((string)meeting["hostUserId"]!), (string)meeting["title"]!,
            (string?)meeting["memberAccess"] != MemberAccess.Invited);
        await app.Services.GetRequiredService<ScheduleService>().ScheduleAsync(info, schedule, Ct);
        return meeting;
    }

    /// <summary>A daily series titled "Daily" at 10:00 UTC from Monday 5 January 2026 (the test clock starts at 09:00).</summary>
    public static Task<JsonObject> CreateDailyAsync(this CastioApplication app, HttpClient client, Caller who, int count, int durationMinutes) =>
        app.CreateScheduledAsync(client, who, new
        {
            title = "Daily", schedulingType = "recurring", rrule = $"FREQ=DAILY;COUNT={count}", dtstart = "2026-01-05T10:00:00", timezone = "UTC", durationMinutes,
        });

    /// <summary>One activation sweep while the RTK simulator answers every call as if RTK were down.</summary>
    public static async Task<SweepResult> SweepWhileRtkDownAsync(this CastioApplication app, Castio.RtkSimulator.RtkSimulatorHost simulator)
    {
        simulator.State.Faults.Down = true;
        try
        {
            return await app.SweepAsync();
        }
        finally
        {
            simulator.State.Faults.Down = false;
        }
    }

    /// <summary>One activation sweep at the app's clock.</summary>
    public static Task<SweepResult> SweepAsync(this CastioApplication app) =>
        app.Services.GetRequiredService<MeetingActivation>().SweepAsync(app.Clock.GetUtcNow(), Ct);

    public static async Task<JsonArray> OccurrencesAsync(this HttpClient client, Caller who, JsonObject meeting, string query = "")
    {
        var response = await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meeting["id"]}/occurrences{query}", token: who.AccessToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return (await response.JsonAsync())["occurrences"]!.AsArray();
    }

    public static async Task<JsonObject> MeetingAsync(this HttpClient client, Caller who, JsonObject meeting) =>
        await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meeting["id"]}", token: who.AccessToken)).JsonAsync();

    /// <summary>A fresh session for someone whose access token the moved clock has expired.</summary>
    public static Task<Caller> AgainAsync(this HttpClient client, Caller who) => AuthTestKit.LoginAsync(client, who.Email, who.OrgSlug);

    private static string? Iso(JsonNode? node) => node is null ? null : ((DateTimeOffset)node).ToString("O");
}
