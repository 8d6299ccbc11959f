using System.Net;
using System.Text.Json.Nodes;
using Castio.Core.Joining;
using Castio.Core.PostMeeting;
using Castio.Core.Webhooks;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.PostMeeting;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Joining;

/// <summary>
/// A participant's place in a meeting is given back when RTK reports them gone, once per stay: the simulator's
/// <c>meeting.participantLeft</c> webhook goes through Castio's webhook path, and duplicates or replays release nothing more.
/// </summary>
public class ParticipantDeparturesTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ALeaveFreesItsPlaceInAFullPermanentRoomForSomeoneElse()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var room = await RoomAsync(world, maxParticipants: 2);
        var members = await world.App.MembersAsync(world.Owner, 3);
        var ann = await world.Client.JoinAsync(members[0], room).JoinedAsync();
        var bob = await world.Client.JoinAsync(members[1], room).JoinedAsync();
        var refused = await (await world.Client.JoinAsync(members[2], room)).ProblemAsync(HttpStatusCode.TooManyRequests);
        await world.JoinAsync((string)ann["rtkAuthToken"]!);
        var bobPeer = await world.JoinAsync((string)bob["rtkAuthToken"]!);

        await world.LeaveAsync((string)bobPeer["peer_id"]!);
        await LeavesAnsweredAsync(world, 1);
        var afterLeave = await CountsAsync(world, room);
        var cy = await world.Client.JoinAsync(members[2], room).JoinedAsync();

        Assert.Equal(JoinErrors.ParticipantsPerMeeting, (string?)refused["code"]);
        Assert.Equal((1, 0), afterLeave);
        Assert.Equal((string?)ann["rtkMeetingId"], (string?)cy["rtkMeetingId"]);
        Assert.Equal((2, 0), await CountsAsync(world, room));
        var bobRow = await RowAsync(world, room, members[1]);
        Assert.Null(bobRow.CountedRtkMeetingId);
        Assert.Equal((string?)ann["rtkMeetingId"], (await RowAsync(world, room, members[0])).CountedRtkMeetingId);
    }

    [Fact]
    public async Task ADuplicatedAndThenReplayedLeaveReleasesOnlyOnce()
    {
        var options = PostMeetingWorld.DefaultSimulator();
        options.DuplicateDeliveries = true;
        await using var world = await PostMeetingWorld.StartAsync(azurite, options);
        var room = await RoomAsync(world, maxParticipants: 3);
        var members = await world.App.MembersAsync(world.Owner, 3);
        var joined = new List<JsonObject>();
        foreach (var m in members) joined.Add(await world.Client.JoinAsync(m, room).JoinedAsync());
        await world.JoinAsync((string)joined[0]["rtkAuthToken"]!);
        await world.JoinAsync((string)joined[1]["rtkAuthToken"]!);
        var leaver = await world.JoinAsync((string)joined[2]["rtkAuthToken"]!);

        await world.LeaveAsync((string)leaver["peer_id"]!);
        // The simulator sends the leave twice with the same rtk-uuid.
        await LeavesAnsweredAsync(world, 2);
        var afterDuplicate = await CountsAsync(world, room);
        var ledger = world.App.Services.GetRequiredService<WebhookLedger>();
        var now = world.App.Clock.GetUtcNow();
        var leaves = await ledger.ListAsync(world.Owner.OrgId, now.AddDays(-1), now.AddDays(1), 10, eventType: WebhookFacts.ParticipantLeft, cancellationToken: Ct);
        var processed = Assert.Single(leaves, d => d.Status == WebhookDeliveryStatus.Processed);
        // An operator's replay applies the processed fact again, through the same path.
        var replay = await world.App.Services.GetRequiredService<WebhookService>().ReplayAsync(world.Owner.OrgId, processed.Id, Ct);

        Assert.Equal(2, leaves.Count);
        Assert.Equal((2, 0), afterDuplicate);
        Assert.Equal(WebhookDeliveryStatus.Processed, replay!.Status);
        Assert.Equal((2, 0), await CountsAsync(world, room));
    }

    [Fact]
    public async Task ARejoinAfterALeaveIsCountedAgainAndItsNextLeaveReleasesAgain()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var room = await RoomAsync(world, maxParticipants: 2);
        var members = await world.App.MembersAsync(world.Owner, 3);
        var ann = await world.Client.JoinAsync(members[0], room).JoinedAsync();
        var bob = await world.Client.JoinAsync(members[1], room).JoinedAsync();
        await world.JoinAsync((string)ann["rtkAuthToken"]!);
        var first = await world.JoinAsync((string)bob["rtkAuthToken"]!);
        await world.LeaveAsync((string)first["peer_id"]!);
        await LeavesAnsweredAsync(world, 1);
        var afterFirstLeave = await CountsAsync(world, room);

        var bobAgain = await world.Client.JoinAsync(members[1], room).JoinedAsync();
        var afterRejoin = await CountsAsync(world, room);
        var refused = await (await world.Client.JoinAsync(members[2], room)).ProblemAsync(HttpStatusCode.TooManyRequests);
        var second = await world.JoinAsync((string)bobAgain["rtkAuthToken"]!);
        await world.LeaveAsync((string)second["peer_id"]!);
        await LeavesAnsweredAsync(world, 2);

        Assert.Equal((1, 0), afterFirstLeave);
        Assert.Equal((string?)bob["participantId"], (string?)bobAgain["participantId"]);
        Assert.Equal((2, 0), afterRejoin);
        Assert.Equal(JoinErrors.ParticipantsPerMeeting, (string?)refused["code"]);
        Assert.Equal((1, 0), await CountsAsync(world, room));
    }

    [Fact]
    public async Task RacingCopiesOfOneLeaveReleaseExactlyOnceAndOthersReleaseNothing()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (room, ann, bob, departures, (orgId, meetingId, rtkMeetingId)) = await TwoJoinedAsync(world);

        var released = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => departures.LeftAsync(orgId, meetingId, rtkMeetingId, (string)bob["participantId"]!, Ct), Ct)));
        var otherRtkMeeting = await departures.LeftAsync(orgId, meetingId, "another-rtk-meeting", (string)ann["participantId"]!, Ct);
        var unknown = await departures.LeftAsync(orgId, meetingId, rtkMeetingId, Guid.NewGuid().ToString("D"), Ct);
        var notCastios = await departures.LeftAsync(orgId, meetingId, rtkMeetingId, "external-42", Ct);

        Assert.Equal(1, released.Count(r => r));
        Assert.False(otherRtkMeeting);
        Assert.False(unknown);
        Assert.False(notCastios);
        Assert.Equal((1, 0), await CountsAsync(world, room));
    }

    [Fact]
    public async Task APlaceWhoseLeaveNeverCameIsGivenBackWhenTheSessionEnds()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var room = await RoomAsync(world, maxParticipants: 2);
        var members = await world.App.MembersAsync(world.Owner, 3);
        var ann = await world.Client.JoinAsync(members[0], room).JoinedAsync();
        // Bob takes a place, and RTK never tells Castio he left (as when his leave webhook is lost).
        await world.Client.JoinAsync(members[1], room).JoinedAsync();
        var annPeer = await world.JoinAsync((string)ann["rtkAuthToken"]!);

        await world.LeaveAsync((string)annPeer["peer_id"]!);
        await world.CompletedAsync(new SessionKey(world.Owner.OrgId, Guid.Parse((string)room["id"]!), (string)annPeer["session_id"]!));
        var afterSession = await CountsAsync(world, room);
        await world.Client.JoinAsync(members[2], room).JoinedAsync();

        Assert.Equal((0, 0), afterSession);
        Assert.Null((await RowAsync(world, room, members[1])).CountedRtkMeetingId);
        Assert.Equal((1, 0), await CountsAsync(world, room));
    }

    [Fact]
    public async Task TheEndOfASessionGivesBackOnlyPlacesCountedBeforeIt()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (room, _, _, departures, (orgId, meetingId, rtkMeetingId)) = await TwoJoinedAsync(world);
        var joinedAt = world.App.Clock.GetUtcNow();

        var endedBefore = await departures.SessionEndedAsync(orgId, meetingId, rtkMeetingId, joinedAt.AddSeconds(-1), Ct);
        var afterEarlierEnd = await CountsAsync(world, room);
        var otherRtkMeeting = await departures.SessionEndedAsync(orgId, meetingId, "another-rtk-meeting", joinedAt, Ct);
        var endedAfter = await departures.SessionEndedAsync(orgId, meetingId, rtkMeetingId, joinedAt, Ct);

        Assert.Equal(0, endedBefore);
        Assert.Equal((2, 0), afterEarlierEnd);
        Assert.Equal(0, otherRtkMeeting);
        Assert.Equal(2, endedAfter);
        Assert.Equal((0, 0), await CountsAsync(world, room));
    }

    /// <summary>A permanent room (its RTK meeting is reused for ever); the first join activates it.</summary>
    private static Task<JsonObject> RoomAsync(PostMeetingWorld world, int maxParticipants) =>
        world.Client.DraftMeetingAsync(world.Owner, new
        {
            title = "Team room", meetingType = "video", schedulingType = "permanent", maxParticipants,
            vanitySlug = "room-" + Guid.NewGuid().ToString("N")[..8],
        });

    /// <summary>A room of 5 that two members (Ann, Bob) joined through Castio, not yet in RTK; with the departures service and the room's ids.</summary>
    private static async Task<(JsonObject Room, JsonObject Ann, JsonObject Bob, ParticipantDepartures Departures, (Guid OrgId, Guid MeetingId, string RtkMeetingId) Ids)> TwoJoinedAsync(PostMeetingWorld world)
    {
        var room = await RoomAsync(world, maxParticipants: 5);
        var members = await world.App.MembersAsync(world.Owner, 2);
        var ann = await world.Client.JoinAsync(members[0], room).JoinedAsync();
        var bob = await world.Client.JoinAsync(members[1], room).JoinedAsync();
        return (room, ann, bob, world.App.Services.GetRequiredService<ParticipantDepartures>(),
            (world.Owner.OrgId, Guid.Parse((string)room["id"]!), (string)ann["rtkMeetingId"]!));
    }

    private static async Task<(int Participants, int Guests)> CountsAsync(PostMeetingWorld world, JsonObject room)
    {
        var meetingId = Guid.Parse((string)room["id"]!);
        var row = await world.App.Services.GetRequiredService<Castio.Core.Meetings.MeetingStore>().GetAsync(world.Owner.OrgId, meetingId, Ct);
        return await world.App.Services.GetRequiredService<ParticipantCounters>().ReadAsync(world.Owner.OrgId, meetingId, row!.RtkMeetingId!, Ct);
    }

    private static async Task<ParticipantEntity> RowAsync(PostMeetingWorld world, JsonObject room, Caller member) =>
        (await world.App.Services.GetRequiredService<ParticipantStore>().GetByUserAsync(world.Owner.OrgId, Guid.Parse((string)room["id"]!), member.UserId, Ct))!;

    /// <summary>Waits until Castio has answered <paramref name="count"/> leave deliveries with a 2xx (it applies before answering).</summary>
    private static Task LeavesAnsweredAsync(PostMeetingWorld world, int count) =>
        world.Sim.State.WaitForDeliveriesAsync(
            d => d.Count(a => a.Event == WebhookFacts.ParticipantLeft && a.StatusCode is >= 200 and < 300) >= count, TimeSpan.FromSeconds(60), Ct);
}
