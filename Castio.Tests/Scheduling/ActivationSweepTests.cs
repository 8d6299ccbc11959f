using System.Net;
using Castio.Core.Meetings;
using Castio.Core.Scheduling;
using Castio.LocalHost;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Meetings;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Castio.Tests.Scheduling;

/// <summary>The activation sweep over real storage and the RTK simulator. Most tests run it by hand with the timers off, so counts are exact.</summary>
public class ActivationSweepTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private CastioApplication NewApp(bool timers = false)
    {
        var app = new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);
        return timers ? app : app.WithoutTimers();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AScheduledMeetingStartsAtItsTimeOnceAndEndsPastTheOrgMaximum()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        await client.SendAsync(HttpMethod.Patch, "/api/org/settings", new { maxMeetingDurationMinutes = 60 }, org.Owner.AccessToken);
        var meeting = await app.CreateScheduledAsync(client, org.Host, new { title = "Review", schedulingType = "scheduled", scheduledStart = "2026-01-05T09:30:00Z", scheduledEnd = "2026-01-05T10:00:00Z" });

        var early = await app.SweepAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        var mark = simulator.Sim.Mark();
        var onTime = await app.SweepAsync();
        var active = await client.MeetingAsync(await client.AgainAsync(org.Host), meeting);
        var callsBefore = simulator.Sim.State.Requests.Count;
        var again = await app.SweepAsync();
        var callsAgain = simulator.Sim.State.Requests.Count - callsBefore;
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        var late = await app.SweepAsync();
        var ended = await client.MeetingAsync(await client.AgainAsync(org.Host), meeting);

        Assert.Equal((0, 0), (early.Due, early.Activated));
        Assert.Equal(1, onTime.Activated);
        Assert.Equal("active", (string?)active["status"]);
        Assert.NotNull((string?)active["rtkMeetingId"]);
        Assert.Single(simulator.Sim.Calls("POST", "/meetings", mark));
        Assert.Equal(0, again.Due);
        Assert.Equal(0, callsAgain);
        Assert.Equal(1, late.Ended);
        Assert.Equal("ended", (string?)ended["status"]);
        Assert.Contains(simulator.Sim.Calls("PATCH", "/meetings/" + (string)active["rtkMeetingId"]!, mark), r => r.Body.Contains("INACTIVE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EachOccurrenceGetsItsOwnRtkMeetingAtItsStart()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var meeting = await app.CreateScheduledAsync(client, org.Host, new
        {
            title = "Daily", schedulingType = "recurring", rrule = "FREQ=DAILY", dtstart = "2026-01-05T10:00:00", timezone = "Europe/London", durationMinutes = 15,
        });

        app.Clock.Advance(TimeSpan.FromHours(1));
        var mark = simulator.Sim.Mark();
        var first = await app.SweepAsync();
        var repeat = await app.SweepAsync();
        app.Clock.Advance(TimeSpan.FromDays(1));
        var second = await app.SweepAsync();
        var list = await client.OccurrencesAsync(await client.AgainAsync(org.Host), meeting, "?from=2026-01-05T00:00:00Z&to=2026-01-08T00:00:00Z");

        Assert.Equal(1, first.Activated);
        Assert.Equal(0, repeat.Activated);
        Assert.Equal(1, second.Activated);
        // The default org maximum (8 hours) ended the first one on the same sweep.
        Assert.Equal(1, second.Ended);
        Assert.Equal(["ended", "active", "scheduled"], list.Select(o => (string)o!["status"]!));
        var rtkIds = list.Take(2).Select(o => (string?)o!["rtkMeetingId"]).ToList();
        Assert.All(rtkIds, Assert.NotNull);
        Assert.NotEqual(rtkIds[0], rtkIds[1]);
        Assert.Equal(2, simulator.Sim.Calls("POST", "/meetings", mark).Count);
        Assert.All(rtkIds, id => Assert.Contains(simulator.Sim.Calls("PATCH", "/meetings/" + id, mark), r => r.Body.Contains("\"ACTIVE\"", StringComparison.Ordinal)));
        Assert.Contains(simulator.Sim.Calls("PATCH", "/meetings/" + rtkIds[0], mark), r => r.Body.Contains("INACTIVE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CancelledAndMovedOccurrencesStartWhenTheyShould()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var meeting = await app.CreateDailyAsync(client, org.Host, 3, 15);
        var occurrences = await client.OccurrencesAsync(org.Host, meeting);
        await client.SendAsync(HttpMethod.Delete, $"/api/schedule/{occurrences[0]!["id"]}", token: org.Host.AccessToken);
        await client.SendAsync(HttpMethod.Patch, $"/api/schedule/{occurrences[1]!["id"]}", new { scheduledStart = "2026-01-06T12:00:00Z" }, org.Host.AccessToken);

        app.Clock.Advance(TimeSpan.FromHours(1)); // 10:00 on the 5th: the cancelled one
        var cancelled = await app.SweepAsync();
        app.Clock.Advance(TimeSpan.FromDays(1)); // 10:00 on the 6th: the moved one's old time
        var oldTime = await app.SweepAsync();
        app.Clock.Advance(TimeSpan.FromHours(2)); // 12:00 on the 6th
        var newTime = await app.SweepAsync();
        var after = await client.OccurrencesAsync(await client.AgainAsync(org.Host), meeting, "?from=2026-01-05T00:00:00Z");

        Assert.Equal((0, 1), (cancelled.Activated, cancelled.Dropped));
        Assert.Equal(0, oldTime.Activated);
        Assert.Equal(1, newTime.Activated);
        Assert.Equal(["cancelled", "active", "scheduled"], after.Select(o => (string)o!["status"]!));
    }

    [Fact]
    public async Task WhenRtkIsDownTheItemWaitsForTheNextMinute()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var meeting = await app.CreateDailyAsync(client, org.Host, 2, 15);
        app.Clock.Advance(TimeSpan.FromHours(1));

        var down = await app.SweepWhileRtkDownAsync(simulator.Sim);

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var up = await app.SweepAsync();
        var list = await client.OccurrencesAsync(await client.AgainAsync(org.Host), meeting, "?from=2026-01-05T00:00:00Z");

        Assert.Equal((1, 0), (down.Retried, down.Activated));
        Assert.Equal(1, up.Activated);
        Assert.Equal("active", (string?)list[0]!["status"]);
    }

    [Fact]
    public async Task TheSweepExtendsASeriesAWeekLater()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var meeting = await app.CreateScheduledAsync(client, org.Host, new
        {
            title = "Weekly", schedulingType = "recurring", rrule = "FREQ=WEEKLY;BYDAY=FR", dtstart = "2026-01-09T16:00:00", timezone = "America/New_York", durationMinutes = 45,
        });
        var before = await client.OccurrencesAsync(org.Host, meeting, "?to=2026-03-01T00:00:00Z");

        app.Clock.Advance(TimeSpan.FromDays(7));
        var swept = await app.SweepAsync();
        var after = await client.OccurrencesAsync(await client.AgainAsync(org.Host), meeting, "?from=2026-01-05T00:00:00Z&to=2026-03-01T00:00:00Z");

        Assert.Equal(["2026-01-09T21:00:00Z", "2026-01-16T21:00:00Z", "2026-01-23T21:00:00Z", "2026-01-30T21:00:00Z"],
            before.Where(o => o!["id"] is not null).Select(o => (string)o!["startUtc"]!));
        Assert.Equal(1, swept.Materialized);
        Assert.Contains(after, o => (string?)o!["startUtc"] == "2026-02-06T21:00:00Z" && o["id"] is not null);
        // The 9 January occurrence passed while nothing swept: it is not started three days late.
        Assert.Equal(0, swept.Activated);
    }

    [Fact]
    public async Task TheTimerFunctionRunsTheSweepEveryMinute()
    {
        await using var app = NewApp(timers: true);
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var meeting = await app.CreateScheduledAsync(client, org.Host, new { title = "Timed", schedulingType = "scheduled", scheduledStart = "2026-01-05T09:02:00Z", scheduledEnd = "2026-01-05T10:00:00Z" });

        var status = await Eventually.GetAsync(async () =>
        {
            app.Clock.Advance(TimeSpan.FromMinutes(1));
            var m = await client.MeetingAsync(await client.AgainAsync(org.Host), meeting);
            return (string?)m["status"] == "active" ? "active" : null;
        }, TimeSpan.FromSeconds(30), Ct);

        Assert.Equal("active", status);
    }

    [Fact]
    public async Task DueItemsAreFoundByTimeAndRemovedOnce()
    {
        await using var app = NewApp();
        _ = app.BaseAddress;
        var index = app.Services.GetRequiredService<DueIndex>();
        var org = Guid.CreateVersion7();
        var t0 = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        var a = new DueItem(DueKind.Activate, org, Guid.CreateVersion7(), null, t0.AddSeconds(30));
        var b = new DueItem(DueKind.Activate, org, Guid.CreateVersion7(), Guid.CreateVersion7(), t0.AddMinutes(5));
        var c = new DueItem(DueKind.Materialize, org, Guid.CreateVersion7(), null, t0.AddDays(3));

        await index.AddManyAsync([a, b, c, a], Ct);
        await index.AddAsync(b, Ct);
        var atStart = await index.TakeDueAsync(t0, 100, Ct);
        var later = await index.TakeDueAsync(t0.AddMinutes(10), 100, Ct);
        await index.RemoveAsync(a, Ct);
        await index.RemoveAsync(a, Ct);
        var afterRemove = await index.TakeDueAsync(t0.AddMinutes(10), 100, Ct);

        Assert.Equal([a], atStart);
        Assert.Equal([a, b], later);
        Assert.Equal([b], afterRemove);
    }
}
