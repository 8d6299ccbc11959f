using System.Net;
using System.Text.Json.Nodes;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Joining;
using Castio.Tests.Meetings;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Scheduling;

/// <summary>
/// Joining a recurring series joins its running occurrence, each occurrence in its own RTK meeting; between
/// occurrences the series is not joinable. Sweeps run by hand; the clock starts at 09:00 UTC on 5 January 2026.
/// </summary>
public class OccurrenceJoinTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim).WithoutTimers();

    [Fact]
    public async Task JoiningASeriesJoinsItsRunningOccurrenceAndEachOccurrenceHasItsOwnRtkMeeting()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var series = await app.CreateDailyAsync(client, org.Host, 2, 30);

        var early = await client.JoinAsync(org.Member, series);
        var linkBefore = await (await client.SendAsync(HttpMethod.Get, "/api/public" + (string)series["joinUrl"]!)).JsonAsync();
        app.Clock.Advance(TimeSpan.FromHours(1)); // 10:00: the first occurrence is due
        Assert.Equal(1, (await app.SweepAsync()).Activated);
        var member = await client.AgainAsync(org.Member);
        var host = await client.AgainAsync(org.Host);
        var first = (JsonObject)(await client.OccurrencesAsync(host, series, "?from=2026-01-05T00:00:00Z"))[0]!;
        var joined = await client.JoinAsync(member, series);
        var joinedBody = await joined.JsonAsync();
        var linkDuring = await (await client.SendAsync(HttpMethod.Get, "/api/public" + (string)series["joinUrl"]!)).JsonAsync();

        Assert.Equal("join.meeting_not_active", (string?)(await early.ProblemAsync(HttpStatusCode.Conflict))["code"]);
        Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
        Assert.Equal((string?)first["rtkMeetingId"], (string?)joinedBody["rtkMeetingId"]);
        // The join link says what the join page needs: scheduled before, active while an occurrence runs.
        Assert.Equal(("scheduled", "active"), ((string?)linkBefore["status"], (string?)linkDuring["status"]));

        // The next day's occurrence is another RTK meeting: the same person joins it as a new RTK participant.
        app.Clock.Advance(TimeSpan.FromDays(1));
        await app.SweepAsync();
        member = await client.AgainAsync(member);
        host = await client.AgainAsync(host);
        var second = (JsonObject)(await client.OccurrencesAsync(host, series, "?from=2026-01-06T00:00:00Z"))[0]!;
        var again = await (await client.JoinAsync(member, series)).JsonAsync();

        Assert.Equal("active", (string?)second["status"]);
        Assert.NotEqual((string?)first["rtkMeetingId"], (string?)second["rtkMeetingId"]);
        Assert.Equal((string?)second["rtkMeetingId"], (string?)again["rtkMeetingId"]);
        Assert.Equal((string?)joinedBody["participantId"], (string?)again["participantId"]);
        Assert.NotEqual((string?)joinedBody["rtkAuthToken"], (string?)again["rtkAuthToken"]);
    }
}
