using System.Net;
using System.Text.Json.Nodes;
using Castio.Core.Meetings;
using Castio.Core.Scheduling;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Meetings;
using Castio.Tests.PostMeeting;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Scheduling;

/// <summary>
/// Active occurrences of recurring meetings count toward the org's concurrent-meetings cap, like meetings: over real
/// storage and the RTK simulator, with the sweep run by hand (timers off) so counts are exact. The clock starts at
/// 09:00 UTC on 5 January 2026.
/// </summary>
public class OccurrenceCapTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private const string CapCode = "meeting.concurrent_meetings_cap";

    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim).WithoutTimers();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<MeetingOrg> OrgWithCapAsync(HttpClient client, int cap, int? maxDurationMinutes = null)
    {
        var org = await MeetingOrg.CreateAsync(client);
        object settings = maxDurationMinutes is { } max ? new { maxConcurrentMeetings = cap, maxMeetingDurationMinutes = max } : new { maxConcurrentMeetings = cap };
        var patched = await client.SendAsync(HttpMethod.Patch, "/api/org/settings", settings, org.Owner.AccessToken);
        Assert.True(patched.StatusCode == HttpStatusCode.OK, await patched.Content.ReadAsStringAsync(Ct));
        return org;
    }

    /// <summary>An org allowed one meeting at a time, its daily series (two occurrences), and an instant meeting to compete for the slot.</summary>
    private static async Task<(MeetingOrg Org, JsonObject Series, JsonObject Instant)> AtCapOfOneAsync(
        CastioApplication app, HttpClient client, int? maxDurationMinutes = null, int durationMinutes = 60)
    {
        var org = await OrgWithCapAsync(client, cap: 1, maxDurationMinutes);
        var series = await app.CreateDailyAsync(client, org.Host, 2, durationMinutes);
        return (org, series, await client.CreateMeetingAsync(org.Host, new { title = "Instant" }));
    }

    private static async Task<JsonObject> FirstOccurrenceAsync(HttpClient client, Caller who, JsonObject series) =>
        (JsonObject)(await client.OccurrencesAsync(who, series, "?from=2026-01-05T00:00:00Z"))[0]!;

    private static async Task AssertCapProblemAsync(HttpResponseMessage response)
    {
        var problem = await response.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(CapCode, (string?)problem["code"]);
        Assert.Contains("maxConcurrentMeetings", (string?)problem["detail"]);
    }

    [Fact]
    public async Task AnOccurrenceDueAtTheCapWaitsUntilTheActiveMeetingEndsThenBlocksTheNextStart()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var (org, series, instant) = await AtCapOfOneAsync(app, client);
        var other = await client.CreateMeetingAsync(org.Host, new { title = "Another" });
        Assert.Equal(HttpStatusCode.OK, (await client.TransitionAsync(org.Host, instant, "start")).StatusCode);

        app.Clock.Advance(TimeSpan.FromHours(1)); // 10:00: the occurrence is due, the instant meeting holds the only slot
        var mark = simulator.Sim.Mark();
        var atCap = await app.SweepAsync();
        var host = await client.AgainAsync(org.Host);
        var waiting = await FirstOccurrenceAsync(client, host, series);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var stillAtCap = await app.SweepAsync();
        var rtkCallsWhileWaiting = simulator.Sim.Calls("POST", "/meetings", mark).Count;

        Assert.Equal(HttpStatusCode.OK, (await client.TransitionAsync(host, instant, "end")).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var freed = await app.SweepAsync();
        var started = await FirstOccurrenceAsync(client, host, series);
        var blocked = await client.TransitionAsync(host, other, "start");

        Assert.Equal((1, 0, 0), (atCap.AtCap, atCap.Activated, atCap.Dropped));
        Assert.Equal("scheduled", (string?)waiting["status"]);
        Assert.Equal(CapCode, (string?)waiting["waitingFor"]);
        Assert.Equal((1, 0, 0), (stillAtCap.AtCap, stillAtCap.Activated, stillAtCap.Dropped));
        Assert.Equal(0, rtkCallsWhileWaiting);
        Assert.Equal((1, 0), (freed.Activated, freed.AtCap));
        Assert.Equal("active", (string?)started["status"]);
        Assert.Null(started["waitingFor"]);
        Assert.NotNull((string?)started["rtkMeetingId"]);
        // The active occurrence holds the only slot: starting another meeting is the cap's 429.
        await AssertCapProblemAsync(blocked);
    }

    [Fact]
    public async Task TheHostsEndOfASeriesEndsItsRunningOccurrenceAndFreesItsSlot()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var (org, series, instant) = await AtCapOfOneAsync(app, client);
        var nothingRunning = await client.TransitionAsync(org.Host, series, "end");
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, (await app.SweepAsync()).Activated);
        var host = await client.AgainAsync(org.Host);
        var rtkMeetingId = (string)(await FirstOccurrenceAsync(client, host, series))["rtkMeetingId"]!;
        await AssertCapProblemAsync(await client.TransitionAsync(host, instant, "start"));
        var mark = simulator.Sim.Mark();

        var ended = await client.TransitionAsync(host, series, "end");
        var occurrence = await FirstOccurrenceAsync(client, host, series);
        var start = await client.TransitionAsync(host, instant, "start");

        Assert.Equal("meeting.illegal_transition", (string?)(await nothingRunning.ProblemAsync(HttpStatusCode.Conflict))["code"]);
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal("scheduled", (string?)(await ended.JsonAsync())["status"]);
        Assert.Equal("ended", (string?)occurrence["status"]);
        Assert.Contains(simulator.Sim.Calls("PATCH", "/meetings/" + rtkMeetingId, mark), r => r.Body.Contains("INACTIVE", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
    }

    [Fact]
    public async Task CancellingASeriesEndsItsRunningOccurrenceAndFreesItsSlot()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var (org, series, instant) = await AtCapOfOneAsync(app, client);
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, (await app.SweepAsync()).Activated);
        var host = await client.AgainAsync(org.Host);
        await AssertCapProblemAsync(await client.TransitionAsync(host, instant, "start"));

        var cancelled = await client.TransitionAsync(host, series, "cancel");
        var occurrence = await FirstOccurrenceAsync(client, host, series);
        var start = await client.TransitionAsync(host, instant, "start");

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("ended", (string?)occurrence["status"]);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
    }

    [Fact]
    public async Task TheSweepEndingAnOccurrencePastTheOrgMaximumFreesItsSlot()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var (org, series, instant) = await AtCapOfOneAsync(app, client, maxDurationMinutes: 60, durationMinutes: 30);
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, (await app.SweepAsync()).Activated);
        var whileActive = await client.TransitionAsync(await client.AgainAsync(org.Host), instant, "start");

        app.Clock.Advance(TimeSpan.FromMinutes(61));
        var late = await app.SweepAsync();
        var host = await client.AgainAsync(org.Host);
        var occurrence = await FirstOccurrenceAsync(client, host, series);
        var afterEnd = await client.TransitionAsync(host, instant, "start");

        await AssertCapProblemAsync(whileActive);
        Assert.Equal(1, late.Ended);
        Assert.Equal("ended", (string?)occurrence["status"]);
        Assert.Equal(HttpStatusCode.OK, afterEnd.StatusCode);
    }

    [Fact]
    public async Task AnOccurrenceWhoseRtkSessionEndedIsEndedAndFreesItsSlot()
    {
        // RTK's meeting.ended webhook, through the post-meeting work, as in production (timers on: the sweep may also run).
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var app = world.App;
        var client = world.Client;
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, "/api/org/settings", new { maxConcurrentMeetings = 1 }, world.Owner.AccessToken)).StatusCode);
        var series = await app.CreateDailyAsync(client, world.Owner, 2, 60);
        var instant = await client.CreateMeetingAsync(world.Owner, new { title = "Instant" });
        var owner = world.Owner;
        var occurrenceId = Guid.Parse((string)(await FirstOccurrenceAsync(client, owner, series))["id"]!);
        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.SweepAsync();
        // The timer's sweep may be the one that starts it: wait for it (from storage: polling the API would meet its rate limit).
        var occurrences = app.Services.GetRequiredService<OccurrenceStore>();
        var active = await Eventually.GetAsync(async () =>
            await occurrences.GetAsync(world.Owner.OrgId, occurrenceId, Ct) is { Status: OccurrenceStatus.Active } o ? o : null, TimeSpan.FromSeconds(30), Ct);
        var rtkMeetingId = active.RtkMeetingId!;
        owner = await client.AgainAsync(world.Owner);
        var whileActive = await client.TransitionAsync(owner, instant, "start");

        var ada = await world.AddParticipantAsync(rtkMeetingId, "Ada");
        var peer = await world.JoinAsync(ada.Token);
        await world.LeaveAsync((string)peer["peer_id"]!);
        var ended = await Eventually.GetAsync(async () =>
            await occurrences.GetAsync(world.Owner.OrgId, occurrenceId, Ct) is { Status: OccurrenceStatus.Ended } o ? o : null, TimeSpan.FromSeconds(60), Ct);
        var start = await client.TransitionAsync(owner, instant, "start");

        await AssertCapProblemAsync(whileActive);
        Assert.NotNull(ended.ActualEnd);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
    }

    [Fact]
    public async Task TwoSweepsAtOnceStartAnOccurrenceOnceAndItKeepsItsSlot()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var (org, series, instant) = await AtCapOfOneAsync(app, client);
        app.Clock.Advance(TimeSpan.FromHours(1));
        var mark = simulator.Sim.Mark();

        var sweeps = await Task.WhenAll(app.SweepAsync(), app.SweepAsync(), app.SweepAsync());
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var next = await app.SweepAsync();
        var host = await client.AgainAsync(org.Host);
        var occurrence = await FirstOccurrenceAsync(client, host, series);
        var start = await client.TransitionAsync(host, instant, "start");

        Assert.Equal(1, sweeps.Sum(r => r.Activated) + next.Activated);
        Assert.Single(simulator.Sim.Calls("POST", "/meetings", mark));
        Assert.Equal("active", (string?)occurrence["status"]);
        // Whichever sweep lost did not give back the winner's slot.
        await AssertCapProblemAsync(start);
    }

    [Fact]
    public async Task AnOccurrenceStillAtTheCapWhenItsTimeIsOverIsGivenUpAndSaysWhy()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var (org, series, instant) = await AtCapOfOneAsync(app, client, durationMinutes: 30);
        Assert.Equal(HttpStatusCode.OK, (await client.TransitionAsync(org.Host, instant, "start")).StatusCode);
        app.Clock.Advance(TimeSpan.FromHours(1));
        var atCap = await app.SweepAsync();

        app.Clock.Advance(TimeSpan.FromMinutes(30)); // 10:30: its scheduled end
        var over = await app.SweepAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var after = await app.SweepAsync();
        var occurrence = await FirstOccurrenceAsync(client, await client.AgainAsync(org.Host), series);

        Assert.Equal(1, atCap.AtCap);
        Assert.Equal((1, 0, 0), (over.Dropped, over.AtCap, over.Activated));
        Assert.Equal((0, 0), (after.Due, after.AtCap));
        Assert.Equal("scheduled", (string?)occurrence["status"]);
        Assert.Equal(CapCode, (string?)occurrence["waitingFor"]);
    }

    [Fact]
    public async Task AnOccurrenceRtkFailedToStartKeepsNoSlot()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var (org, series, instant) = await AtCapOfOneAsync(app, client);
        app.Clock.Advance(TimeSpan.FromHours(1));

        var down = await app.SweepWhileRtkDownAsync(simulator.Sim);

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var host = await client.AgainAsync(org.Host);
        var start = await client.TransitionAsync(host, instant, "start");
        var retried = await app.SweepAsync();
        var occurrence = await FirstOccurrenceAsync(client, host, series);

        Assert.Equal((1, 0), (down.Retried, down.Activated));
        // The failed attempt gave its slot back, so the instant meeting could take it; now the occurrence waits.
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        Assert.Equal((1, 0), (retried.AtCap, retried.Activated));
        Assert.Equal("scheduled", (string?)occurrence["status"]);
    }
}
