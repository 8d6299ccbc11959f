using System.Net;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Joining;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Joining;

public class GuestJoinApiTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    [Theory]
    [InlineData("link_only", "disabled", HttpStatusCode.Forbidden)]
    [InlineData("disabled", null, HttpStatusCode.Forbidden)]
    [InlineData("disabled", "open", HttpStatusCode.OK)]
    [InlineData("disabled", "link_only", HttpStatusCode.OK)]
    [InlineData("open", null, HttpStatusCode.OK)]
    public async Task GuestAccessIsTheMeetingsSettingElseTheOrgs(string orgDefault, string? meetingSetting, HttpStatusCode expected)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        Assert.True((await client.SendAsync(HttpMethod.Patch, "/api/org/settings", new { guestAccessDefault = orgDefault }, owner.AccessToken)).IsSuccessStatusCode);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Join test", meetingType = "video", guestAccess = meetingSetting });

        var response = await client.GuestJoinAsync(meeting, new { displayName = "Gail Guest" });

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal(JoinErrors.GuestsDisabled, (string?)(await response.ProblemAsync(expected))["code"]);
        }
    }

    [Fact]
    public async Task AGuestGetsAHashedFourHourTokenAndARejoinWithItReusesTheParticipant()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Join test", meetingType = "video", guestAccess = "open" });
        var rtkMeetingId = (string)meeting["rtkMeetingId"]!;

        var first = await client.GuestJoinAsync(meeting, new { displayName = "<b>Gail</b> Guest", email = "Gail@Example.com" }).JoinedAsync();
        var guestToken = (string)first["guestToken"]!;
        var mark = simulator.Sim.Mark();
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        var again = await client.GuestJoinAsync(meeting, new { guestToken }, address: "203.0.113.9").JoinedAsync();

        Assert.Equal(TestClock.Start + JoinService.GuestTokenLifetime, DateTimeOffset.Parse((string)first["guestTokenExpiresAt"]!));
        Assert.Equal((string?)first["participantId"], (string?)again["participantId"]);
        Assert.Null(again["guestToken"]);
        Assert.Equal((string?)first["rtkAuthToken"], (string?)again["rtkAuthToken"]);
        Assert.Empty(simulator.Sim.CallsFor(rtkMeetingId, mark));
        var add = Assert.Single(simulator.Sim.CallsFor(rtkMeetingId), r => r.IsAddParticipant());
        Assert.Contains("\"name\":\"Gail Guest\"", add.Body, StringComparison.Ordinal);
        Assert.True((bool)first["meetingConfig"]!["guest"]!);

        // Only the token's SHA-256 is stored.
        var tokens = app.Tables.GetTableClient(app.Name(ParticipantStore.GuestTokensTable));
        var rows = await tokens.QueryAsync<TableEntity>(cancellationToken: Ct).ToListAsync(Ct);
        var row = Assert.Single(rows);
        Assert.Equal(TableKeys.Hash(guestToken), row.PartitionKey);
        Assert.DoesNotContain(rows.SelectMany(r => r.Select(kv => kv.Value)), v => v?.ToString()?.Contains(guestToken, StringComparison.Ordinal) == true);

        app.Clock.Advance(JoinService.GuestTokenLifetime);
        var expired = await (await client.GuestJoinAsync(meeting, new { guestToken })).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(JoinErrors.GuestTokenInvalid, (string?)expired["code"]);
    }

    [Fact]
    public async Task AGuestTokenOfOneMeetingDoesNotOpenAnother()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var one = await client.ActiveMeetingAsync(owner, new { title = "One", meetingType = "video", guestAccess = "open" });
        var two = await client.ActiveMeetingAsync(owner, new { title = "Two", meetingType = "video", guestAccess = "open" });

        var guest = await client.GuestJoinAsync(one, new { displayName = "Gail Guest" }).JoinedAsync();
        var other = await (await client.GuestJoinAsync(two, new { guestToken = (string)guest["guestToken"]! })).ProblemAsync(HttpStatusCode.Unauthorized);

        Assert.Equal(JoinErrors.GuestTokenInvalid, (string?)other["code"]);
    }

    [Theory]
    [InlineData("video", "link_only", "video_guest", true)]
    [InlineData("webinar", "link_only", "webinar_guest", true)]
    [InlineData("webinar", "open", "webinar_viewer", false)]
    [InlineData("video", "open", "video_guest_nowait", false)]
    [InlineData("video", "open", "video_guest", true, true)]
    [InlineData("audio", "open", "audio_guest_nowait", false)]
    public async Task LinkOnlyGuestsWaitAndOpenMeetingGuestsWaitOnlyWithTheWaitingRoomOn(string type, string access, string preset, bool waits, bool waitingRoom = false)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Join test", meetingType = type, guestAccess = access, waitingRoomEnabled = waitingRoom });

        var joined = await client.GuestJoinAsync(meeting, new { displayName = "Gail Guest" }).JoinedAsync();

        Assert.Equal(preset, (string?)joined["presetName"]);
        Assert.Equal(waits, (bool)joined["meetingConfig"]!["waitingRoom"]!);
        Assert.Contains(simulator.Sim.CallsFor((string)meeting["rtkMeetingId"]!), r => r.IsAddParticipant() && r.Body.Contains(preset, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OneAddressMayStartThreeGuestJoinsPerMeetingInFiveMinutes()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Join test", meetingType = "video", guestAccess = "open" });
        var other = await client.ActiveMeetingAsync(owner, new { title = "Other", meetingType = "video", guestAccess = "open" });
        const string address = "203.0.113.7";

        for (var i = 0; i < 3; i++)
        {
            await client.GuestJoinAsync(meeting, new { displayName = $"Guest {i}" }, address).JoinedAsync();
        }

        var fourth = await (await client.GuestJoinAsync(meeting, new { displayName = "Guest 4" }, address)).ProblemAsync(HttpStatusCode.TooManyRequests);
        await client.GuestJoinAsync(other, new { displayName = "Guest 5" }, address).JoinedAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await client.GuestJoinAsync(meeting, new { displayName = "Guest 6" }, address).JoinedAsync();

        Assert.Equal(JoinErrors.RateLimited, (string?)fourth["code"]);
    }

    [Fact]
    public async Task GuestsTakeAtMostHalfThePlaces()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var members = await app.MembersAsync(owner, 2);
        var meeting = await client.ActiveMeetingAsync(owner, new { title = "Join test", meetingType = "video", guestAccess = "open", maxParticipants = 4 });

        await client.GuestJoinAsync(meeting, new { displayName = "Guest 1" }).JoinedAsync();
        await client.GuestJoinAsync(meeting, new { displayName = "Guest 2" }).JoinedAsync();
        var third = await (await client.GuestJoinAsync(meeting, new { displayName = "Guest 3" })).ProblemAsync(HttpStatusCode.TooManyRequests);
        await client.JoinAsync(members[0], meeting).JoinedAsync();
        await client.JoinAsync(members[1], meeting).JoinedAsync();

        Assert.Equal(JoinErrors.GuestsPerMeeting, (string?)third["code"]);
        Assert.Contains("guests_per_meeting", (string?)third["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownMeetingIsNotFoundForGuests()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();

        var response = await client.SendAsync(HttpMethod.Post, $"/api/meetings/{Guid.CreateVersion7()}/guest-join", new { displayName = "Gail Guest" });

        Assert.Equal(JoinErrors.MeetingNotFound, (string?)(await response.ProblemAsync(HttpStatusCode.NotFound))["code"]);
    }
}
