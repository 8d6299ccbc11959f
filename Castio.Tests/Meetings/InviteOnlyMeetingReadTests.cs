using System.Net;
using System.Text.Json.Nodes;
using Castio.Core.Meetings;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;
using Castio.Tests.Scheduling;

namespace Castio.Tests.Meetings;

/// <summary>
/// Members read an invite-only meeting they are invited to (by user id or by their e-mail, the join flow's rule);
/// anyone else gets the same 404 as a meeting that does not exist.
/// </summary>
public class InviteOnlyMeetingReadTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task InviteAsync(HttpClient client, Caller host, JsonObject meeting, object body)
    {
        var response = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meeting["id"]}/invites", body, host.AccessToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, Caller who, string path) =>
        client.SendAsync(HttpMethod.Get, path, token: who.AccessToken);

    [Fact]
    public async Task InvitedMembersReadAnInviteOnlyMeetingAndOthersGetA404()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var byEmail = await AuthTestKit.AddUserAsync(client, org.Owner, "member");
        var uninvited = await AuthTestKit.AddUserAsync(client, org.Owner, "member");
        var otherOrg = await AuthTestKit.RegisterAsync(client);
        var otherOrgMember = await AuthTestKit.AddUserAsync(client, otherOrg, "member");
        var inviteOnly = await client.CreateMeetingAsync(org.Host, new { title = "Private", memberAccess = "invited" });
        var open = await client.CreateMeetingAsync(org.Host, new { title = "Open" });
        // The other org's member is invited by e-mail too: an invite in this org gives nothing in theirs.
        await InviteAsync(client, org.Host, inviteOnly, new { userIds = new[] { org.Member.UserId.ToString() }, emails = new[] { byEmail.Email, otherOrgMember.Email } });
        var path = $"/api/meetings/{inviteOnly["id"]}";

        var byId = await GetAsync(client, org.Member, path);
        var byMail = await GetAsync(client, byEmail, path);
        var notInvited = await GetAsync(client, uninvited, path);
        var openToAll = await GetAsync(client, uninvited, $"/api/meetings/{open["id"]}");
        var fromOtherOrg = await GetAsync(client, otherOrgMember, path);
        var ownerOfOtherOrg = await GetAsync(client, otherOrg, path);
        var listed = await (await GetAsync(client, org.Member, "/api/meetings?limit=100")).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        Assert.Equal((string?)inviteOnly["id"], (string?)(await byId.JsonAsync())["id"]);
        Assert.Equal("invited", (string?)(await byMail.JsonAsync())["memberAccess"]);
        Assert.Equal(MeetingErrors.NotFound, (string?)(await notInvited.ProblemAsync(HttpStatusCode.NotFound))["code"]);
        Assert.Equal(HttpStatusCode.OK, openToAll.StatusCode);
        Assert.Equal(MeetingErrors.NotFound, (string?)(await fromOtherOrg.ProblemAsync(HttpStatusCode.NotFound))["code"]);
        Assert.Equal(MeetingErrors.NotFound, (string?)(await ownerOfOtherOrg.ProblemAsync(HttpStatusCode.NotFound))["code"]);
        // Lists stay org-open for members; their invite-only meetings come with GET /api/me/invites.
        Assert.DoesNotContain(listed["meetings"]!.AsArray(), m => (string?)m!["id"] == (string?)inviteOnly["id"]);
        Assert.Contains(listed["meetings"]!.AsArray(), m => (string?)m!["id"] == (string?)open["id"]);
    }

    [Fact]
    public async Task InvitedMembersReadAnInviteOnlySeriesOccurrencesAndCalendar()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var uninvited = await AuthTestKit.AddUserAsync(client, org.Owner, "member");
        var series = await app.CreateScheduledAsync(client, org.Host, new
        {
            title = "Private daily", schedulingType = "recurring", rrule = "FREQ=DAILY;COUNT=3", dtstart = "2026-01-05T10:00:00", timezone = "UTC",
            durationMinutes = 30, memberAccess = "invited",
        });
        await InviteAsync(client, org.Host, series, new { userIds = new[] { org.Member.UserId.ToString() } });
        var occurrencesPath = $"/api/meetings/{series["id"]}/occurrences";
        var calendarPath = $"/api/meetings/{series["id"]}/calendar.ics";

        var occurrences = await GetAsync(client, org.Member, occurrencesPath);
        var calendar = await GetAsync(client, org.Member, calendarPath);
        var meeting = await GetAsync(client, org.Member, $"/api/meetings/{series["id"]}");
        var occurrencesRefused = await GetAsync(client, uninvited, occurrencesPath);
        var calendarRefused = await GetAsync(client, uninvited, calendarPath);

        Assert.Equal(HttpStatusCode.OK, occurrences.StatusCode);
        Assert.Equal(3, (await occurrences.JsonAsync())["occurrences"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, calendar.StatusCode);
        Assert.Contains("RRULE:FREQ=DAILY;COUNT=3", await calendar.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, meeting.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, occurrencesRefused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, calendarRefused.StatusCode);
    }
}
