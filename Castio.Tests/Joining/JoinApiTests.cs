using System.Net;
using System.Text.Json.Nodes;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Joining;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Joining;

public class JoinApiTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    [Fact]
    public async Task AMemberJoinsWithAnRtkParticipantTheResolvedPresetAndAParticipantEvent()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var host = await AuthTestKit.AddUserAsync(client, owner, "host");
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var meeting = await client.ActiveMeetingAsync(host);
        var rtkMeetingId = (string)meeting["rtkMeetingId"]!;
        var mark = simulator.Sim.Mark();

        var joined = await client.JoinAsync(member, meeting).JoinedAsync();
        var hostJoined = await client.JoinAsync(host, meeting).JoinedAsync();
        var ownerJoined = await client.JoinAsync(owner, meeting).JoinedAsync();

        Assert.Equal(rtkMeetingId, (string?)joined["rtkMeetingId"]);
        Assert.Equal("video_participant", (string?)joined["presetName"]);
        Assert.Equal("video_host", (string?)hostJoined["presetName"]);
        Assert.Equal("video_host", (string?)ownerJoined["presetName"]);
        Assert.StartsWith("simtok.", (string?)joined["rtkAuthToken"]);
        Assert.Equal("Join test", (string?)joined["meetingConfig"]!["title"]);
        var participantId = Guid.Parse((string)joined["participantId"]!);
        var add = Assert.Single(simulator.Sim.CallsFor(rtkMeetingId, mark).Where(r => r.IsAddParticipant()), r => r.Body.Contains("video_participant", StringComparison.Ordinal));
        var body = JsonNode.Parse(add.Body)!;
        Assert.Equal(participantId.ToString("D"), (string?)body["custom_participant_id"]);
        Assert.Equal("User member", (string?)body["name"]);

        var store = app.Services.GetRequiredService<ParticipantStore>();
        var events = await store.ListEventsAsync(owner.OrgId, Guid.Parse((string)meeting["id"]!), Ct);
        var e = Assert.Single(events, x => x.ParticipantId == participantId);
        Assert.Equal((ParticipantEvents.Joined, TokenSources.Added, "video_participant", member.UserId), (e.EventType, e.TokenSource, e.PresetName, e.UserId!.Value));
        Assert.False(string.IsNullOrEmpty(e.RtkParticipantId));
        var row = await store.GetByUserAsync(owner.OrgId, Guid.Parse((string)meeting["id"]!), member.UserId, Ct);
        Assert.DoesNotContain((string)joined["rtkAuthToken"]!, row!.SealedToken, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARejoinWithinTheTokensLifeGetsTheSameParticipantWithNoRtkCall()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var meeting = await client.ActiveMeetingAsync(owner);
        var rtkMeetingId = (string)meeting["rtkMeetingId"]!;

        var first = await client.JoinAsync(member, meeting).JoinedAsync();
        var before = (await simulator.Sim.RequestLogAsync(rtkMeetingId)).Count;
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var again = await client.JoinAsync(member, meeting).JoinedAsync();
        var log = await simulator.Sim.RequestLogAsync(rtkMeetingId);

        Assert.Equal((string?)first["participantId"], (string?)again["participantId"]);
        Assert.Equal((string?)first["rtkAuthToken"], (string?)again["rtkAuthToken"]);
        Assert.Equal(before, log.Count);
        Assert.Single(log, r => r.Method == "POST" && r.Path.EndsWith("/participants", StringComparison.Ordinal));
        var events = await app.Services.GetRequiredService<ParticipantStore>().ListEventsAsync(owner.OrgId, Guid.Parse((string)meeting["id"]!), Ct);
        Assert.Equal([TokenSources.Added, TokenSources.Reused], events.Where(e => e.UserId == member.UserId).Select(e => e.TokenSource));
    }

    [Fact]
    public async Task ARejoinAfterTheTokenExpiredRefreshesItWithoutASecondParticipant()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var meeting = await client.ActiveMeetingAsync(owner);
        var rtkMeetingId = (string)meeting["rtkMeetingId"]!;

        var first = await client.JoinAsync(member, meeting).JoinedAsync();
        var mark = simulator.Sim.Mark();
        app.Clock.Advance(ParticipantTokenVault.AssumedRtkTokenLifetime);
        member = await AuthTestKit.LoginAsync(client, member.Email, member.OrgSlug);
        var again = await client.JoinAsync(member, meeting).JoinedAsync();
        var calls = simulator.Sim.CallsFor(rtkMeetingId, mark);

        Assert.Equal((string?)first["participantId"], (string?)again["participantId"]);
        Assert.NotEqual((string?)first["rtkAuthToken"], (string?)again["rtkAuthToken"]);
        Assert.Single(calls);
        Assert.True(calls[0].IsRefreshToken());
        Assert.Single(simulator.Sim.CallsFor(rtkMeetingId), r => r.IsAddParticipant());
        // The refreshed token is the one reused next.
        var mark2 = simulator.Sim.Mark();
        var third = await client.JoinAsync(member, meeting).JoinedAsync();
        Assert.Equal((string?)again["rtkAuthToken"], (string?)third["rtkAuthToken"]);
        Assert.Empty(simulator.Sim.CallsFor(rtkMeetingId, mark2));
    }

    [Fact]
    public async Task MembersJoinOrgOpenMeetingsAndInvitedOnlyOnesTheyAreInvitedTo()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var host = await AuthTestKit.AddUserAsync(client, owner, "host");
        var otherHost = await AuthTestKit.AddUserAsync(client, owner, "host");
        var admin = await AuthTestKit.AddUserAsync(client, owner, "admin");
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var invitedById = await AuthTestKit.AddUserAsync(client, owner, "member");
        var invitedByEmail = await AuthTestKit.AddUserAsync(client, owner, "member");
        var open = await client.ActiveMeetingAsync(host);
        var invitedOnly = await client.ActiveMeetingAsync(host, new { title = "Join test", meetingType = "webinar", memberAccess = "invited" });

        await client.JoinAsync(member, open).JoinedAsync();
        var refused = await (await client.JoinAsync(member, invitedOnly)).ProblemAsync(HttpStatusCode.Forbidden);
        var invited = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{invitedOnly["id"]}/invites",
            new { userIds = new[] { invitedById.UserId.ToString() }, emails = new[] { invitedByEmail.Email } }, host.AccessToken);
        Assert.True(invited.IsSuccessStatusCode, await invited.Content.ReadAsStringAsync(Ct));
        Assert.Equal("webinar_participant", (string?)(await client.JoinAsync(invitedById, invitedOnly).JoinedAsync())["presetName"]);
        await client.JoinAsync(invitedByEmail, invitedOnly).JoinedAsync();
        var otherHostJoined = await client.JoinAsync(otherHost, invitedOnly).JoinedAsync();
        var adminJoined = await client.JoinAsync(admin, invitedOnly).JoinedAsync();

        Assert.Equal(JoinErrors.NotInvited, (string?)refused["code"]);
        // A host never waits, even in a meeting with a waiting room: the participant preset's no-wait twin.
        Assert.Equal("webinar_participant_nowait", (string?)otherHostJoined["presetName"]);
        Assert.Equal("webinar_host", (string?)adminJoined["presetName"]);
    }

    [Fact]
    public async Task AnotherOrgsMeetingIsNotFoundAndNoTokenIsNotAllowed()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var ownerA = await AuthTestKit.RegisterAsync(client);
        var ownerB = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.ActiveMeetingAsync(ownerA);

        var crossOrg = await (await client.JoinAsync(ownerB, meeting)).ProblemAsync(HttpStatusCode.NotFound);
        var anonymous = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meeting["id"]}/join");

        Assert.Equal(JoinErrors.MeetingNotFound, (string?)crossOrg["code"]);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task ALockedMeetingRefusesNewcomersButItsParticipantsRejoin()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var members = await app.MembersAsync(owner, 2);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Join test", meetingType = "video", guestAccess = "open" });
        var guest = await client.GuestJoinAsync(meeting, new { displayName = "Gail Guest" }).JoinedAsync();
        await client.JoinAsync(members[0], meeting).JoinedAsync();

        Assert.True((await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meeting["id"]}/lock", token: owner.AccessToken)).IsSuccessStatusCode);
        var newcomer = await (await client.JoinAsync(members[1], meeting)).ProblemAsync(HttpStatusCode.Forbidden);
        var newGuest = await (await client.GuestJoinAsync(meeting, new { displayName = "Nia New" })).ProblemAsync(HttpStatusCode.Forbidden);
        await client.JoinAsync(members[0], meeting).JoinedAsync();
        await client.GuestJoinAsync(meeting, new { guestToken = (string)guest["guestToken"]! }).JoinedAsync();

        Assert.Equal(JoinErrors.Locked, (string?)newcomer["code"]);
        Assert.Equal(JoinErrors.Locked, (string?)newGuest["code"]);
    }

    [Fact]
    public async Task OnlyAnActiveMeetingCanBeJoinedAndTheRefusalNamesItsStatus()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var draft = await client.DraftMeetingAsync(owner);
        var ended = await client.ActiveMeetingAsync(owner);
        Assert.True((await client.SendAsync(HttpMethod.Post, $"/api/meetings/{ended["id"]}/end", token: owner.AccessToken)).IsSuccessStatusCode);

        var notStarted = await (await client.JoinAsync(owner, draft)).ProblemAsync(HttpStatusCode.Conflict);
        var over = await (await client.JoinAsync(owner, ended)).ProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal(JoinErrors.NotActive, (string?)notStarted["code"]);
        Assert.Contains("draft", (string?)notStarted["detail"], StringComparison.Ordinal);
        Assert.Equal(JoinErrors.NotActive, (string?)over["code"]);
        Assert.Contains("ended", (string?)over["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task APermanentRoomIsActivatedByAJoin()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var room = await client.DraftMeetingAsync(owner, new { title = "Standup", meetingType = "audio", schedulingType = "permanent", vanitySlug = "standup-" + Guid.NewGuid().ToString("N")[..6] });

        var joined = await client.JoinAsync(owner, room).JoinedAsync();

        Assert.Equal("audio_host", (string?)joined["presetName"]);
        Assert.False(string.IsNullOrEmpty((string?)joined["rtkMeetingId"]));
    }

    [Fact]
    public async Task TheParticipantCapIsA429NamingItAndStillLetsParticipantsRejoin()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var members = await app.MembersAsync(owner, 3);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Join test", meetingType = "video", maxParticipants = 2 });

        await client.JoinAsync(members[0], meeting).JoinedAsync();
        await client.JoinAsync(members[1], meeting).JoinedAsync();
        var third = await (await client.JoinAsync(members[2], meeting)).ProblemAsync(HttpStatusCode.TooManyRequests);
        await client.JoinAsync(members[0], meeting).JoinedAsync();

        Assert.Equal(JoinErrors.ParticipantsPerMeeting, (string?)third["code"]);
        Assert.Contains("participants_per_meeting", (string?)third["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHundredPeopleJoiningOnTimeAreAllAdmittedAndTheHundredAndFirstIsNot()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        // A hundred requests at once on a shared 2-core machine can take longer than HttpClient's default 100 s.
        client.Timeout = TimeSpan.FromMinutes(5);
        var owner = await AuthTestKit.RegisterAsync(client);
        var members = await app.MembersAsync(owner, 101);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "All hands", meetingType = "video", maxParticipants = 100 });

        var joins = await Task.WhenAll(members.Take(100).Select(m => client.JoinAsync(m, meeting)));
        var late = await client.JoinAsync(members[100], meeting);

        Assert.All(joins, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var ids = await Task.WhenAll(joins.Select(async r => (string)(await r.JsonAsync())["participantId"]!));
        Assert.Equal(100, ids.Distinct().Count());
        Assert.Equal(JoinErrors.ParticipantsPerMeeting, (string?)(await late.ProblemAsync(HttpStatusCode.TooManyRequests))["code"]);
        var counters = app.Services.GetRequiredService<ParticipantCounters>();
        Assert.Equal((100, 0), await counters.ReadAsync(owner.OrgId, Guid.Parse((string)meeting["id"]!), (string)meeting["rtkMeetingId"]!, Ct));
        Assert.Equal(100, simulator.Sim.CallsFor((string)meeting["rtkMeetingId"]!).Count(r => r.IsAddParticipant()));
    }

    [Fact]
    public async Task AJoinReadsTheUserRowOnceAndOverlappingJoinsShareTheMeetingAndOrgReads()
    {
        var log = new StorageRequestLog();
        await using var app = NewApp().WithoutTimers().WithStorageRequestLog(log, azurite.ConnectionString);
        using var client = app.CreateHttpClient();
        client.Timeout = TimeSpan.FromMinutes(5);
        var owner = await AuthTestKit.RegisterAsync(client);
        var members = await app.MembersAsync(owner, 33);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Storm", meetingType = "video", maxParticipants = 100 });
        bool Reads(string request, string rowKey) => request.StartsWith("GET ", StringComparison.Ordinal) && request.Contains($"RowKey='{rowKey}'", StringComparison.Ordinal);
        var meetingRow = "meeting-" + (string)meeting["id"]!;
        // Reads of the meeting and the org take half a second, so the joins overlap however busy the machine is.
        log.SlowDown(r => Reads(r, meetingRow) || Reads(r, "org"), TimeSpan.FromMilliseconds(500));

        log.Reset();
        await client.JoinAsync(members[0], meeting).JoinedAsync();
        // The gate's read of the user row gives the join its name and e-mail too.
        Assert.Single(log.Requests, r => Reads(r, "user:" + members[0].UserId.ToString("D")));

        log.Reset();
        var joins = await Task.WhenAll(members.Skip(1).Select(m => client.JoinAsync(m, meeting)));

        Assert.All(joins, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var requests = log.Requests;
        Assert.Equal(32, requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("RowKey='user:", StringComparison.Ordinal)));
        Assert.InRange(requests.Count(r => Reads(r, meetingRow)), 1, 16);
        Assert.InRange(requests.Count(r => Reads(r, "org")), 1, 16);
    }

    [Fact]
    public async Task TheJoinLimitIsPerPersonSoOneHammeringPersonDoesNotLockOthersOut()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var members = await app.MembersAsync(owner, 2);
        var meeting = await client.ActiveMeetingAsync(owner);

        for (var i = 0; i < 30; i++)
        {
            await client.JoinAsync(members[0], meeting).JoinedAsync();
        }

        var refused = await (await client.JoinAsync(members[0], meeting)).ProblemAsync(HttpStatusCode.TooManyRequests);
        await client.JoinAsync(members[1], meeting).JoinedAsync();

        Assert.Equal(JoinErrors.RateLimited, (string?)refused["code"]);
    }

    [Fact]
    public async Task BadInputIsA400NamingTheField()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Join test", meetingType = "video", guestAccess = "open" });

        var badId = await (await client.SendAsync(HttpMethod.Post, "/api/meetings/not-a-uuid/join", token: owner.AccessToken)).ProblemAsync(HttpStatusCode.BadRequest);
        var badGuestId = await (await client.SendAsync(HttpMethod.Post, "/api/meetings/42/guest-join", new { displayName = "Ann" })).ProblemAsync(HttpStatusCode.BadRequest);
        var noName = await (await client.GuestJoinAsync(meeting, new { email = "not-an-email" })).ProblemAsync(HttpStatusCode.BadRequest);
        var badToken = await (await client.GuestJoinAsync(meeting, new { guestToken = "short" })).ProblemAsync(HttpStatusCode.BadRequest);
        var markup = await (await client.GuestJoinAsync(meeting, new { displayName = "<b>x</b>" })).ProblemAsync(HttpStatusCode.BadRequest);
        var notJson = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meeting["id"]}/guest-join", new StringContent("displayName=Ann"));
        var wrongType = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meeting["id"]}/guest-join", JsonNode.Parse("""{"displayName":42}"""));

        Assert.Equal(["id"], JoinTestKit.FieldsOf(badId));
        Assert.Equal(["id"], JoinTestKit.FieldsOf(badGuestId));
        Assert.Equal(["displayName", "email"], JoinTestKit.FieldsOf(noName));
        Assert.Equal(["guestToken"], JoinTestKit.FieldsOf(badToken));
        Assert.Equal(["displayName"], JoinTestKit.FieldsOf(markup));
        Assert.True(notJson.StatusCode is HttpStatusCode.UnsupportedMediaType or HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
    }
}
