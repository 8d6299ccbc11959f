using System.Net;
using System.Text.Json.Nodes;
using Castio.Core.Invites;
using Castio.Tests.Auth;
using Castio.Tests.HostControls;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Invites;

public class InvitesApiTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    private static async Task<JsonObject> InviteAsync(HttpClient client, Caller by, Guid meetingId, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/invites", body, by.AccessToken);
        Assert.True(response.StatusCode == expected, await response.Content.ReadAsStringAsync(Ct));
        return await response.JsonAsync();
    }

    private static async Task<Caller> AddUserWithEmailAsync(HttpClient client, Caller inviter, string email, string role = "member")
    {
        var invite = await client.SendAsync(HttpMethod.Post, "/api/users", new { email, name = "Named User", role }, inviter.AccessToken);
        Assert.Equal(HttpStatusCode.Created, invite.StatusCode);
        var token = (string)(await invite.JsonAsync())["inviteToken"]!;
        var accepted = await client.SendAsync(HttpMethod.Post, "/api/auth/accept-invite", new { token, password = AuthTestKit.Password });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        return AuthTestKit.ToCaller(await accepted.JsonAsync());
    }

    [Fact]
    public async Task HostInvitesMembersAndAddressesOnceEachAndRepeatsAreReportedApart()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var host = await AuthTestKit.AddUserAsync(client, owner, "host");
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var meetingId = await MeetingTestKit.CreateAsync(client, host);

        // The member three times (id twice, and by their e-mail in another case), one outsider twice.
        var first = await InviteAsync(client, host, meetingId, new
        {
            userIds = new[] { member.UserId.ToString(), member.UserId.ToString() },
            emails = new[] { "Guest.Speaker@Example.com", "guest.speaker@example.com ", member.Email.ToUpperInvariant() },
        });
        var again = await InviteAsync(client, host, meetingId, new { userIds = new[] { member.UserId.ToString() }, emails = new[] { "guest.speaker@example.com" } });

        var invited = first["invited"]!.AsArray();
        Assert.Equal(2, invited.Count);
        Assert.Empty(first["alreadyInvited"]!.AsArray());
        var memberInvite = invited.Single(i => (string?)i!["userId"] == member.UserId.ToString());
        Assert.Equal("pending", (string?)memberInvite!["rsvp"]);
        Assert.Equal(host.UserId.ToString(), (string?)memberInvite["invitedBy"]);
        var emailInvite = invited.Single(i => i!["userId"] is null);
        Assert.Equal("guest.speaker@example.com", (string?)emailInvite!["email"]);
        Assert.Empty(again["invited"]!.AsArray());
        Assert.Equal(
            invited.Select(i => (string?)i!["id"]).Order(),
            again["alreadyInvited"]!.AsArray().Select(i => (string?)i!["id"]).Order());
    }

    [Fact]
    public async Task InviteeListsTheirInvitesWithTheMeetingAndAnswers()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var meetingId = await MeetingTestKit.CreateAsync(client, owner, title: "Quarterly planning");
        var inviteId = (string)(await InviteAsync(client, owner, meetingId, new { userIds = new[] { member.UserId } }))["invited"]![0]!["id"]!;

        var mine = await (await client.SendAsync(HttpMethod.Get, "/api/me/invites", token: member.AccessToken)).JsonAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        var answered = await client.SendAsync(HttpMethod.Post, $"/api/invites/{inviteId}/rsvp", new { response = "tentative" }, member.AccessToken);
        var changed = await client.SendAsync(HttpMethod.Post, $"/api/invites/{inviteId}/rsvp", new { response = "accepted" }, member.AccessToken);
        var mineAfter = await (await client.SendAsync(HttpMethod.Get, "/api/me/invites", token: member.AccessToken)).JsonAsync();
        var hostView = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/invites", token: owner.AccessToken)).JsonAsync();

        var listed = Assert.Single(mine["invites"]!.AsArray())!;
        Assert.Equal(inviteId, (string?)listed["invite"]!["id"]);
        Assert.Equal("pending", (string?)listed["invite"]!["rsvp"]);
        Assert.Equal("Quarterly planning", (string?)listed["meeting"]!["title"]);
        Assert.Equal(meetingId.ToString(), (string?)listed["meeting"]!["id"]);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("tentative", (string?)(await answered.JsonAsync())["rsvp"]);
        var final = await changed.JsonAsync();
        Assert.Equal("accepted", (string?)final["rsvp"]);
        Assert.Equal(app.Clock.GetUtcNow(), (DateTimeOffset)final["respondedAt"]!);
        Assert.Equal("accepted", (string?)mineAfter["invites"]![0]!["invite"]!["rsvp"]);
        Assert.Equal("accepted", (string?)Assert.Single(hostView["invites"]!.AsArray())!["rsvp"]);
    }

    [Fact]
    public async Task AnAddressInvitedBeforeItsOwnerJoinedTheOrgIsTheirs()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meetingId = await MeetingTestKit.CreateAsync(client, owner);
        var email = $"late-{Guid.NewGuid():N}@example.com";
        var inviteId = (string)(await InviteAsync(client, owner, meetingId, new { emails = new[] { email } }))["invited"]![0]!["id"]!;

        var newcomer = await AddUserWithEmailAsync(client, owner, email);
        var mine = await (await client.SendAsync(HttpMethod.Get, "/api/me/invites", token: newcomer.AccessToken)).JsonAsync();
        var answered = await client.SendAsync(HttpMethod.Post, $"/api/invites/{inviteId}/rsvp", new { response = "declined" }, newcomer.AccessToken);
        var store = app.Services.GetRequiredService<InviteStore>();

        Assert.Equal(inviteId, (string?)Assert.Single(mine["invites"]!.AsArray())!["invite"]!["id"]);
        Assert.Equal("declined", (string?)(await answered.JsonAsync())["rsvp"]);
        // Joining asks by user id and e-mail; a declined invite is still an invite.
        Assert.True(await store.IsInvitedAsync(owner.OrgId, meetingId, newcomer.UserId, email.ToUpperInvariant(), Ct));
        Assert.False(await store.IsInvitedAsync(owner.OrgId, meetingId, newcomer.UserId, Ct));
        Assert.True(await store.IsInvitedAsync(owner.OrgId, meetingId, email, Ct));
        Assert.False(await store.IsInvitedAsync(owner.OrgId, meetingId, "someone.else@example.com", Ct));
        Assert.False(await store.IsInvitedAsync(Guid.NewGuid(), meetingId, email, Ct));
    }

    [Fact]
    public async Task OnlyTheInviteeAnswersAnInvite()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var invitee = await AuthTestKit.AddUserAsync(client, owner, "member");
        var other = await AuthTestKit.AddUserAsync(client, owner, "member");
        var outsider = await AuthTestKit.RegisterAsync(client);
        var meetingId = await MeetingTestKit.CreateAsync(client, owner);
        var inviteId = (string)(await InviteAsync(client, owner, meetingId, new { userIds = new[] { invitee.UserId } }))["invited"]![0]!["id"]!;

        foreach (var who in new[] { other, owner, outsider })
        {
            var response = await client.SendAsync(HttpMethod.Post, $"/api/invites/{inviteId}/rsvp", new { response = "accepted" }, who.AccessToken);
            Assert.Equal(InviteErrors.NotFound, (string?)(await response.ProblemAsync(HttpStatusCode.NotFound))["code"]);
        }

        var unknown = await client.SendAsync(HttpMethod.Post, $"/api/invites/{Guid.NewGuid()}/rsvp", new { response = "accepted" }, invitee.AccessToken);
        await unknown.ProblemAsync(HttpStatusCode.NotFound);
        var othersList = await (await client.SendAsync(HttpMethod.Get, "/api/me/invites", token: other.AccessToken)).JsonAsync();
        Assert.Empty(othersList["invites"]!.AsArray());
        var anonymous = await client.SendAsync(HttpMethod.Get, "/api/me/invites");
        await anonymous.ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task OnlyTheMeetingsHostOwnersAndAdminsManageItsInvites()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var admin = await AuthTestKit.AddUserAsync(client, owner, "admin");
        var host = await AuthTestKit.AddUserAsync(client, owner, "host");
        var otherHost = await AuthTestKit.AddUserAsync(client, owner, "host");
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var outsider = await AuthTestKit.RegisterAsync(client);
        var meetingId = await MeetingTestKit.CreateAsync(client, host);

        var expected = new (Caller Who, HttpStatusCode Status)[]
        {
            (owner, HttpStatusCode.OK), (admin, HttpStatusCode.OK), (host, HttpStatusCode.OK),
            (otherHost, HttpStatusCode.Forbidden), (member, HttpStatusCode.Forbidden), (outsider, HttpStatusCode.NotFound),
        };
        foreach (var (who, status) in expected)
        {
            var post = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/invites", new { emails = new[] { $"x-{Guid.NewGuid():N}@example.com" } }, who.AccessToken);
            var get = await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/invites", token: who.AccessToken);
            Assert.True(post.StatusCode == status, $"{who.Role} POST: {post.StatusCode}");
            Assert.True(get.StatusCode == status, $"{who.Role} GET: {get.StatusCode}");
        }

        var list = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/invites", token: owner.AccessToken)).JsonAsync();
        Assert.Equal(3, list["invites"]!.AsArray().Count);
    }

    [Fact]
    public async Task BadInviteRequestsNameTheField()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var outsider = await AuthTestKit.RegisterAsync(client);
        var meetingId = await MeetingTestKit.CreateAsync(client, owner);
        var tooMany = Enumerable.Range(0, InviteService.MaxPerRequest + 1).Select(i => $"p{i}@example.com").ToArray();

        var cases = new (object Body, string Fields)[]
        {
            (new { }, "userIds"),
            (new { userIds = Array.Empty<string>(), emails = Array.Empty<string>() }, "userIds"),
            (new { userIds = new[] { "not-a-guid", owner.UserId.ToString() }, emails = new[] { "ok@example.com", "no-at-sign", "" } }, "emails[1],emails[2],userIds[0]"),
            (new { userIds = new[] { outsider.UserId, Guid.NewGuid() } }, "userIds[0],userIds[1]"),
            (new { emails = tooMany }, "emails"),
        };
        foreach (var (body, fields) in cases)
        {
            var response = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/invites", body, owner.AccessToken);
            var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
            Assert.Equal(fields.Split(','), problem["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        }

        var wrongType = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/invites", JsonNode.Parse("""{"userIds":"everyone"}"""), owner.AccessToken);
        await wrongType.ProblemAsync(HttpStatusCode.BadRequest);
        var badRsvp = await client.SendAsync(HttpMethod.Post, $"/api/invites/{Guid.NewGuid()}/rsvp", new { response = "maybe" }, owner.AccessToken);
        Assert.True((await badRsvp.ProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("response"));
        var badPage = await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/invites?limit=0&cursor=zzz", token: owner.AccessToken);
        Assert.Equal(["cursor", "limit"], (await badPage.ProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key).Order());
        var badMine = await client.SendAsync(HttpMethod.Get, "/api/me/invites?limit=101&cursor=nope", token: owner.AccessToken);
        Assert.Equal(["cursor", "limit"], (await badMine.ProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Fact]
    public async Task InvitesPageThroughAMeetingAndThroughMyList()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var meetingId = await MeetingTestKit.CreateAsync(client, owner);
        await InviteAsync(client, owner, meetingId, new { emails = Enumerable.Range(0, 5).Select(i => $"guest{i}@example.com").ToArray() });
        var meetings = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            // Invite ids are time-ordered: a later invite lists later.
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            var id = await MeetingTestKit.CreateAsync(client, owner, title: $"Meeting {i}");
            await InviteAsync(client, owner, id, new { userIds = new[] { member.UserId } });
            meetings.Add(id);
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/invites?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), token: owner.AccessToken)).JsonAsync();
            Assert.True(page["invites"]!.AsArray().Count <= 2);
            seen.AddRange(page["invites"]!.AsArray().Select(i => (string)i!["email"]!));
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null);

        var first = await (await client.SendAsync(HttpMethod.Get, "/api/me/invites?limit=2", token: member.AccessToken)).JsonAsync();
        var second = await (await client.SendAsync(HttpMethod.Get, $"/api/me/invites?limit=2&cursor={first["nextCursor"]}", token: member.AccessToken)).JsonAsync();

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"guest{i}@example.com").Order(), seen.Order());
        Assert.Equal(5, seen.Distinct().Count());
        Assert.Equal(
            meetings.Select(m => m.ToString()),
            first["invites"]!.AsArray().Concat(second["invites"]!.AsArray()).Select(i => (string?)i!["meeting"]!["id"]));
        Assert.Null((string?)second["nextCursor"]);
    }

    [Fact]
    public async Task NobodyIsInvitedToOrAnswersForACancelledMeeting()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var meetingId = await MeetingTestKit.CreateAsync(client, owner);
        var inviteId = (string)(await InviteAsync(client, owner, meetingId, new { userIds = new[] { member.UserId } }))["invited"]![0]!["id"]!;

        var cancelled = await client.SendAsync(HttpMethod.Delete, $"/api/meetings/{meetingId}", token: owner.AccessToken);
        var invite = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/invites", new { emails = new[] { "late@example.com" } }, owner.AccessToken);
        var answer = await client.SendAsync(HttpMethod.Post, $"/api/invites/{inviteId}/rsvp", new { response = "accepted" }, member.AccessToken);

        Assert.True(cancelled.IsSuccessStatusCode);
        Assert.Equal(InviteErrors.MeetingClosed, (string?)(await invite.ProblemAsync(HttpStatusCode.Conflict))["code"]);
        Assert.Equal(InviteErrors.MeetingClosed, (string?)(await answer.ProblemAsync(HttpStatusCode.Conflict))["code"]);
    }
}
