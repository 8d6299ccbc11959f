using System.Net;
using System.Text.Json.Nodes;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Meetings;

public class MeetingsApiTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    [Fact]
    public async Task CreateAnswers201WithTheMeetingResource()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var response = await client.SendAsync(HttpMethod.Post, "/api/meetings", new
        {
            title = "  Design review ",
            description = "Q1 plans",
            meetingType = "webinar",
            schedulingType = "scheduled",
            scheduledStart = "2026-01-06T10:00:00+01:00",
            scheduledEnd = "2026-01-06T11:00:00+01:00",
            timezone = "Europe/Berlin",
            guestAccess = "open",
            waitingRoomEnabled = false,
            recordingAutoStart = true,
            transcriptionEnabled = true,
            maxParticipants = 40,
            memberAccess = "invited",
        }, owner.AccessToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var m = await response.JsonAsync();
        var slug = (string)m["slug"]!;
        Assert.Matches("^[a-z0-9]{10}$", slug);
        Assert.Equal($"/{owner.OrgSlug}/m/{slug}", (string?)m["joinUrl"]);
        Assert.Equal($"/api/meetings/{m["id"]}", response.Headers.Location?.OriginalString);
        Assert.Equal("scheduled", (string?)m["status"]);
        Assert.Equal("Design review", (string?)m["title"]);
        Assert.Equal("Q1 plans", (string?)m["description"]);
        Assert.Equal("webinar", (string?)m["meetingType"]);
        Assert.Equal("scheduled", (string?)m["schedulingType"]);
        Assert.Equal(DateTimeOffset.Parse("2026-01-06T09:00:00Z"), DateTimeOffset.Parse((string)m["scheduledStart"]!));
        Assert.Equal("Europe/Berlin", (string?)m["timezone"]);
        Assert.Equal("open", (string?)m["guestAccess"]);
        Assert.False((bool)m["waitingRoomEnabled"]!);
        Assert.True((bool)m["recordingAutoStart"]!);
        Assert.True((bool)m["transcriptionEnabled"]!);
        Assert.Equal(40, (int)m["maxParticipants"]!);
        Assert.Equal("invited", (string?)m["memberAccess"]);
        Assert.Null(m["rtkMeetingId"]);
        Assert.Equal(owner.UserId.ToString(), (string?)m["hostUserId"]);
        Assert.False((bool)m["locked"]!);

        var read = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{m["id"]}", token: owner.AccessToken)).JsonAsync();
        Assert.Equal(m.ToJsonString(), read.ToJsonString());
    }

    [Fact]
    public async Task StartCreatesTheRtkMeetingWithItsSettingsThenPatchesItActive()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.CreateMeetingAsync(owner, new { title = "Standup", recordingAutoStart = true, transcriptionEnabled = true });
        Assert.Equal("draft", (string?)meeting["status"]);
        var mark = simulator.Sim.Mark();

        var started = await client.TransitionAsync(owner, meeting, "start");

        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        var m = await started.JsonAsync();
        Assert.Equal("active", (string?)m["status"]);
        var rtkId = (string)m["rtkMeetingId"]!;
        var create = Assert.Single(simulator.Sim.Calls("POST", "/meetings", mark));
        var body = MeetingTestKit.Body(create);
        Assert.Equal("Standup", (string?)body["title"]);
        Assert.True((bool)body["record_on_start"]!);
        Assert.True((bool)body["persist_chat"]!);
        Assert.True((bool)body["summarize_on_end"]!);
        Assert.Equal(60, (int)body["session_keep_alive_time_in_secs"]!);
        Assert.NotNull(body["ai_config"]!["transcription"]);
        Assert.False(body.ContainsKey("status"));
        var patch = Assert.Single(simulator.Sim.Calls("PATCH", "/meetings/" + rtkId, mark));
        Assert.Equal("ACTIVE", (string?)MeetingTestKit.Body(patch)["status"]);
        Assert.True(simulator.Sim.State.Requests.ToList().IndexOf(create) < simulator.Sim.State.Requests.ToList().IndexOf(patch));
        var found = await app.Services.GetRequiredService<Castio.Core.Meetings.MeetingStore>().FindByRtkMeetingIdAsync(rtkId, Ct);
        Assert.Equal(Guid.Parse((string)m["id"]!), found!.MeetingId);
        Assert.Equal(owner.OrgId, found.OrgId);
        Assert.Null(found.OccurrenceId);
    }

    [Fact]
    public async Task EndKicksEveryoneThenSetsTheRtkMeetingInactive()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.CreateMeetingAsync(owner);
        var rtkId = (string)(await (await client.TransitionAsync(owner, meeting, "start")).JsonAsync())["rtkMeetingId"]!;
        var mark = simulator.Sim.Mark();

        var ended = await client.TransitionAsync(owner, meeting, "end");

        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        var m = await ended.JsonAsync();
        Assert.Equal("ended", (string?)m["status"]);
        Assert.NotNull(m["actualEnd"]);
        var calls = simulator.Sim.State.Requests.Skip(mark).Where(r => r.Path.Contains(rtkId, StringComparison.Ordinal)).ToList();
        Assert.Equal(["POST", "PATCH"], calls.Select(c => c.Method));
        Assert.EndsWith("/active-session/kick-all", calls[0].Path);
        Assert.Equal("INACTIVE", (string?)MeetingTestKit.Body(calls[1])["status"]);
    }

    [Theory]
    [InlineData("draft", "end")]
    [InlineData("active", "start")]
    [InlineData("ended", "start")]
    [InlineData("ended", "end")]
    [InlineData("cancelled", "start")]
    [InlineData("cancelled", "end")]
    [InlineData("cancelled", "cancel")]
    public async Task IllegalTransitionsAreAConflictAndCallNoRtk(string state, string action)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.CreateMeetingAsync(owner);
        foreach (var step in state switch { "active" => ["start"], "ended" => ["start", "end"], "cancelled" => ["cancel"], _ => Array.Empty<string>() })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.TransitionAsync(owner, meeting, step)).StatusCode);
        }

        var mark = simulator.Sim.Mark();
        var response = await client.TransitionAsync(owner, meeting, action);

        var problem = await response.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("meeting.illegal_transition", (string?)problem["code"]);
        Assert.Empty(simulator.Sim.State.Requests.Skip(mark));
        var read = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meeting["id"]}", token: owner.AccessToken)).JsonAsync();
        Assert.Equal(state, (string?)read["status"]);
    }

    [Theory]
    [InlineData("draft")]
    [InlineData("scheduled")]
    [InlineData("active")]
    [InlineData("ended")]
    public async Task AnyStateButCancelledCanBeCancelled(string state)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = state == "scheduled"
            ? await client.CreateMeetingAsync(owner, new { title = "Later", schedulingType = "scheduled", scheduledStart = "2026-01-07T09:00:00Z", scheduledEnd = "2026-01-07T10:00:00Z" })
            : await client.CreateMeetingAsync(owner);
        foreach (var step in state switch { "active" => ["start"], "ended" => ["start", "end"], _ => Array.Empty<string>() })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.TransitionAsync(owner, meeting, step)).StatusCode);
        }

        var rtkId = (string?)(await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meeting["id"]}", token: owner.AccessToken)).JsonAsync())["rtkMeetingId"];
        var mark = simulator.Sim.Mark();

        var cancelled = await client.TransitionAsync(owner, meeting, "cancel");

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (string?)(await cancelled.JsonAsync())["status"]);
        var calls = simulator.Sim.State.Requests.Skip(mark).ToList();
        if (rtkId is null)
        {
            Assert.Empty(calls);
        }
        else
        {
            var patch = Assert.Single(calls);
            Assert.Equal("PATCH", patch.Method);
            Assert.EndsWith("/meetings/" + rtkId, patch.Path);
            Assert.Equal("INACTIVE", (string?)MeetingTestKit.Body(patch)["status"]);
        }
    }

    [Fact]
    public async Task ConcurrentStartsOfOneMeetingHaveExactlyOneWinnerAndOneRtkMeeting()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.CreateMeetingAsync(owner);
        var mark = simulator.Sim.Mark();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.TransitionAsync(owner, meeting, "start")));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Single(simulator.Sim.Calls("POST", "/meetings", mark));
    }

    [Theory]
    [InlineData("end")]
    [InlineData("cancel")]
    public async Task ConcurrentEndsOrCancelsOfAnActiveMeetingHaveExactlyOneWinner(string action)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.CreateMeetingAsync(owner);
        var rtkId = (string)(await (await client.TransitionAsync(owner, meeting, "start")).JsonAsync())["rtkMeetingId"]!;
        var mark = simulator.Sim.Mark();

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.TransitionAsync(owner, meeting, action)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Single(simulator.Sim.Calls("PATCH", "/meetings/" + rtkId, mark));
    }

    [Fact]
    public async Task StartingPastTheOrgsConcurrentMeetingCapIsA429NamingTheCap()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, "/api/org/settings", new { maxConcurrentMeetings = 1 }, owner.AccessToken)).StatusCode);
        var first = await client.CreateMeetingAsync(owner);
        var second = await client.CreateMeetingAsync(owner);
        Assert.Equal(HttpStatusCode.OK, (await client.TransitionAsync(owner, first, "start")).StatusCode);
        var mark = simulator.Sim.Mark();

        var refused = await client.TransitionAsync(owner, second, "start");

        var problem = await refused.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("meeting.concurrent_meetings_cap", (string?)problem["code"]);
        Assert.Contains("maxConcurrentMeetings", (string?)problem["detail"]);
        Assert.Empty(simulator.Sim.State.Requests.Skip(mark));
        // Ending the first frees its slot.
        Assert.Equal(HttpStatusCode.OK, (await client.TransitionAsync(owner, first, "end")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.TransitionAsync(owner, second, "start")).StatusCode);
    }

    [Fact]
    public async Task RbacMatrixForCreateReadEditAndLifecycle()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);

        // Create: owner, admin, host yes; member no.
        foreach (var who in new[] { org.Owner, org.Admin, org.Host })
        {
            await client.CreateMeetingAsync(who);
        }

        var memberCreate = await client.SendAsync(HttpMethod.Post, "/api/meetings", new { title = "x" }, org.Member.AccessToken);
        await memberCreate.ProblemAsync(HttpStatusCode.Forbidden);

        var hostsOwn = await client.CreateMeetingAsync(org.Host, new { title = "Host's" });
        var inviteOnly = await client.CreateMeetingAsync(org.Host, new { title = "Private", memberAccess = "invited" });
        var path = $"/api/meetings/{hostsOwn["id"]}";

        // Another host may read but not edit, start or cancel.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, path, token: org.OtherHost.AccessToken)).StatusCode);
        Assert.Equal("meeting.forbidden", (string?)(await (await client.SendAsync(HttpMethod.Patch, path, new { title = "Mine now" }, org.OtherHost.AccessToken)).ProblemAsync(HttpStatusCode.Forbidden))["code"]);
        await (await client.TransitionAsync(org.OtherHost, hostsOwn, "start")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await client.TransitionAsync(org.OtherHost, hostsOwn, "cancel")).ProblemAsync(HttpStatusCode.Forbidden);

        // Members read org-open meetings only and manage none.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, path, token: org.Member.AccessToken)).StatusCode);
        await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{inviteOnly["id"]}", token: org.Member.AccessToken)).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.SendAsync(HttpMethod.Patch, path, new { title = "x" }, org.Member.AccessToken)).ProblemAsync(HttpStatusCode.Forbidden);
        await (await client.TransitionAsync(org.Member, hostsOwn, "start")).ProblemAsync(HttpStatusCode.Forbidden);
        var memberList = await (await client.SendAsync(HttpMethod.Get, "/api/meetings?limit=100", token: org.Member.AccessToken)).JsonAsync();
        Assert.DoesNotContain(memberList["meetings"]!.AsArray(), m => (string?)m!["id"] == (string?)inviteOnly["id"]);
        Assert.Contains(memberList["meetings"]!.AsArray(), m => (string?)m!["id"] == (string?)hostsOwn["id"]);

        // The host edits, admin and owner manage any.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, path, new { title = "Renamed" }, org.Host.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, path, new { title = "By admin" }, org.Admin.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.TransitionAsync(org.Admin, hostsOwn, "start")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.TransitionAsync(org.Owner, hostsOwn, "end")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.TransitionAsync(org.Owner, inviteOnly, "cancel")).StatusCode);
    }

    [Fact]
    public async Task AnotherOrgsMeetingIsNotFoundOnEveryRoute()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var mine = await AuthTestKit.RegisterAsync(client);
        var theirs = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.CreateMeetingAsync(theirs);
        var path = $"/api/meetings/{meeting["id"]}";

        await (await client.SendAsync(HttpMethod.Get, path, token: mine.AccessToken)).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.SendAsync(HttpMethod.Patch, path, new { title = "x" }, mine.AccessToken)).ProblemAsync(HttpStatusCode.NotFound);
        foreach (var action in new[] { "start", "end", "cancel" })
        {
            var problem = await (await client.TransitionAsync(mine, meeting, action)).ProblemAsync(HttpStatusCode.NotFound);
            Assert.Equal("meeting.not_found", (string?)problem["code"]);
        }

        var list = await (await client.SendAsync(HttpMethod.Get, "/api/meetings", token: mine.AccessToken)).JsonAsync();
        Assert.Empty(list["meetings"]!.AsArray());
        Assert.Equal("draft", (string?)(await (await client.SendAsync(HttpMethod.Get, path, token: theirs.AccessToken)).JsonAsync())["status"]);
    }

    [Fact]
    public async Task ListFiltersAndPagesWithACursor()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var ids = new List<string>();
        foreach (var type in new[] { "video", "audio", "video", "webinar", "video" })
        {
            ids.Add((string)(await client.CreateMeetingAsync(owner, new { title = type, meetingType = type }))["id"]!);
        }

        await client.TransitionAsync(owner, new JsonObject { ["id"] = ids[0] }, "start");

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await client.SendAsync(HttpMethod.Get, "/api/meetings?meetingType=video&limit=2" + (cursor is null ? "" : "&cursor=" + cursor), token: owner.AccessToken)).JsonAsync();
            seen.AddRange(page["meetings"]!.AsArray().Select(m => (string)m!["id"]!));
            Assert.All(page["meetings"]!.AsArray(), m => Assert.Equal("video", (string?)m!["meetingType"]));
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null);

        Assert.Equal([ids[0], ids[2], ids[4]], seen);
        var active = await (await client.SendAsync(HttpMethod.Get, "/api/meetings?status=active", token: owner.AccessToken)).JsonAsync();
        Assert.Equal(ids[0], (string?)Assert.Single(active["meetings"]!.AsArray())!["id"]);
        var instant = await (await client.SendAsync(HttpMethod.Get, "/api/meetings?schedulingType=permanent", token: owner.AccessToken)).JsonAsync();
        Assert.Empty(instant["meetings"]!.AsArray());
    }

    [Theory]
    [InlineData("""{"title":""}""", "title")]
    [InlineData("""{"title":"x","meetingType":"chat","schedulingType":"sometimes","guestAccess":"everyone","memberAccess":"all","maxParticipants":1}""",
        "guestAccess,maxParticipants,meetingType,memberAccess,schedulingType")]
    [InlineData("""{"title":"x","schedulingType":"scheduled","scheduledStart":"2026-01-06T10:00:00","scheduledEnd":"tomorrow","timezone":"Mars/Olympus"}""",
        "scheduledEnd,scheduledStart,timezone")]
    [InlineData("""{"title":"x","schedulingType":"scheduled","scheduledStart":"2025-01-06T10:00:00Z","scheduledEnd":"2025-01-06T09:00:00Z"}""",
        "scheduledEnd,scheduledStart")]
    [InlineData("""{"title":"x","schedulingType":"recurring","timezone":"Europe/Berlin"}""", "dtstart,durationMinutes,rrule")]
    [InlineData("""{"title":"x","schedulingType":"permanent","vanitySlug":"Not OK!"}""", "vanitySlug")]
    [InlineData("""{"title":"x","schedulingType":"permanent"}""", "vanitySlug")]
    [InlineData("""{"title":"x","vanitySlug":"standup"}""", "vanitySlug")]
    [InlineData("""{"title":"x","maxParticipants":"lots"}""", "maxParticipants")]
    [InlineData("""{"title":"x","waitingRoomEnabled":"maybe"}""", "waitingRoomEnabled")]
    [InlineData("""{"title":["x"]}""", "title")]
    public async Task BadCreateInputIsA400NamingEachField(string json, string fields)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var response = await client.SendAsync(HttpMethod.Post, "/api/meetings", JsonNode.Parse(json), owner.AccessToken);

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(fields.Split(','), MeetingTestKit.FieldsOf(problem));
    }

    [Fact]
    public async Task BadPatchListAndBodyInputIsA400NamingTheField()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.CreateMeetingAsync(owner);
        var path = $"/api/meetings/{meeting["id"]}";

        var patch = await (await client.SendAsync(HttpMethod.Patch, path, new { title = "", schedulingType = "permanent", guestAccess = "nobody" }, owner.AccessToken)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["guestAccess", "schedulingType", "title"], MeetingTestKit.FieldsOf(patch));
        var patchType = await (await client.SendAsync(HttpMethod.Patch, path, JsonNode.Parse("""{"maxParticipants":true}"""), owner.AccessToken)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["maxParticipants"], MeetingTestKit.FieldsOf(patchType));
        var list = await (await client.SendAsync(HttpMethod.Get, "/api/meetings?status=open&meetingType=chat&schedulingType=x&limit=0&cursor=zzz", token: owner.AccessToken)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["cursor", "limit", "meetingType", "schedulingType", "status"], MeetingTestKit.FieldsOf(list));
        var notJson = await client.SendAsync(HttpMethod.Post, "/api/meetings", new StringContent("{", System.Text.Encoding.UTF8, "application/json"), owner.AccessToken);
        Assert.Equal("request.invalid_json", (string?)(await notJson.ProblemAsync(HttpStatusCode.BadRequest))["code"]);
        // Unchanged by the refused edits.
        Assert.Equal("Weekly sync", (string?)(await (await client.SendAsync(HttpMethod.Get, path, token: owner.AccessToken)).JsonAsync())["title"]);
    }

    [Fact]
    public async Task PatchChangesOnlyTheGivenFieldsAndGuestAccessCanInheritAgain()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.CreateMeetingAsync(owner, new { title = "A", guestAccess = "disabled", maxParticipants = 10 });
        var path = $"/api/meetings/{meeting["id"]}";

        var patched = await (await client.SendAsync(HttpMethod.Patch, path, new { description = "now with text", waitingRoomEnabled = false }, owner.AccessToken)).JsonAsync();
        var inherited = await (await client.SendAsync(HttpMethod.Patch, path, new { guestAccess = "inherit" }, owner.AccessToken)).JsonAsync();

        Assert.Equal("A", (string?)patched["title"]);
        Assert.Equal("now with text", (string?)patched["description"]);
        Assert.False((bool)patched["waitingRoomEnabled"]!);
        Assert.Equal(10, (int)patched["maxParticipants"]!);
        Assert.Equal("disabled", (string?)patched["guestAccess"]);
        Assert.Null(inherited["guestAccess"]);
        Assert.Equal((string?)meeting["slug"], (string?)inherited["slug"]);
        await client.TransitionAsync(owner, meeting, "cancel");
        Assert.Equal("meeting.not_editable", (string?)(await (await client.SendAsync(HttpMethod.Patch, path, new { title = "B" }, owner.AccessToken)).ProblemAsync(HttpStatusCode.Conflict))["code"]);
    }
}
