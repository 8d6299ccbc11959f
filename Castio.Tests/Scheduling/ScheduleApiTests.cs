using System.Net;
using System.Text.Json.Nodes;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;

namespace Castio.Tests.Scheduling;

public class ScheduleApiTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    [Fact]
    public async Task PreviewExpandsInTheZoneWithUtcAndLocalTimes()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");

        var response = await client.SendAsync(HttpMethod.Post, "/api/schedule/preview",
            new { rrule = "FREQ=WEEKLY;BYDAY=MO", dtstart = "2026-10-19T09:00:00", timezone = "America/New_York", limit = 3 }, member.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var occurrences = (await response.JsonAsync())["occurrences"]!.AsArray();
        Assert.Equal(["2026-10-19T13:00:00Z", "2026-10-26T13:00:00Z", "2026-11-02T14:00:00Z"], occurrences.Select(o => (string)o!["startUtc"]!));
        Assert.All(occurrences, o => Assert.EndsWith("T09:00:00", (string)o!["startLocal"]!));
    }

    [Fact]
    public async Task PreviewDefaultsToFiftyAndHonoursExceptions()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var all = await (await client.SendAsync(HttpMethod.Post, "/api/schedule/preview",
            new { rrule = "FREQ=DAILY", dtstart = "2026-01-01T09:00:00", timezone = "Asia/Kolkata" }, owner.AccessToken)).JsonAsync();
        var except = await (await client.SendAsync(HttpMethod.Post, "/api/schedule/preview",
            new { rrule = "FREQ=DAILY", dtstart = "2026-01-01T09:00:00", timezone = "Asia/Kolkata", limit = 2, exdates = new[] { "2026-01-02T09:00:00" } }, owner.AccessToken)).JsonAsync();

        Assert.Equal(50, all["occurrences"]!.AsArray().Count);
        Assert.Equal(["2026-01-01T09:00:00", "2026-01-03T09:00:00"], except["occurrences"]!.AsArray().Select(o => (string)o!["startLocal"]!));
    }

    [Theory]
    [InlineData("""{"rrule":"FREQ=HOURLY","dtstart":"2026-01-01T09:00:00","timezone":"UTC"}""", "rrule")]
    [InlineData("""{"rrule":"FREQ=SECONDLY","dtstart":"2026-01-01T09:00:00","timezone":"UTC"}""", "rrule")]
    [InlineData("""{"rrule":"FREQ=MONTHLY;BYMONTHDAY=30;BYMONTH=2","dtstart":"2026-01-01T09:00:00","timezone":"UTC"}""", "rrule")]
    [InlineData("""{"rrule":"FREQ=DAILY","dtstart":"2026-01-01T09:00:00","timezone":"Nowhere/Special"}""", "timezone")]
    [InlineData("""{"rrule":"FREQ=DAILY","dtstart":"2026-01-01T09:00:00Z","timezone":"UTC"}""", "dtstart")]
    [InlineData("""{"rrule":"FREQ=DAILY","dtstart":"2026-01-01T09:00:00","timezone":"UTC","limit":501}""", "limit")]
    [InlineData("""{"rrule":"FREQ=DAILY","dtstart":"2026-01-01T09:00:00","timezone":"UTC","limit":0}""", "limit")]
    [InlineData("""{}""", "dtstart,rrule,timezone")]
    public async Task BadPreviewInputIsA400NamingTheField(string json, string fields)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var response = await client.SendAsync(HttpMethod.Post, "/api/schedule/preview", JsonNode.Parse(json), owner.AccessToken);

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(fields.Split(','), problem["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Fact]
    public async Task PreviewNeedsASignedInCaller()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();

        var response = await client.SendAsync(HttpMethod.Post, "/api/schedule/preview", new { rrule = "FREQ=DAILY", dtstart = "2026-01-01T09:00:00", timezone = "UTC" });

        await response.ProblemAsync(HttpStatusCode.Unauthorized);
    }
}
