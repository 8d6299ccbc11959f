using System.Net;
using System.Text.Json.Nodes;
using Castio.Core.HostControls;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;

namespace Castio.Tests.HostControls;

public class HostControlsApiTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    private static async Task<JsonObject> OkAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.JsonAsync();
    }

    private static async Task<string> CodeAsync(HttpResponseMessage response, HttpStatusCode status) =>
        (string)(await response.ProblemAsync(status))["code"]!;

    [Fact]
    public async Task HostSeesEveryoneWhoJoinedWithTheirRoleAndPreset()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var host = await AuthTestKit.AddUserAsync(client, owner, "host");
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var (meetingId, _) = await MeetingTestKit.CreateStartedAsync(client, host);
        var (hostParticipant, _) = await MeetingTestKit.JoinAsync(client, host, meetingId);
        var (memberParticipant, _) = await MeetingTestKit.JoinAsync(client, member, meetingId);

        var list = await OkAsync(await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/participants", token: host.AccessToken));

        var people = list["participants"]!.AsArray();
        Assert.Equal(2, people.Count);
        var m = people.Single(p => (string?)p!["participantId"] == memberParticipant.ToString())!;
        Assert.Equal(member.UserId.ToString(), (string?)m["userId"]);
        Assert.Equal("member", (string?)m["role"]);
        Assert.Equal("video_participant", (string?)m["presetName"]);
        Assert.False((bool)m["isGuest"]!);
        Assert.Null(m["removedAt"]);
        Assert.Equal("video_host", (string?)people.Single(p => (string?)p!["participantId"] == hostParticipant.ToString())!["presetName"]);
    }

    [Fact]
    public async Task KickTakesTheParticipantOutOfTheSessionAndKeepsThemOut()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var (meetingId, rtkMeetingId) = await MeetingTestKit.CreateStartedAsync(client, owner);
        await MeetingTestKit.JoinLiveAsync(client, simulator.Sim, owner, meetingId);
        var (participantId, peer) = await MeetingTestKit.JoinLiveAsync(client, simulator.Sim, member, meetingId);

        var kicked = await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/participants/{participantId}/kick", token: owner.AccessToken));
        var rejoin = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/join", token: member.AccessToken);
        var list = await OkAsync(await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/participants", token: owner.AccessToken));

        Assert.True((bool)kicked["wasInSession"]!);
        Assert.NotNull(kicked["participant"]!["removedAt"]);
        var calls = MeetingTestKit.RtkCalls(simulator.Sim, rtkMeetingId);
        var kick = Assert.Single(calls, r => r.Method == "POST" && r.Path.EndsWith("/active-session/kick", StringComparison.Ordinal));
        Assert.Equal(peer.ParticipantId, (string?)RtkTestKit.BodyOf(kick)["participant_ids"]![0]);
        Assert.Single(calls, r => r.Method == "DELETE" && r.Path.EndsWith($"/participants/{peer.ParticipantId}", StringComparison.Ordinal));
        Assert.Equal("join.participant_removed", await CodeAsync(rejoin, HttpStatusCode.Forbidden));
        Assert.NotNull(list["participants"]!.AsArray().Single(p => (string?)p!["participantId"] == participantId.ToString())!["removedAt"]);
        var entry = (await MeetingTestKit.AuditAsync(client, owner, meetingId)).First()!;
        Assert.Equal(AuditActions.Kick, (string?)entry["action"]);
        Assert.Equal(participantId.ToString(), (string?)entry["target"]);
        Assert.Equal(owner.UserId.ToString(), (string?)entry["actorUserId"]);
        Assert.Equal("owner", (string?)entry["actorRole"]);
        Assert.Equal(AuditOutcomes.Succeeded, (string?)entry["outcome"]);
        Assert.Equal(app.Clock.GetUtcNow(), (DateTimeOffset)entry["at"]!);
    }

    [Fact]
    public async Task GuestsAreListedAndCanBeRemoved()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var (meetingId, rtkMeetingId) = await MeetingTestKit.CreateStartedAsync(client, owner, guestAccess: "open");
        var (participantId, rtkToken, guestToken) = await MeetingTestKit.GuestJoinAsync(client, meetingId, "Gail Guest");
        var peer = simulator.Sim.State.Join(rtkToken);

        var list = await OkAsync(await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/participants", token: owner.AccessToken));
        var kicked = await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/participants/{participantId}/kick", token: owner.AccessToken));
        var rejoin = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/guest-join", new { displayName = "Gail Guest", guestToken });

        var guest = Assert.Single(list["participants"]!.AsArray())!;
        Assert.True((bool)guest["isGuest"]!);
        Assert.Null(guest["userId"]);
        Assert.Equal(("Gail Guest", "guest", "video_guest"), ((string)guest["displayName"]!, (string)guest["role"]!, (string)guest["presetName"]!));
        Assert.True((bool)kicked["wasInSession"]!);
        Assert.Single(MeetingTestKit.RtkCalls(simulator.Sim, rtkMeetingId), r => r.Method == "POST" && r.Path.EndsWith("/active-session/kick", StringComparison.Ordinal) && r.Body.Contains(peer.ParticipantId, StringComparison.Ordinal));
        Assert.Equal("join.participant_removed", await CodeAsync(rejoin, HttpStatusCode.Forbidden));
    }

    [Fact]
    public async Task KickingSomeoneNotLiveStillRemovesThemAndNobodyKicksThemselves()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var (meetingId, _) = await MeetingTestKit.CreateStartedAsync(client, owner);
        var (ownerParticipant, _) = await MeetingTestKit.JoinAsync(client, owner, meetingId);
        var (memberParticipant, _) = await MeetingTestKit.JoinAsync(client, member, meetingId);

        var kicked = await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/participants/{memberParticipant}/kick", token: owner.AccessToken));
        var self = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/participants/{ownerParticipant}/kick", token: owner.AccessToken);
        var unknown = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/participants/{Guid.NewGuid()}/kick", token: owner.AccessToken);

        Assert.False((bool)kicked["wasInSession"]!);
        Assert.Equal(HostControlErrors.NotYourself, await CodeAsync(self, HttpStatusCode.Conflict));
        Assert.Equal(HostControlErrors.ParticipantNotFound, await CodeAsync(unknown, HttpStatusCode.NotFound));
        var log = await MeetingTestKit.AuditAsync(client, owner, meetingId);
        Assert.Equal(
            [(AuditOutcomes.Failed, HostControlErrors.ParticipantNotFound), (AuditOutcomes.Failed, HostControlErrors.NotYourself), (AuditOutcomes.Succeeded, null)],
            log.Select(e => ((string)e!["outcome"]!, (string?)e["code"])));
    }

    [Fact]
    public async Task PromotingAndDemotingSetsTheRtkPresetForTheMeetingType()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var (meetingId, rtkMeetingId) = await MeetingTestKit.CreateStartedAsync(client, owner, meetingType: "webinar");
        var (participantId, peer) = await MeetingTestKit.JoinLiveAsync(client, simulator.Sim, member, meetingId);

        var promoted = await OkAsync(await client.SendAsync(HttpMethod.Patch, $"/api/meetings/{meetingId}/participants/{participantId}", new { role = "host" }, owner.AccessToken));
        var demoted = await OkAsync(await client.SendAsync(HttpMethod.Patch, $"/api/meetings/{meetingId}/participants/{participantId}", new { role = "guest" }, owner.AccessToken));
        var bad = await client.SendAsync(HttpMethod.Patch, $"/api/meetings/{meetingId}/participants/{participantId}", new { role = "owner" }, owner.AccessToken);
        var rejoin = await MeetingTestKit.JoinAsync(client, member, meetingId);

        Assert.Equal(("host", "webinar_host"), ((string)promoted["role"]!, (string)promoted["presetName"]!));
        Assert.Equal(("guest", "webinar_viewer"), ((string)demoted["role"]!, (string)demoted["presetName"]!));
        var patches = MeetingTestKit.RtkCalls(simulator.Sim, rtkMeetingId)
            .Where(r => r.Method == "PATCH" && r.Path.EndsWith($"/participants/{peer.ParticipantId}", StringComparison.Ordinal))
            .Select(r => (string?)RtkTestKit.BodyOf(r)["preset_name"]);
        Assert.Equal(["webinar_host", "webinar_viewer"], patches);
        Assert.True((await bad.ProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("role"));
        Assert.Equal(participantId, rejoin.ParticipantId);
        var log = await MeetingTestKit.AuditAsync(client, owner, meetingId);
        Assert.Equal(["guest", "host"], log.Where(e => (string?)e!["action"] == AuditActions.ChangeRole).Select(e => (string?)e!["detail"]));
    }

    [Fact]
    public async Task ALockedMeetingRefusesNewJoinsUntilUnlocked()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var host = await AuthTestKit.AddUserAsync(client, owner, "host");
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var (meetingId, _) = await MeetingTestKit.CreateStartedAsync(client, host);

        var locked = await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/lock", token: host.AccessToken));
        var refused = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/join", token: member.AccessToken);
        var unlocked = await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/unlock", token: host.AccessToken));
        var joined = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/join", token: member.AccessToken);

        Assert.True((bool)locked["locked"]!);
        Assert.Equal("join.meeting_locked", (string?)(await refused.ProblemAsync(refused.StatusCode))["code"]);
        Assert.False((bool)unlocked["locked"]!);
        Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
        var log = await MeetingTestKit.AuditAsync(client, owner, meetingId);
        Assert.Equal([AuditActions.Unlock, AuditActions.Lock], log.Select(e => (string?)e!["action"]));
        Assert.All(log, e => Assert.Equal(host.UserId.ToString(), (string?)e!["actorUserId"]));
    }

    [Fact]
    public async Task RecordingStartsOnlyInALiveSessionAndStopsOnce()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var (meetingId, rtkMeetingId) = await MeetingTestKit.CreateStartedAsync(client, owner);

        var early = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/recording/start", token: owner.AccessToken);
        await MeetingTestKit.JoinLiveAsync(client, simulator.Sim, owner, meetingId);
        var started = await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/recording/start", token: owner.AccessToken));
        var twice = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/recording/start", token: owner.AccessToken);
        var stopped = await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/recording/stop", token: owner.AccessToken));
        var again = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/recording/stop", token: owner.AccessToken);

        Assert.Equal(HostControlErrors.NoActiveSession, await CodeAsync(early, HttpStatusCode.Conflict));
        Assert.Equal(HostControlErrors.RecordingRunning, await CodeAsync(twice, HttpStatusCode.Conflict));
        Assert.Equal(HostControlErrors.NoRecording, await CodeAsync(again, HttpStatusCode.Conflict));
        Assert.Equal((string?)started["recordingId"], (string?)stopped["recordingId"]);
        var calls = MeetingTestKit.RtkCalls(simulator.Sim, rtkMeetingId);
        var start = Assert.Single(simulator.Sim.State.Requests, r => r.Method == "POST" && r.Path.EndsWith("/recordings", StringComparison.Ordinal) && r.Body.Contains(rtkMeetingId, StringComparison.Ordinal));
        Assert.Equal(rtkMeetingId, (string?)RtkTestKit.BodyOf(start)["meeting_id"]);
        Assert.Single(simulator.Sim.State.Requests, r => r.Method == "PUT" && r.Path.EndsWith($"/recordings/{started["recordingId"]}", StringComparison.Ordinal) && r.Body.Contains("stop", StringComparison.Ordinal));
        Assert.NotEmpty(calls);
        var log = await MeetingTestKit.AuditAsync(client, owner, meetingId);
        Assert.Equal(
            [
                (AuditActions.RecordingStop, AuditOutcomes.Failed), (AuditActions.RecordingStop, AuditOutcomes.Succeeded),
                (AuditActions.RecordingStart, AuditOutcomes.Failed), (AuditActions.RecordingStart, AuditOutcomes.Succeeded),
                (AuditActions.RecordingStart, AuditOutcomes.Failed),
            ],
            log.Select(e => ((string)e!["action"]!, (string)e["outcome"]!)));
    }

    [Fact]
    public async Task LivestreamStartsOnlyInALiveSessionAndStopsOnce()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var (meetingId, rtkMeetingId) = await MeetingTestKit.CreateStartedAsync(client, owner, meetingType: "livestream");

        var early = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/livestream/start", token: owner.AccessToken);
        await MeetingTestKit.JoinLiveAsync(client, simulator.Sim, owner, meetingId);
        var started = await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/livestream/start", token: owner.AccessToken));
        var twice = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/livestream/start", token: owner.AccessToken);
        var stopped = await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/livestream/stop", token: owner.AccessToken));
        var again = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/livestream/stop", token: owner.AccessToken);

        Assert.Equal(HostControlErrors.NoActiveSession, await CodeAsync(early, HttpStatusCode.Conflict));
        Assert.Equal(HostControlErrors.LivestreamRunning, await CodeAsync(twice, HttpStatusCode.Conflict));
        Assert.Equal(HostControlErrors.NoLivestream, await CodeAsync(again, HttpStatusCode.Conflict));
        Assert.EndsWith(".m3u8", (string?)started["playbackUrl"]);
        Assert.Null(started["streamKey"]);
        Assert.Equal((string?)started["livestreamId"], (string?)stopped["livestreamId"]);
        var calls = MeetingTestKit.RtkCalls(simulator.Sim, rtkMeetingId);
        Assert.Single(calls, r => r.Method == "POST" && r.Path.EndsWith($"/meetings/{rtkMeetingId}/livestreams", StringComparison.Ordinal));
        Assert.Single(calls, r => r.Method == "POST" && r.Path.EndsWith($"/meetings/{rtkMeetingId}/active-livestream/stop", StringComparison.Ordinal));
        var log = await MeetingTestKit.AuditAsync(client, owner, meetingId);
        Assert.Equal(
            [AuditActions.LivestreamStop, AuditActions.LivestreamStop, AuditActions.LivestreamStart, AuditActions.LivestreamStart, AuditActions.LivestreamStart],
            log.Select(e => (string?)e!["action"]));
    }

    [Fact]
    public async Task EveryRouteFollowsTheRbacMatrixAndRefusalsAreAudited()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var host = await AuthTestKit.AddUserAsync(client, owner, "host");
        var otherHost = await AuthTestKit.AddUserAsync(client, owner, "host");
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var outsider = await AuthTestKit.RegisterAsync(client);
        var (meetingId, _) = await MeetingTestKit.CreateStartedAsync(client, host);
        var (participantId, _) = await MeetingTestKit.JoinAsync(client, member, meetingId);

        var routes = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, "participants", null),
            (HttpMethod.Post, $"participants/{participantId}/kick", null),
            (HttpMethod.Patch, $"participants/{participantId}", new { role = "member" }),
            (HttpMethod.Post, "lock", null),
            (HttpMethod.Post, "unlock", null),
            (HttpMethod.Post, "recording/start", null),
            (HttpMethod.Post, "recording/stop", null),
            (HttpMethod.Post, "livestream/start", null),
            (HttpMethod.Post, "livestream/stop", null),
            (HttpMethod.Get, "audit", null),
        };
        foreach (var (method, path, body) in routes)
        {
            var byMember = await client.SendAsync(method, $"/api/meetings/{meetingId}/{path}", body, member.AccessToken);
            var byOtherHost = await client.SendAsync(method, $"/api/meetings/{meetingId}/{path}", body, otherHost.AccessToken);
            var byOutsider = await client.SendAsync(method, $"/api/meetings/{meetingId}/{path}", body, outsider.AccessToken);
            var anonymous = await client.SendAsync(method, $"/api/meetings/{meetingId}/{path}", body);

            await byMember.ProblemAsync(HttpStatusCode.Forbidden);
            Assert.Equal(HostControlErrors.Forbidden, await CodeAsync(byOtherHost, HttpStatusCode.Forbidden));
            await byOutsider.ProblemAsync(HttpStatusCode.NotFound);
            await anonymous.ProblemAsync(HttpStatusCode.Unauthorized);
        }

        // The other host's refused actions are on the record; reads, the member's (refused by role) and the outsider's are not.
        var log = await MeetingTestKit.AuditAsync(client, owner, meetingId);
        Assert.Equal(8, log.Count);
        Assert.All(log, e =>
        {
            Assert.Equal(AuditOutcomes.Denied, (string?)e!["outcome"]);
            Assert.Equal(otherHost.UserId.ToString(), (string?)e["actorUserId"]);
        });
        // The meeting's host and the owner pass the same gate.
        await OkAsync(await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/participants", token: host.AccessToken));
        await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/lock", token: owner.AccessToken));
        var audit = await client.SendAsync(HttpMethod.Get, $"/api/meetings/{Guid.NewGuid()}/audit", token: owner.AccessToken);
        await audit.ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RtkTroubleIsAServiceUnavailableProblemAndIsAudited()
    {
        await using var app = NewApp().WithSetting("Rtk:MaxRetries", "0");
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        var (meetingId, _) = await MeetingTestKit.CreateStartedAsync(client, owner);
        var (participantId, _) = await MeetingTestKit.JoinLiveAsync(client, simulator.Sim, member, meetingId);

        simulator.Sim.State.Faults.FailNext(1, 503);
        var down = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/recording/start", token: owner.AccessToken);
        simulator.Sim.State.Faults.FailNext(1, 400);
        var refused = await client.SendAsync(HttpMethod.Patch, $"/api/meetings/{meetingId}/participants/{participantId}", new { role = "host" }, owner.AccessToken);
        simulator.Sim.State.Faults.Reset();

        Assert.Equal("rtk_unavailable", await CodeAsync(down, HttpStatusCode.ServiceUnavailable));
        Assert.Equal("rtk_rejected", await CodeAsync(refused, HttpStatusCode.ServiceUnavailable));
        var log = await MeetingTestKit.AuditAsync(client, owner, meetingId);
        Assert.Equal(
            [(AuditActions.ChangeRole, "rtk_rejected"), (AuditActions.RecordingStart, "rtk_unavailable")],
            log.Select(e => ((string)e!["action"]!, (string?)e["code"])));
        Assert.All(log, e => Assert.Equal(AuditOutcomes.Failed, (string?)e!["outcome"]));
    }

    [Fact]
    public async Task EndingForEveryoneIsOnTheRecord()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var host = await AuthTestKit.AddUserAsync(client, owner, "host");
        var otherHost = await AuthTestKit.AddUserAsync(client, owner, "host");
        var outsider = await AuthTestKit.RegisterAsync(client);
        var (meetingId, rtkMeetingId) = await MeetingTestKit.CreateStartedAsync(client, host);
        await MeetingTestKit.JoinLiveAsync(client, simulator.Sim, host, meetingId);

        var refused = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/end", token: otherHost.AccessToken);
        var hidden = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/end", token: outsider.AccessToken);
        var ended = await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/end", token: host.AccessToken));
        var again = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/end", token: host.AccessToken);

        var denied = await CodeAsync(refused, HttpStatusCode.Forbidden);
        await hidden.ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("ended", (string?)ended["status"]);
        var illegal = await CodeAsync(again, HttpStatusCode.Conflict);
        Assert.Single(MeetingTestKit.RtkCalls(simulator.Sim, rtkMeetingId), r => r.Path.EndsWith("/active-session/kick-all", StringComparison.Ordinal));
        var log = await MeetingTestKit.AuditAsync(client, owner, meetingId);
        Assert.Equal(
            [(AuditOutcomes.Failed, illegal), (AuditOutcomes.Succeeded, null), (AuditOutcomes.Denied, denied)],
            log.Select(e => ((string)e!["outcome"]!, (string?)e["code"])));
        Assert.All(log, e => Assert.Equal(AuditActions.End, (string?)e!["action"]));
    }

    [Fact]
    public async Task TheAuditLogPagesNewestFirst()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var (meetingId, _) = await MeetingTestKit.CreateStartedAsync(client, owner);
        for (var i = 0; i < 5; i++)
        {
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            await OkAsync(await client.SendAsync(HttpMethod.Post, $"/api/meetings/{meetingId}/{(i % 2 == 0 ? "lock" : "unlock")}", token: owner.AccessToken));
        }

        var times = new List<DateTimeOffset>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await OkAsync(await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/audit?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), token: owner.AccessToken));
            times.AddRange(page["entries"]!.AsArray().Select(e => (DateTimeOffset)e!["at"]!));
            cursor = (string?)page["nextCursor"];
            pages++;
        }
        while (cursor is not null);
        var bad = await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/audit?limit=500&cursor=abc", token: owner.AccessToken);

        Assert.Equal(3, pages);
        Assert.Equal(5, times.Count);
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.Equal(5, times.Distinct().Count());
        Assert.Equal(["cursor", "limit"], (await bad.ProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key).Order());
    }
}
