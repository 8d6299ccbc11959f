using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Castio.Core.PostMeeting;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Meetings;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Insights;

/// <summary>Analytics over a hand-computed fixture of session contributions, as the post-meeting pipeline writes them.</summary>
public sealed class AnalyticsApiTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FiguresMatchTheHandComputedFixtureForTheOrgAndForAHost()
    {
        await using var sim = await Castio.RtkSimulator.RtkSimulatorHost.StartAsync(new Castio.RtkSimulator.RtkSimulatorOptions(), Ct);
        await using var app = new CastioApplication(azurite).WithRtkSimulator(sim);
        var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var a = Guid.Parse((string)(await client.CreateMeetingAsync(org.Host, new { title = "Host's video" }))["id"]!);
        var b = Guid.Parse((string)(await client.CreateMeetingAsync(org.Owner, new { title = "Owner's audio" }))["id"]!);

        // day, type, session, meeting, sessions, participants, participant-minutes, peak, recordings, recording minutes, bytes
        await SeedAsync(app, org.Owner.OrgId,
            ("20261102", "video", "s1", a, 3, 90.5, 3, 1, 30.0, 1000L),
            ("20261102", "audio", "s2", b, 5, 120.0, 5, 0, 0.0, 0L),
            ("20261103", "video", "s3", a, 2, 40.25, 2, 2, 15.5, 2500L),
            ("20261105", "video", "s4", b, 10, 500.0, 10, 0, 0.0, 0L));
        const string Range = "from=2026-11-02&to=2026-11-04";

        // The org: s1 + s2 + s3 (s4 is after the range). Peak is the highest single peak, not a sum.
        var overview = await (await client.SendAsync(HttpMethod.Get, $"/api/analytics/overview?{Range}", token: org.Admin.AccessToken)).JsonAsync();
        Assert.Equal("org", (string?)overview["scope"]);
        AssertFigures(overview["totals"]!, 3, 10, 250.75, 5, 3, 45.5, 3500);
        var byType = overview["items"]!.AsArray();
        Assert.Equal(["audio", "video"], byType.Select(t => (string)t!["meetingType"]!));
        AssertFigures(byType[0]!, 1, 5, 120, 5, 0, 0, 0);
        AssertFigures(byType[1]!, 2, 5, 130.75, 3, 3, 45.5, 3500);

        // The host: only meeting a (s1 + s3).
        var own = await (await client.SendAsync(HttpMethod.Get, $"/api/analytics/overview?{Range}", token: org.Host.AccessToken)).JsonAsync();
        Assert.Equal("own", (string?)own["scope"]);
        AssertFigures(own["totals"]!, 2, 5, 130.75, 3, 3, 45.5, 3500);
        var otherHost = await (await client.SendAsync(HttpMethod.Get, $"/api/analytics/overview?{Range}", token: org.OtherHost.AccessToken)).JsonAsync();
        AssertFigures(otherHost["totals"]!, 0, 0, 0, 0, 0, 0, 0);

        // Usage: every day of the range, the empty one as zeros.
        var usage = await (await client.SendAsync(HttpMethod.Get, $"/api/analytics/usage?{Range}", token: org.Owner.AccessToken)).JsonAsync();
        var days = usage["items"]!.AsArray();
        Assert.Equal(["2026-11-02", "2026-11-03", "2026-11-04"], days.Select(d => (string)d!["key"]!));
        AssertFigures(days[0]!, 2, 8, 210.5, 5, 1, 30, 1000);
        AssertFigures(days[1]!, 1, 2, 40.25, 2, 2, 15.5, 2500);
        AssertFigures(days[2]!, 0, 0, 0, 0, 0, 0, 0);
        var videoOnly = await (await client.SendAsync(HttpMethod.Get, $"/api/analytics/usage?{Range}&meetingType=video", token: org.Owner.AccessToken)).JsonAsync();
        AssertFigures(videoOnly["totals"]!, 2, 5, 130.75, 3, 3, 45.5, 3500);

        // Per meeting, busiest first, with titles.
        var meetings = await (await client.SendAsync(HttpMethod.Get, $"/api/analytics/meetings?{Range}", token: org.Owner.AccessToken)).JsonAsync();
        var rows = meetings["items"]!.AsArray();
        Assert.Equal([a.ToString(), b.ToString()], rows.Select(r => (string)r!["key"]!));
        Assert.Equal("Host's video", (string?)rows[0]!["label"]);
        AssertFigures(rows[0]!, 2, 5, 130.75, 3, 3, 45.5, 3500);
        AssertFigures(rows[1]!, 1, 5, 120, 5, 0, 0, 0);
        var hostMeetings = await (await client.SendAsync(HttpMethod.Get, $"/api/analytics/meetings?{Range}", token: org.Host.AccessToken)).JsonAsync();
        Assert.Equal([a.ToString()], hostMeetings["items"]!.AsArray().Select(r => (string)r!["key"]!));

        // CSV: by Accept or by ?format=csv, the same rows.
        var csvRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/analytics/usage?{Range}");
        csvRequest.Headers.Authorization = new("Bearer", org.Owner.AccessToken);
        csvRequest.Headers.Accept.ParseAdd("text/csv");
        var csv = await client.SendAsync(csvRequest, Ct);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("Key,Label,MeetingType,Sessions,Participants,ParticipantMinutes,PeakConcurrency,Recordings,RecordingMinutes,RecordingBytes", lines[0]);
        Assert.Equal(["2026-11-02,,,2,8,210.5,5,1,30,1000", "2026-11-03,,,1,2,40.25,2,2,15.5,2500", "2026-11-04,,,0,0,0,0,0,0,0"], lines[1..]);
        var meetingsCsv = await client.SendAsync(HttpMethod.Get, $"/api/analytics/meetings?{Range}&format=csv", token: org.Owner.AccessToken);
        Assert.Contains($"{a},Host's video,video,2,5,130.75,3,3,45.5,3500", await meetingsCsv.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // Bad input names the field; members have no analytics.
        foreach (var (query, field) in new[] { ("from=2026-13-01", "from"), ("to=yesterday", "to"), ("from=2026-11-05&to=2026-11-01", "from"), ("from=2024-01-01&to=2026-01-01", "from"), ("format=xml", "format") })
        {
            var problem = await (await client.SendAsync(HttpMethod.Get, $"/api/analytics/overview?{query}", token: org.Owner.AccessToken)).ProblemAsync(HttpStatusCode.BadRequest);
            Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
        }
        var badType = await (await client.SendAsync(HttpMethod.Get, "/api/analytics/usage?meetingType=a%20b", token: org.Owner.AccessToken)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("meetingType", badType["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(HttpMethod.Get, "/api/analytics/overview", token: org.Member.AccessToken)).StatusCode);
    }

    private static void AssertFigures(JsonNode row, int sessions, int participants, double minutes, int peak, int recordings, double recordingMinutes, long bytes)
    {
        Assert.Equal(sessions, (int)row["sessions"]!);
        Assert.Equal(participants, (int)row["participants"]!);
        Assert.Equal(minutes, (double)row["participantMinutes"]!, 3);
        Assert.Equal(peak, (int)row["peakConcurrency"]!);
        Assert.Equal(recordings, (int)row["recordings"]!);
        Assert.Equal(recordingMinutes, (double)row["recordingMinutes"]!, 3);
        Assert.Equal(bytes, (long)row["recordingBytes"]!);
    }

    /// <summary>Contribution rows as the pipeline writes them (with their meeting), then each day recounted by the pipeline's own code.</summary>
    private static async Task SeedAsync(CastioApplication app, Guid orgId, params (string Day, string Type, string Session, Guid Meeting, int Participants, double Minutes, int Peak, int Recordings, double RecordingMinutes, long Bytes)[] rows)
    {
        var store = app.Services.GetRequiredService<PostMeetingStore>();
        await store.EnsureCreatedAsync(Ct);
        var table = app.Tables.GetTableClient(app.Name(PostMeetingStore.AnalyticsTable));
        foreach (var r in rows)
        {
            await table.UpsertEntityAsync(new TableEntity(PostMeetingStore.Org(orgId), SessionAnalytics.ContributionRow(r.Day, r.Type, r.Session))
            {
                ["Day"] = r.Day, ["MeetingType"] = r.Type, ["MeetingId"] = r.Meeting, ["Sessions"] = 1, ["Participants"] = r.Participants,
                ["ParticipantMinutes"] = r.Minutes, ["PeakConcurrency"] = r.Peak, ["Recordings"] = r.Recordings, ["RecordingMinutes"] = r.RecordingMinutes, ["RecordingBytes"] = r.Bytes,
            }, TableUpdateMode.Replace, Ct);
        }
        var analytics = app.Services.GetRequiredService<SessionAnalytics>();
        foreach (var (day, type) in rows.Select(r => (r.Day, r.Type)).Distinct())
            await analytics.RecomputeDayAsync(orgId, day, type, Ct);
    }
}
