using System.Net;
using System.Text.Json.Nodes;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Meetings;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Scheduling;

/// <summary>Occurrences, their overrides and cancellations, the agenda and the calendar file, over HTTP.</summary>
public class OccurrenceApiTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    // The test clock starts Monday 2026-01-05 09:00Z; London is on GMT until 29 March.
    private static object Weekly(string title = "Standup", string memberAccess = "org") => new
    {
        title,
        schedulingType = "recurring",
        rrule = "FREQ=WEEKLY;BYDAY=MO,WE",
        dtstart = "2026-01-05T10:00:00",
        timezone = "Europe/London",
        durationMinutes = 30,
        memberAccess,
    };

    [Fact]
    public async Task ASeriesIsMaterializedFourWeeksAheadAndComputedBeyond()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var meeting = await app.CreateScheduledAsync(client, org.Host, Weekly());

        var near = await client.OccurrencesAsync(org.Host, meeting);
        var far = await client.OccurrencesAsync(org.Host, meeting, "?from=2026-01-05T00:00:00Z&to=2026-03-31T00:00:00Z");

        Assert.Equal(["2026-01-05T10:00:00Z", "2026-01-07T10:00:00Z", "2026-01-12T10:00:00Z", "2026-01-14T10:00:00Z",
            "2026-01-19T10:00:00Z", "2026-01-21T10:00:00Z", "2026-01-26T10:00:00Z", "2026-01-28T10:00:00Z"], near.Select(o => (string)o!["startUtc"]!));
        Assert.All(near, o => Assert.NotNull((string?)o!["id"]));
        Assert.All(near, o => Assert.Equal("scheduled", (string?)o!["status"]));
        Assert.Equal(25, far.Count);
        Assert.All(far.Skip(8), o => Assert.Null((string?)o!["id"]));
        // After the clocks change, 10:00 London is 09:00Z.
        Assert.Equal("2026-03-30T09:00:00Z", (string?)far[^1]!["startUtc"]);
        Assert.Equal("2026-03-30T10:00:00", (string?)far[^1]!["startLocal"]);
    }

    [Fact]
    public async Task MaterializingAgainAddsNothing()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var meeting = await app.CreateScheduledAsync(client, org.Host, Weekly());
        var before = await client.OccurrencesAsync(org.Host, meeting);

        await app.CreateScheduledAsync(client, org.Host, Weekly()); // another series, same org
        var schedules = app.Services.GetRequiredService<Castio.Core.Scheduling.ScheduleService>();
        var added = await schedules.MaterializeAsync(org.Owner.OrgId, Guid.Parse((string)meeting["id"]!), TestContext.Current.CancellationToken);
        var after = await client.OccurrencesAsync(org.Host, meeting);

        Assert.Equal(0, added);
        Assert.Equal(before.Select(o => (string?)o!["id"]), after.Select(o => (string?)o!["id"]));
    }

    [Fact]
    public async Task TheHostMovesRenamesAndCancelsOneOccurrence()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var meeting = await app.CreateScheduledAsync(client, org.Host, Weekly());
        var occurrences = await client.OccurrencesAsync(org.Host, meeting);
        var moved = (string)occurrences[2]!["id"]!;
        var cancelled = (string)occurrences[3]!["id"]!;

        var patch = await client.SendAsync(HttpMethod.Patch, $"/api/schedule/{moved}",
            new { scheduledStart = "2026-01-12T14:00:00+00:00", title = "Standup (afternoon)" }, org.Host.AccessToken);
        var delete = await client.SendAsync(HttpMethod.Delete, $"/api/schedule/{cancelled}", token: org.Host.AccessToken);
        var after = await client.OccurrencesAsync(org.Host, meeting);

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var view = await patch.JsonAsync();
        Assert.Equal("2026-01-12T14:00:00Z", (string?)view["startUtc"]);
        Assert.Equal("2026-01-12T14:30:00Z", (string?)view["endUtc"]);
        Assert.Equal("2026-01-12T10:00:00", (string?)view["originalStartLocal"]);
        Assert.True((bool)view["overridden"]!);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal("cancelled", (string?)(await delete.JsonAsync())["status"]);
        var m = after.Single(o => (string?)o!["id"] == moved)!;
        Assert.Equal("Standup (afternoon)", (string?)m["title"]);
        Assert.Equal("2026-01-12T14:00:00Z", (string?)m["startUtc"]);
        Assert.Equal("cancelled", (string?)after.Single(o => (string?)o!["id"] == cancelled)!["status"]);
    }

    [Theory]
    [InlineData("""{"scheduledStart":"2026-01-12T14:00:00"}""", "scheduledStart")]
    [InlineData("""{"scheduledStart":"2026-01-12T14:00:00Z","scheduledEnd":"2026-01-12T13:00:00Z"}""", "scheduledEnd")]
    [InlineData("""{"scheduledStart":"2026-01-12T14:00:00Z","scheduledEnd":"2026-01-14T13:00:00Z"}""", "scheduledEnd")]
    [InlineData("""{"title":"  "}""", "title")]
    [InlineData("""{}""", "scheduledStart")]
    public async Task ABadOverrideIsA400NamingTheField(string json, string field)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var meeting = await app.CreateScheduledAsync(client, org.Host, Weekly());
        var id = (string)(await client.OccurrencesAsync(org.Host, meeting))[1]!["id"]!;

        var response = await client.SendAsync(HttpMethod.Patch, $"/api/schedule/{id}", JsonNode.Parse(json), org.Host.AccessToken);

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal([field], MeetingTestKit.FieldsOf(problem));
    }

    [Fact]
    public async Task OnlyTheHostAdminsAndOwnerChangeOccurrencesAndOtherOrgsSeeNothing()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var stranger = await AuthTestKit.RegisterAsync(client);
        var meeting = await app.CreateScheduledAsync(client, org.Host, Weekly());
        var secret = await app.CreateScheduledAsync(client, org.Host, Weekly("Private", "invited"));
        var id = (string)(await client.OccurrencesAsync(org.Host, meeting))[1]!["id"]!;
        async Task<HttpStatusCode> Patch(Caller who) =>
            (await client.SendAsync(HttpMethod.Patch, $"/api/schedule/{id}", new { title = "By " + who.Email }, who.AccessToken)).StatusCode;

        Assert.Equal(HttpStatusCode.Forbidden, await Patch(org.Member));
        Assert.Equal(HttpStatusCode.Forbidden, await Patch(org.OtherHost));
        Assert.Equal(HttpStatusCode.NotFound, await Patch(stranger));
        Assert.Equal(HttpStatusCode.OK, await Patch(org.Host));
        Assert.Equal(HttpStatusCode.OK, await Patch(org.Admin));
        Assert.Equal(HttpStatusCode.OK, await Patch(org.Owner));
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Delete, $"/api/schedule/{id}", token: stranger.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meeting["id"]}/occurrences", token: stranger.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meeting["id"]}/calendar.ics", token: stranger.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meeting["id"]}/occurrences", token: org.Member.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{secret["id"]}/occurrences", token: org.Member.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Patch, $"/api/schedule/{Guid.CreateVersion7()}", new { title = "x" }, org.Owner.AccessToken)).StatusCode);
    }

    [Theory]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?from=2026-01-05T00:00:00Z&to=2026-01-04T00:00:00Z", "to")]
    [InlineData("?from=2026-01-05T00:00:00Z&to=2028-01-04T00:00:00Z", "to")]
    [InlineData("?to=2026-02-01", "to")]
    public async Task ABadOccurrenceRangeIsA400NamingTheField(string query, string field)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var meeting = await app.CreateScheduledAsync(client, org.Host, Weekly());

        var response = await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meeting["id"]}/occurrences{query}", token: org.Host.AccessToken);

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal([field], MeetingTestKit.FieldsOf(problem));
    }

    [Fact]
    public async Task TheAgendaListsMeetingsAndOccurrencesByStartForWhoMaySeeThem()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        await app.CreateScheduledAsync(client, org.Host, Weekly());
        await app.CreateScheduledAsync(client, org.OtherHost, Weekly("Private", "invited"));
        await app.CreateScheduledAsync(client, org.Owner, new { title = "Board", schedulingType = "scheduled", scheduledStart = "2026-01-06T15:00:00+01:00", scheduledEnd = "2026-01-06T16:00:00+01:00", timezone = "Europe/Paris" });
        async Task<JsonObject> Agenda(Caller who, string query) =>
            await (await client.SendAsync(HttpMethod.Get, "/api/schedule" + query, token: who.AccessToken)).JsonAsync();

        var owner = await Agenda(org.Owner, "?to=2026-01-08T00:00:00Z");
        var member = await Agenda(org.Member, "?to=2026-01-08T00:00:00Z");
        var mine = await Agenda(org.Host, "?to=2026-01-08T00:00:00Z&mine=true");
        var page1 = await Agenda(org.Owner, "?to=2026-01-08T00:00:00Z&limit=2");
        var page2 = await Agenda(org.Owner, $"?to=2026-01-08T00:00:00Z&limit=3&cursor={Uri.EscapeDataString((string)page1["nextCursor"]!)}");

        string[] Titles(JsonObject page) => [.. page["items"]!.AsArray().Select(i => $"{(string)i!["startUtc"]!} {(string)i["title"]!}")];
        Assert.Equal(["2026-01-05T10:00:00Z Private", "2026-01-05T10:00:00Z Standup", "2026-01-06T14:00:00Z Board", "2026-01-07T10:00:00Z Private", "2026-01-07T10:00:00Z Standup"],
            Titles(owner).Order(StringComparer.Ordinal));
        Assert.Equal(Titles(owner).OrderBy(t => t[..20], StringComparer.Ordinal).ToArray(), Titles(owner));
        Assert.Equal(["2026-01-05T10:00:00Z Standup", "2026-01-06T14:00:00Z Board", "2026-01-07T10:00:00Z Standup"], Titles(member));
        Assert.Equal(["2026-01-05T10:00:00Z Standup", "2026-01-07T10:00:00Z Standup"], Titles(mine));
        Assert.Equal(Titles(owner), Titles(page1).Concat(Titles(page2)).ToArray());
        Assert.Null((string?)owner["nextCursor"]);
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=201", "limit")]
    [InlineData("?from=soon", "from")]
    [InlineData("?to=2026-09-01T00:00:00Z", "to")]
    [InlineData("?cursor=abc", "cursor")]
    public async Task BadAgendaQueriesAreA400NamingTheField(string query, string field)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var response = await client.SendAsync(HttpMethod.Get, "/api/schedule" + query, token: owner.AccessToken);

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal([field], MeetingTestKit.FieldsOf(problem));
    }

    [Fact]
    public async Task TheCalendarCarriesTheRuleExceptionsAndOverrides()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var meeting = await app.CreateScheduledAsync(client, org.Host, Weekly());
        var occurrences = await client.OccurrencesAsync(org.Host, meeting);
        await client.SendAsync(HttpMethod.Patch, $"/api/schedule/{occurrences[2]!["id"]}", new { scheduledStart = "2026-01-12T14:00:00Z", title = "Moved" }, org.Host.AccessToken);
        await client.SendAsync(HttpMethod.Delete, $"/api/schedule/{occurrences[3]!["id"]}", token: org.Host.AccessToken);

        var response = await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meeting["id"]}/calendar.ics", token: org.Member.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        var ics = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Replace("\r\n ", "");
        Assert.Contains("BEGIN:VTIMEZONE", ics);
        Assert.Contains("DTSTART;TZID=Europe/London:20260105T100000", ics);
        Assert.Contains("RRULE:FREQ=WEEKLY;BYDAY=MO,WE", ics);
        Assert.Contains("EXDATE;TZID=Europe/London:20260114T100000", ics);
        Assert.Contains("RECURRENCE-ID;TZID=Europe/London:20260112T100000", ics);
        Assert.Contains("DTSTART;TZID=Europe/London:20260112T140000", ics);
        Assert.Contains("SUMMARY:Moved", ics);
        Assert.Equal(2, ics.Split("BEGIN:VEVENT").Length - 1);
        // What a calendar client does with it: the independent parse agrees on the series.
        var parsed = Ical.Net.Calendar.Load(ics)!;
        Assert.Equal(2, parsed.Events.Count);
    }

    [Fact]
    public async Task AScheduledMeetingsCalendarIsOneEventAndAnInstantMeetingHasNone()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await MeetingOrg.CreateAsync(client);
        var scheduled = await app.CreateScheduledAsync(client, org.Host, new { title = "Review", schedulingType = "scheduled", scheduledStart = "2026-07-01T09:00:00-04:00", scheduledEnd = "2026-07-01T10:00:00-04:00", timezone = "America/New_York" });
        var instant = await client.CreateMeetingAsync(org.Host, new { title = "Now" });

        var ics = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{scheduled["id"]}/calendar.ics", token: org.Host.AccessToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var none = await client.SendAsync(HttpMethod.Get, $"/api/meetings/{instant["id"]}/calendar.ics", token: org.Host.AccessToken);

        Assert.Contains("DTSTART;TZID=America/New_York:20260701T090000", ics);
        Assert.Contains("DTEND;TZID=America/New_York:20260701T100000", ics);
        var vevent = ics[ics.IndexOf("BEGIN:VEVENT", StringComparison.Ordinal)..ics.IndexOf("END:VEVENT", StringComparison.Ordinal)];
        Assert.DoesNotContain("RRULE", vevent);
        Assert.Contains("SUMMARY:Review", vevent);
        await none.ProblemAsync(HttpStatusCode.NotFound);
    }
}
