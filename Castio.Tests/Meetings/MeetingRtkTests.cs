using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Castio.Core.Meetings;
using Castio.Core.Orgs;
using Castio.Core.Rtk;
using Castio.RtkSimulator;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Meetings;

/// <summary>Permanent rooms, the public join-link view, and RTK failures between "RTK created" and "Castio stored".</summary>
public class MeetingRtkTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    /// <summary>Runs <paramref name="after"/> on every RTK exchange of the app, after RTK answered.</summary>
    private static CastioApplication Hook(CastioApplication app, Func<HttpRequestMessage, HttpResponseMessage, Task<HttpResponseMessage>> after) =>
        app.WithServices(s => s.AddHttpClient<RtkClient>().AddHttpMessageHandler(() => new AfterHandler(after)));

    private sealed class AfterHandler(Func<HttpRequestMessage, HttpResponseMessage, Task<HttpResponseMessage>> after) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            await after(request, await base.SendAsync(request, cancellationToken));
    }

    private static bool IsCreate(HttpRequestMessage r) => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath.EndsWith("/meetings", StringComparison.Ordinal);

    private static async Task<string> AppIdAsync(CastioApplication app, Caller owner) =>
        (await app.Services.GetRequiredService<OrgStore>().GetAsync(owner.OrgId, Ct))!.RtkAppId;

    private static Task<RtkMeeting> RtkMeetingAsync(RtkSimulatorHost sim, string appId, string id) => RtkTestKit.Client(sim).Meetings.GetAsync(appId, id, Ct);

    private static async Task<JsonObject> GetAsync(HttpClient client, Caller who, JsonObject meeting) =>
        await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meeting["id"]}", token: who.AccessToken)).JsonAsync();

    [Fact]
    public async Task APermanentRoomGetsItsRtkMeetingAtOnceInactiveAndReusesItForEveryJoin()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var mark = simulator.Sim.Mark();

        var room = await client.CreateMeetingAsync(owner, new { title = "Standup room", schedulingType = "permanent", vanitySlug = "Standup" });

        Assert.Equal("active", (string?)room["status"]);
        Assert.Equal("standup", (string?)room["vanitySlug"]);
        var rtkId = (string)room["rtkMeetingId"]!;
        Assert.Single(simulator.Sim.Calls("POST", "/meetings", mark));
        var inactive = Assert.Single(simulator.Sim.Calls("PATCH", "/meetings/" + rtkId, mark));
        Assert.Equal("INACTIVE", (string?)MeetingTestKit.Body(inactive)["status"]);
        var appId = await AppIdAsync(app, owner);
        Assert.Equal("INACTIVE", (await RtkMeetingAsync(simulator.Sim, appId, rtkId)).Status);

        var meetings = app.Services.GetRequiredService<MeetingService>();
        var id = Guid.Parse((string)room["id"]!);
        mark = simulator.Sim.Mark();
        var first = await meetings.EnsureActiveForJoinAsync(owner.OrgId, id, Ct);
        var second = await meetings.EnsureActiveForJoinAsync(owner.OrgId, id, Ct);
        Assert.Equal(rtkId, first.Value.RtkMeetingId);
        Assert.Equal(rtkId, second.Value.RtkMeetingId);
        // One PATCH ACTIVE for both joins: the second join costs no RTK call.
        var active = Assert.Single(simulator.Sim.State.Requests.Skip(mark));
        Assert.Equal("ACTIVE", (string?)MeetingTestKit.Body(active)["status"]);

        // The session ends (webhook): INACTIVE again, and the next join reactivates the same RTK meeting.
        Assert.True((await meetings.DeactivatePermanentRoomAsync(owner.OrgId, id, Ct)).Succeeded);
        Assert.Equal("INACTIVE", (await RtkMeetingAsync(simulator.Sim, appId, rtkId)).Status);
        Assert.Equal(rtkId, (await meetings.EnsureActiveForJoinAsync(owner.OrgId, id, Ct)).Value.RtkMeetingId);
        Assert.Equal("ACTIVE", (await RtkMeetingAsync(simulator.Sim, appId, rtkId)).Status);

        // Ending it by hand ends the session; the room stays open for the next join.
        var ended = await (await client.TransitionAsync(owner, room, "end")).JsonAsync();
        Assert.Equal("active", (string?)ended["status"]);
        Assert.Equal(rtkId, (string?)ended["rtkMeetingId"]);
        Assert.Single(simulator.Sim.Calls("POST", "/meetings", 0), r => r.Path.Contains(appId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task VanitySlugsAreUniquePerOrgOnly()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var other = await AuthTestKit.RegisterAsync(client);
        await client.CreateMeetingAsync(owner, new { title = "Room", schedulingType = "permanent", vanitySlug = "all-hands" });

        var again = await client.SendAsync(HttpMethod.Post, "/api/meetings", new { title = "Room 2", schedulingType = "permanent", vanitySlug = "all-hands" }, owner.AccessToken);
        var elsewhere = await client.SendAsync(HttpMethod.Post, "/api/meetings", new { title = "Theirs", schedulingType = "permanent", vanitySlug = "all-hands" }, other.AccessToken);

        var problem = await again.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("meeting.vanity_slug_taken", (string?)problem["code"]);
        Assert.Equal(["vanitySlug"], MeetingTestKit.FieldsOf(problem));
        Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);
    }

    [Fact]
    public async Task PublicResolveByMeetingOrVanitySlugRevealsOnlyWhatTheJoinPageNeeds()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var other = await AuthTestKit.RegisterAsync(client);
        var closed = await client.CreateMeetingAsync(owner, new { title = "Board", guestAccess = "disabled", description = "secret agenda" });
        var room = await client.CreateMeetingAsync(owner, new { title = "Lobby", schedulingType = "permanent", vanitySlug = "lobby", meetingType = "audio" });

        var bySlug = await client.SendAsync(HttpMethod.Get, $"/api/public/{owner.OrgSlug}/m/{closed["slug"]}");
        var byVanity = await client.SendAsync(HttpMethod.Get, $"/api/public/{owner.OrgSlug.ToUpperInvariant()}/m/LOBBY");

        Assert.Equal(HttpStatusCode.OK, bySlug.StatusCode);
        var a = await bySlug.JsonAsync();
        Assert.Equal(["branding", "guestAccess", "guestsMayJoin", "meetingType", "status", "title"], a.Select(p => p.Key).Order());
        Assert.Equal("disabled", (string?)a["guestAccess"]);
        Assert.Equal(["backgroundUrl", "brandColor", "faviconUrl", "logoUrl", "orgName", "theme"], a["branding"]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal("Board", (string?)a["title"]);
        Assert.False((bool)a["guestsMayJoin"]!);
        Assert.Equal("draft", (string?)a["status"]);
        var b = await byVanity.JsonAsync();
        Assert.Equal("Lobby", (string?)b["title"]);
        Assert.Equal("audio", (string?)b["meetingType"]);
        Assert.True((bool)b["guestsMayJoin"]!);
        Assert.Equal("link_only", (string?)b["guestAccess"]); // the org's default
        Assert.Equal("active", (string?)b["status"]);
        Assert.DoesNotContain((string)room["rtkMeetingId"]!, await byVanity.Content.ReadAsStringAsync(Ct));

        await (await client.SendAsync(HttpMethod.Get, $"/api/public/{owner.OrgSlug}/m/nosuchroom")).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.SendAsync(HttpMethod.Get, $"/api/public/{other.OrgSlug}/m/{closed["slug"]}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.SendAsync(HttpMethod.Get, $"/api/public/{owner.OrgSlug}/m/..%2f..")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PublicResolveIsRateLimitedPerClientAddress()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var path = $"/api/public/{owner.OrgSlug}/m/nosuchroom";

        for (var i = 0; i < Castio.Core.Abuse.RateLimitRules.ApiGeneral.Limit; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, path, address: "203.0.113.7")).StatusCode);
        }

        await (await client.SendAsync(HttpMethod.Get, path, address: "203.0.113.7")).ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, path, address: "203.0.113.8")).StatusCode);
    }

    [Fact]
    public async Task AnRtkFailureAfterCreateKeepsTheRtkMeetingForTheNextStart()
    {
        var armed = true;
        await using var app = Hook(NewApp().WithSetting("Rtk:MaxRetries", "0"), (request, response) =>
        {
            if (armed && IsCreate(request) && response.IsSuccessStatusCode)
            {
                armed = false;
                // The PATCH that follows fails as if RTK went down.
                simulator.Sim.State.Faults.FailNext(1, 503);
            }

            return Task.FromResult(response);
        });
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.CreateMeetingAsync(owner);
        var mark = simulator.Sim.Mark();

        var failed = await client.TransitionAsync(owner, meeting, "start");

        Assert.Equal("meeting.rtk_unavailable", (string?)(await failed.ProblemAsync(HttpStatusCode.ServiceUnavailable))["code"]);
        var stored = await GetAsync(client, owner, meeting);
        Assert.Equal("draft", (string?)stored["status"]);
        var rtkId = (string)stored["rtkMeetingId"]!;
        var retried = await client.TransitionAsync(owner, meeting, "start");
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(rtkId, (string?)(await retried.JsonAsync())["rtkMeetingId"]);
        Assert.Single(simulator.Sim.Calls("POST", "/meetings", mark));
        Assert.Equal("ACTIVE", (await RtkMeetingAsync(simulator.Sim, await AppIdAsync(app, owner), rtkId)).Status);
    }

    [Fact]
    public async Task AStoreFailureAfterRtkCreatedLeavesAnOrphanThatTheReconcilerDeactivates()
    {
        CastioApplication? self = null;
        Caller? who = null;
        JsonObject? target = null;
        var armed = true;
        await using var app = self = Hook(NewApp(), async (request, response) =>
        {
            if (armed && IsCreate(request) && response.IsSuccessStatusCode && target is not null)
            {
                armed = false;
                // The meeting row disappears while RTK creates its meeting, so Castio's write after the create fails.
                var table = self!.Tables.GetTableClient(self.Name(MeetingStore.MeetingsTable));
                await table.DeleteEntityAsync(who!.OrgId.ToString("D"), MeetingKeys.Meeting(Guid.Parse((string)target["id"]!)), Azure.ETag.All, Ct);
            }

            return response;
        });
        using var client = app.CreateHttpClient();
        who = await AuthTestKit.RegisterAsync(client);
        target = await client.CreateMeetingAsync(who);
        var mark = simulator.Sim.Mark();

        var failed = await client.TransitionAsync(who, target, "start");

        await failed.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Single(simulator.Sim.Calls("POST", "/meetings", mark));
        var appId = await AppIdAsync(app, who);
        // The org's own RTK app holds just this one meeting.
        var orphanId = Assert.Single((await RtkTestKit.Client(simulator.Sim).Meetings.ListAsync(appId, null, Ct)).Items).Id;
        var store = app.Services.GetRequiredService<MeetingStore>();
        Assert.NotNull(await store.FindByRtkMeetingIdAsync(orphanId, Ct));

        // Nothing is settled while the failed start could still be in flight...
        var early = await app.Services.GetRequiredService<MeetingReconciler>().ReconcileAsync(Ct);
        Assert.Equal(0, early.Deactivated);
        app.Clock.Advance(MeetingReconciler.Grace + TimeSpan.FromMinutes(1));
        var result = await app.Services.GetRequiredService<MeetingReconciler>().ReconcileAsync(Ct);

        Assert.Equal(1, result.Deactivated);
        Assert.Equal("INACTIVE", (await RtkMeetingAsync(simulator.Sim, appId, orphanId)).Status);
        Assert.Null(await store.FindByRtkMeetingIdAsync(orphanId, Ct));
        var intents = app.Tables.GetTableClient(app.Name(MeetingStore.IntentsTable)).QueryAsync<TableEntity>(cancellationToken: Ct);
        Assert.Empty(await intents.ToListAsync(Ct));
        Assert.Equal(new ReconcileResult(0, 0, 0, 0), await app.Services.GetRequiredService<MeetingReconciler>().ReconcileAsync(Ct));
    }

    [Fact]
    public async Task ALostCreateAnswerIsFoundByTheReconcilerAndAttachedToItsMeeting()
    {
        await using var app = new CastioApplication(azurite);
        // RTK's creation times must be on the app's clock for the reconciler's search window.
        await using var sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions { TimeProvider = app.Clock }, Ct);
        var armed = true;
        Hook(app.WithRtkSimulator(sim), (request, response) =>
        {
            if (armed && IsCreate(request) && response.IsSuccessStatusCode)
            {
                armed = false;
                throw new HttpRequestException("The connection dropped before the answer arrived.");
            }

            return Task.FromResult(response);
        });
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.CreateMeetingAsync(owner, new { title = "Lost and found" });

        var failed = await client.TransitionAsync(owner, meeting, "start");

        await failed.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Null((await GetAsync(client, owner, meeting))["rtkMeetingId"]);
        var appId = await AppIdAsync(app, owner);
        var created = Assert.Single((await RtkTestKit.Client(sim).Meetings.ListAsync(appId, null, Ct)).Items);
        app.Clock.Advance(MeetingReconciler.Grace + TimeSpan.FromMinutes(1));

        var result = await app.Services.GetRequiredService<MeetingReconciler>().ReconcileAsync(Ct);

        Assert.Equal(1, result.Attached);
        Assert.Equal(created.Id, (string?)(await GetAsync(client, owner, meeting))["rtkMeetingId"]);
        Assert.Equal("INACTIVE", (await RtkMeetingAsync(sim, appId, created.Id)).Status);
        var mark = sim.Mark();
        var started = await client.TransitionAsync(owner, meeting, "start");
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Empty(sim.Calls("POST", "/meetings", mark));
        Assert.Equal("ACTIVE", (await RtkMeetingAsync(sim, appId, created.Id)).Status);
    }

    [Fact]
    public async Task JoinHelpersRefuseWhatIsNotActiveAndFindTheOrgOfAMeetingId()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.CreateMeetingAsync(owner);
        var id = Guid.Parse((string)meeting["id"]!);
        var meetings = app.Services.GetRequiredService<MeetingService>();

        var refused = await meetings.EnsureActiveForJoinAsync(owner.OrgId, id, Ct);
        Assert.Equal(MeetingErrors.IllegalTransition, refused.Error?.Code);
        Assert.Equal(owner.OrgId, await app.Services.GetRequiredService<MeetingStore>().FindOrgAsync(id, Ct));
        Assert.Null(await app.Services.GetRequiredService<MeetingStore>().FindOrgAsync(Guid.CreateVersion7(), Ct));
        await client.TransitionAsync(owner, meeting, "start");
        var mark = simulator.Sim.Mark();
        var active = await meetings.EnsureActiveForJoinAsync(owner.OrgId, id, Ct);
        Assert.True(active.Succeeded);
        Assert.Empty(simulator.Sim.State.Requests.Skip(mark));

        var locked = await meetings.SetLockedAsync(new Castio.Core.Auth.CurrentUser(owner.UserId, owner.OrgId, Castio.Core.Auth.Role.Owner), id, true, Ct);
        Assert.True(locked.Value.Locked);
        Assert.True((bool)(await GetAsync(client, owner, meeting))["locked"]!);
    }
}
