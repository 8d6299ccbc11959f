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
/// A participant's place in a meeting follows their RTK connections: given back when RTK reports their last peer gone,
/// once per stay, and taken again when a peer of theirs joins while they hold none. The simulator's
/// <c>meeting.participantJoined</c>/<c>participantLeft</c> webhooks go through Castio's webhook path; duplicates, replays
/// and any arrival order change nothing more.
/// </summary>
public class ParticipantPresenceTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ALeaveFreesItsPlaceInAFullPermanentRoomForSomeoneElse()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (room, members, ann, bob) = await FullRoomAsync(world);
        var refused = await (await world.Client.JoinAsync(members[2], room)).ProblemAsync(HttpStatusCode.TooManyRequests);
        await world.JoinAsync((string)ann["rtkAuthToken"]!);
        var bobPeer = await world.JoinAsync((string)bob["rtkAuthToken"]!);

        await LeaveAnsweredAsync(world, bobPeer, 1);
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
        var (room, members, ann, bob) = await FullRoomAsync(world);
        await world.JoinAsync((string)ann["rtkAuthToken"]!);
        var first = await world.JoinAsync((string)bob["rtkAuthToken"]!);
        await LeaveAnsweredAsync(world, first, 1);
        var afterFirstLeave = await CountsAsync(world, room);

        var bobAgain = await world.Client.JoinAsync(members[1], room).JoinedAsync();
        var afterRejoin = await CountsAsync(world, room);
        var refused = await (await world.Client.JoinAsync(members[2], room)).ProblemAsync(HttpStatusCode.TooManyRequests);
        var second = await world.JoinAsync((string)bobAgain["rtkAuthToken"]!);
        await LeaveAnsweredAsync(world, second, 2);

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
        var (room, ann, bob, presence, (orgId, meetingId, rtkMeetingId)) = await TwoJoinedAsync(world);

        var released = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => presence.LeftAsync(orgId, meetingId, rtkMeetingId, (string)bob["participantId"]!, "bob-1", Ct), Ct)));
        var otherRtkMeeting = await presence.LeftAsync(orgId, meetingId, "another-rtk-meeting", (string)ann["participantId"]!, "ann-1", Ct);
        var unknown = await presence.LeftAsync(orgId, meetingId, rtkMeetingId, Guid.NewGuid().ToString("D"), "x-1", Ct);
        var notCastios = await presence.LeftAsync(orgId, meetingId, rtkMeetingId, "external-42", "x-2", Ct);

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
        // Bob takes a place, and RTK never tells Castio he left (as when his leave webhook is lost).
        var (room, members, ann, _) = await FullRoomAsync(world);
        var annPeer = await world.JoinAsync((string)ann["rtkAuthToken"]!);

        await LeaveLastAsync(world, room, annPeer);
        var afterSession = await CountsAsync(world, room);
        await world.Client.JoinAsync(members[2], room).JoinedAsync();

        Assert.Equal((0, 0), afterSession);
        Assert.Null((await RowAsync(world, room, members[1])).CountedRtkMeetingId);
        Assert.Equal((1, 0), await CountsAsync(world, room));
    }

    [Fact]
    public async Task SomeoneWhoReconnectsWithTheirRtkTokenAfterTheSessionEndedIsCountedInTheNextOne()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var room = await RoomAsync(world, maxParticipants: 2);
        var members = await world.App.MembersAsync(world.Owner, 2);
        var ann = await world.Client.JoinAsync(members[0], room).JoinedAsync();
        var first = await world.JoinAsync((string)ann["rtkAuthToken"]!);
        await LeaveLastAsync(world, room, first);
        var afterSession = await CountsAsync(world, room);
        // Bob's join through Castio sets the room's RTK meeting ACTIVE again.
        await world.Client.JoinAsync(members[1], room).JoinedAsync();

        // Ann's RTK token is still valid: her client reconnects without asking Castio, and RTK reports the new peer.
        var second = await world.JoinAsync((string)ann["rtkAuthToken"]!);
        await JoinsAnsweredAsync(world, 2);

        Assert.Equal((0, 0), afterSession);
        Assert.NotEqual((string?)first["session_id"], (string?)second["session_id"]);
        Assert.Equal((2, 0), await CountsAsync(world, room));
        var row = await RowAsync(world, room, members[0]);
        Assert.Equal((string?)ann["rtkMeetingId"], row.CountedRtkMeetingId);
        Assert.Equal((string?)second["peer_id"], row.OpenPeers);
    }

    [Fact]
    public async Task TheEndOfASessionGivesBackOnlyPlacesCountedBeforeIt()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (room, _, _, presence, (orgId, meetingId, rtkMeetingId)) = await TwoJoinedAsync(world);
        var joinedAt = world.App.Clock.GetUtcNow();

        var endedBefore = await presence.SessionEndedAsync(orgId, meetingId, rtkMeetingId, joinedAt.AddSeconds(-1), Ct);
        var afterEarlierEnd = await CountsAsync(world, room);
        var otherRtkMeeting = await presence.SessionEndedAsync(orgId, meetingId, "another-rtk-meeting", joinedAt, Ct);
        var endedAfter = await presence.SessionEndedAsync(orgId, meetingId, rtkMeetingId, joinedAt, Ct);

        Assert.Equal(0, endedBefore);
        Assert.Equal((2, 0), afterEarlierEnd);
        Assert.Equal(0, otherRtkMeeting);
        Assert.Equal(2, endedAfter);
        Assert.Equal((0, 0), await CountsAsync(world, room));
    }

    [Fact]
    public async Task RemovingSomeoneWhoNeverConnectedGivesTheirPlaceBackAndALaterLeaveNothingMore()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (room, members, ann, bob) = await FullRoomAsync(world);

        // Bob holds a place but never connected, so no leave will come from RTK: the kick gives it back.
        using var kicked = await world.Client.SendAsync(HttpMethod.Post, $"/api/meetings/{room["id"]}/participants/{bob["participantId"]}/kick", token: world.Owner.AccessToken);
        var afterKick = await CountsAsync(world, room);
        var presence = world.App.Services.GetRequiredService<ParticipantPresence>();
        var lateLeave = await presence.LeftAsync(world.Owner.OrgId, Guid.Parse((string)room["id"]!), (string)ann["rtkMeetingId"]!, (string)bob["participantId"]!, "bob-1", Ct);
        var cy = await world.Client.JoinAsync(members[2], room).JoinedAsync();

        Assert.Equal(HttpStatusCode.OK, kicked.StatusCode);
        Assert.Equal((1, 0), afterKick);
        Assert.False(lateLeave);
        Assert.Equal((string?)ann["rtkMeetingId"], (string?)cy["rtkMeetingId"]);
        Assert.Equal((2, 0), await CountsAsync(world, room));
        Assert.Null((await RowAsync(world, room, members[1])).CountedRtkMeetingId);
    }

    [Fact]
    public async Task APersonInTwoTabsKeepsTheirPlaceUntilTheLastTabLeaves()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (room, members, ann, bob) = await FullRoomAsync(world);
        // Bob stays connected throughout, so the session does not end (which would give back every place) when Ann's tabs close.
        await world.JoinAsync((string)bob["rtkAuthToken"]!);
        var tab1 = await world.JoinAsync((string)ann["rtkAuthToken"]!);
        var tab2 = await world.JoinAsync((string)ann["rtkAuthToken"]!);
        await JoinsAnsweredAsync(world, 3);
        var twoTabs = await ConnectionsAsync(world, room, ann);

        await LeaveAnsweredAsync(world, tab1, 1);
        var afterFirstTab = await CountsAsync(world, room);
        var oneTab = await ConnectionsAsync(world, room, ann);
        var refused = await (await world.Client.JoinAsync(members[2], room)).ProblemAsync(HttpStatusCode.TooManyRequests);
        await LeaveAnsweredAsync(world, tab2, 2);

        Assert.Equal(2, twoTabs);
        Assert.Equal(1, oneTab);
        Assert.Equal(0, await ConnectionsAsync(world, room, ann));
        Assert.Equal((2, 0), afterFirstTab);
        Assert.Equal(JoinErrors.ParticipantsPerMeeting, (string?)refused["code"]);
        Assert.Equal((1, 0), await CountsAsync(world, room));
        var annRow = await RowAsync(world, room, members[0]);
        Assert.Null(annRow.CountedRtkMeetingId);
        Assert.Null(annRow.OpenPeers);
        await world.Client.JoinAsync(members[2], room).JoinedAsync();
    }

    [Fact]
    public async Task ARefreshWhoseOldLeaveArrivesLateKeepsThePlaceInEitherOrder()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (room, ann, bob, presence, (orgId, meetingId, rtkMeetingId)) = await TwoJoinedAsync(world, maxParticipants: 2);
        var annId = (string)ann["participantId"]!;
        var bobId = (string)bob["participantId"]!;
        var notEnded = Task.FromResult(false);
        await presence.JoinedAsync(orgId, meetingId, rtkMeetingId, annId, "ann-old", null, notEnded, Ct);
        await presence.JoinedAsync(orgId, meetingId, rtkMeetingId, bobId, "bob-old", null, notEnded, Ct);

        // Ann's new connection is reported before her old one's leave: she never stops holding her place.
        var annNewTook = await presence.JoinedAsync(orgId, meetingId, rtkMeetingId, annId, "ann-new", null, notEnded, Ct);
        var annOldReleased = await presence.LeftAsync(orgId, meetingId, rtkMeetingId, annId, "ann-old", Ct);
        var afterAnn = await CountsAsync(world, room);
        // Bob's old leave comes first: his place goes back, and his new connection takes it again, full room or not.
        var bobOldReleased = await presence.LeftAsync(orgId, meetingId, rtkMeetingId, bobId, "bob-old", Ct);
        var afterBobLeft = await CountsAsync(world, room);
        var cy = await world.Client.JoinAsync((await world.App.MembersAsync(world.Owner, 1))[0], room).JoinedAsync();
        var bobNewTook = await presence.JoinedAsync(orgId, meetingId, rtkMeetingId, bobId, "bob-new", null, notEnded, Ct);
        var afterBobBack = await CountsAsync(world, room);
        // A join delivered after its own leave, and a repeat of one, change nothing.
        var lateOldJoin = await presence.JoinedAsync(orgId, meetingId, rtkMeetingId, bobId, "bob-old", null, notEnded, Ct);
        var repeat = await presence.JoinedAsync(orgId, meetingId, rtkMeetingId, bobId, "bob-new", null, notEnded, Ct);

        Assert.False(annNewTook);
        Assert.False(annOldReleased);
        Assert.Equal((2, 0), afterAnn);
        Assert.True(bobOldReleased);
        Assert.Equal((1, 0), afterBobLeft);
        Assert.Equal((string?)ann["rtkMeetingId"], (string?)cy["rtkMeetingId"]);
        Assert.True(bobNewTook);
        Assert.Equal((3, 0), afterBobBack);
        Assert.False(lateOldJoin);
        Assert.False(repeat);
        Assert.Equal((3, 0), await CountsAsync(world, room));
        var bobRow = (await world.App.Services.GetRequiredService<ParticipantStore>().FindAsync(orgId, meetingId, Guid.Parse(bobId), Ct))!;
        Assert.Equal("bob-new", bobRow.OpenPeers);
        Assert.Equal(rtkMeetingId, bobRow.CountedRtkMeetingId);
    }

    [Fact]
    public async Task RacingCopiesOfOneJoinTakeAPlaceOnceAndAJoinOfAnEndedSessionTakesNone()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (room, ann, bob, presence, (orgId, meetingId, rtkMeetingId)) = await TwoJoinedAsync(world);
        await presence.LeftAsync(orgId, meetingId, rtkMeetingId, (string)ann["participantId"]!, "ann-1", Ct);
        await presence.LeftAsync(orgId, meetingId, rtkMeetingId, (string)bob["participantId"]!, "bob-1", Ct);

        var took = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            presence.JoinedAsync(orgId, meetingId, rtkMeetingId, (string)ann["participantId"]!, "ann-2", null, Task.FromResult(false), Ct), Ct)));
        var ended = await presence.JoinedAsync(orgId, meetingId, rtkMeetingId, (string)bob["participantId"]!, "bob-2", null, Task.FromResult(true), Ct);

        Assert.Equal(1, took.Count(t => t));
        Assert.False(ended);
        Assert.Equal((1, 0), await CountsAsync(world, room));
    }

    [Fact]
    public async Task APeersFactsAfterAJoinThroughThisInstanceReadNothingAndAStrangersPeerCostsNothingAfterItsFirst()
    {
        var log = new StorageRequestLog();
        await using var world = await PostMeetingWorld.StartAsync(azurite, configure: app => app.WithStorageRequestLog(log, azurite.ConnectionString));
        var (_, ann, _, presence, (orgId, meetingId, rtkMeetingId)) = await TwoJoinedAsync(world);
        var annId = (string)ann["participantId"]!;
        var stranger = Guid.NewGuid().ToString("D");
        static int Reads(StorageRequestLog log) => log.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("participants", StringComparison.Ordinal));
        static int Writes(StorageRequestLog log) => log.Requests.Count(r => !r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("participants", StringComparison.Ordinal));

        log.Reset();
        await presence.JoinedAsync(orgId, meetingId, rtkMeetingId, annId, "ann-1", null, Task.FromResult(false), Ct);
        var (joinedReads, joinedWrites) = (Reads(log), Writes(log));
        log.Reset();
        var released = await presence.LeftAsync(orgId, meetingId, rtkMeetingId, annId, "ann-1", Ct);
        var (leftReads, leftWrites) = (Reads(log), Writes(log));
        log.Reset();
        await presence.JoinedAsync(orgId, meetingId, rtkMeetingId, stranger, "s-1", null, Task.FromResult(false), Ct);
        var strangerJoined = log.Count;
        log.Reset();
        await presence.LeftAsync(orgId, meetingId, rtkMeetingId, stranger, "s-1", Ct);

        // The join through this process left the row's latest version here: each fact is one write under its ETag.
        Assert.Equal((0, 1), (joinedReads, joinedWrites));
        Assert.True(released);
        Assert.Equal(0, leftReads);
        Assert.True(leftWrites >= 1); // the row, and the counter's release
        Assert.Equal(1, strangerJoined);
        Assert.Empty(log.Requests);
    }

    [Fact]
    public async Task APeersFactDecidedOnAStaleRowIsDecidedAgainOnTheStoredOne()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var (room, ann, _, presence, (orgId, meetingId, rtkMeetingId)) = await TwoJoinedAsync(world);
        var annId = Guid.Parse((string)ann["participantId"]!);
        await presence.JoinedAsync(orgId, meetingId, rtkMeetingId, annId.ToString("D"), "ann-1", null, Task.FromResult(false), Ct);
        // Another instance (its own store) applies Ann's second tab, so this instance's latest row lacks it.
        var tables = new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString);
        var elsewhere = new ParticipantStore(tables, new Castio.Core.Retention.ExpiryStore(tables, world.App.NamePrefix), world.App.NamePrefix);
        var row = (await elsewhere.FindAsync(orgId, meetingId, annId, Ct))!;
        row.OpenPeers += " ann-2";
        Assert.True(await elsewhere.SaveAsync(row, Ct));

        // Deciding on the stale row would give Ann's place back (ann-1 was its only open peer); the stored row keeps it.
        var released = await presence.LeftAsync(orgId, meetingId, rtkMeetingId, annId.ToString("D"), "ann-1", Ct);

        Assert.False(released);
        Assert.Equal((2, 0), await CountsAsync(world, room));
        Assert.Equal(1, await ConnectionsAsync(world, room, ann));
    }

    [Fact]
    public async Task InAnyOrderWithRepeatsAndOverlapExactlyThoseStillConnectedHoldAPlace()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var room = await RoomAsync(world, maxParticipants: 50);
        var members = await world.App.MembersAsync(world.Owner, 12);
        var joined = new List<JsonObject>();
        foreach (var m in members) joined.Add(await world.Client.JoinAsync(m, room).JoinedAsync());
        var (orgId, meetingId, rtkMeetingId) = (world.Owner.OrgId, Guid.Parse((string)room["id"]!), (string)joined[0]["rtkMeetingId"]!);
        var presence = world.App.Services.GetRequiredService<ParticipantPresence>();
        // Each person connects one to three times (tabs, refreshes); two in three connections end before the last fact.
        var random = new Random(7);
        var facts = new List<(string Participant, string Peer, bool Left)>();
        var connected = new HashSet<string>();
        foreach (var person in joined.Select(j => (string)j["participantId"]!))
        {
            for (var c = random.Next(1, 4); c > 0; c--)
            {
                var peer = Guid.NewGuid().ToString("D");
                facts.Add((person, peer, false));
                if (random.Next(3) > 0) facts.Add((person, peer, true));
                else connected.Add(person);
            }
        }

        // RTK delivers at least once and in no order: 30% again, shuffled, eight at a time.
        var deliveries = facts.Concat(facts.Where(_ => random.Next(10) < 3)).ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(deliveries));
        await Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (f, ct) =>
        {
            // A fact whose row kept changing fails like a delivery answered 5xx, and is delivered again.
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    _ = f.Left
                        ? await presence.LeftAsync(orgId, meetingId, rtkMeetingId, f.Participant, f.Peer, ct)
                        : await presence.JoinedAsync(orgId, meetingId, rtkMeetingId, f.Participant, f.Peer, null, Task.FromResult(false), ct);
                    return;
                }
                catch (InvalidOperationException) when (attempt < 5)
                {
                }
            }
        });

        var store = world.App.Services.GetRequiredService<ParticipantStore>();
        var holding = (await store.ListAsync(orgId, meetingId, Ct)).Where(r => r.CountedRtkMeetingId == rtkMeetingId).Select(r => r.ParticipantId.ToString("D")).ToHashSet();
        Assert.NotEmpty(connected);
        Assert.True(connected.Count < joined.Count);
        Assert.Equal(connected.Order(), holding.Order());
        Assert.Equal((connected.Count, 0), await CountsAsync(world, room));
    }

    [Fact]
    public async Task AJoinWebhookCountsAPersonWhoseLeaveRacedTheirRejoinThroughTheSimulator()
    {
        await using var world = await PostMeetingWorld.StartAsync(azurite);
        var room = await RoomAsync(world, maxParticipants: 3);
        var members = await world.App.MembersAsync(world.Owner, 2);
        var ann = await world.Client.JoinAsync(members[0], room).JoinedAsync();
        await world.JoinAsync((string)ann["rtkAuthToken"]!);
        var old = await world.JoinAsync((string)(await world.Client.JoinAsync(members[1], room).JoinedAsync())["rtkAuthToken"]!);
        // Bob refreshes: his rejoin finds his place held, then his old connection's leave gives it back...
        var again = await world.Client.JoinAsync(members[1], room).JoinedAsync();
        await LeaveAnsweredAsync(world, old, 1);
        var afterLeave = await CountsAsync(world, room);
        // ...and his new connection's join takes it again.
        await world.JoinAsync((string)again["rtkAuthToken"]!);
        await JoinsAnsweredAsync(world, 3);

        Assert.Equal((1, 0), afterLeave);
        Assert.Equal((2, 0), await CountsAsync(world, room));
        Assert.Equal((string?)ann["rtkMeetingId"], (await RowAsync(world, room, members[1])).CountedRtkMeetingId);
    }

    /// <summary>A permanent room (its RTK meeting is reused for ever); the first join activates it.</summary>
    private static Task<JsonObject> RoomAsync(PostMeetingWorld world, int maxParticipants) =>
        world.Client.DraftMeetingAsync(world.Owner, new
        {
            title = "Team room", meetingType = "video", schedulingType = "permanent", maxParticipants,
            vanitySlug = "room-" + Guid.NewGuid().ToString("N")[..8],
        });

    /// <summary>A room of 2 that two members (Ann, Bob) joined through Castio, not yet in RTK; a third member is in <c>Members[2]</c>.</summary>
    private static async Task<(JsonObject Room, IReadOnlyList<Caller> Members, JsonObject Ann, JsonObject Bob)> FullRoomAsync(PostMeetingWorld world)
    {
        var room = await RoomAsync(world, maxParticipants: 2);
        var members = await world.App.MembersAsync(world.Owner, 3);
        var ann = await world.Client.JoinAsync(members[0], room).JoinedAsync();
        var bob = await world.Client.JoinAsync(members[1], room).JoinedAsync();
        return (room, members, ann, bob);
    }

    /// <summary>A room that two members (Ann, Bob) joined through Castio, not yet in RTK; with the presence service and the room's ids.</summary>
    private static async Task<(JsonObject Room, JsonObject Ann, JsonObject Bob, ParticipantPresence Presence, (Guid OrgId, Guid MeetingId, string RtkMeetingId) Ids)> TwoJoinedAsync(
        PostMeetingWorld world, int maxParticipants = 5)
    {
        var room = await RoomAsync(world, maxParticipants);
        var members = await world.App.MembersAsync(world.Owner, 2);
        var ann = await world.Client.JoinAsync(members[0], room).JoinedAsync();
        var bob = await world.Client.JoinAsync(members[1], room).JoinedAsync();
        return (room, ann, bob, world.App.Services.GetRequiredService<ParticipantPresence>(),
            (world.Owner.OrgId, Guid.Parse((string)room["id"]!), (string)ann["rtkMeetingId"]!));
    }

    /// <summary>The participant's open connections as the host's participant list shows them.</summary>
    private static async Task<int> ConnectionsAsync(PostMeetingWorld world, JsonObject room, JsonObject joined)
    {
        using var response = await world.Client.SendAsync(HttpMethod.Get, $"/api/meetings/{room["id"]}/participants", token: world.Owner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = (await response.JsonAsync())["participants"]!.AsArray();
        return (int)list.Single(p => (string?)p!["participantId"] == (string?)joined["participantId"])!["connections"]!;
    }

    private static async Task<(int Participants, int Guests)> CountsAsync(PostMeetingWorld world, JsonObject room)
    {
        var meetingId = Guid.Parse((string)room["id"]!);
        var row = await world.App.Services.GetRequiredService<Castio.Core.Meetings.MeetingStore>().GetAsync(world.Owner.OrgId, meetingId, Ct);
        return await world.App.Services.GetRequiredService<ParticipantCounters>().ReadAsync(world.Owner.OrgId, meetingId, row!.RtkMeetingId!, Ct);
    }

    private static async Task<ParticipantEntity> RowAsync(PostMeetingWorld world, JsonObject room, Caller member) =>
        (await world.App.Services.GetRequiredService<ParticipantStore>().GetByUserAsync(world.Owner.OrgId, Guid.Parse((string)room["id"]!), member.UserId, Ct))!;

    private static Task LeavesAnsweredAsync(PostMeetingWorld world, int count) => AnsweredAsync(world, WebhookFacts.ParticipantLeft, count);

    /// <summary>The peer leaves; waits until Castio has answered the <paramref name="nth"/> leave delivery of the test.</summary>
    private static async Task LeaveAnsweredAsync(PostMeetingWorld world, JsonObject peer, int nth)
    {
        await world.LeaveAsync((string)peer["peer_id"]!);
        await LeavesAnsweredAsync(world, nth);
    }

    /// <summary>The session's last peer leaves; waits until the session's post-meeting work (which gives places back) completed.</summary>
    private static async Task LeaveLastAsync(PostMeetingWorld world, JsonObject room, JsonObject peer)
    {
        await world.LeaveAsync((string)peer["peer_id"]!);
        await world.CompletedAsync(new SessionKey(world.Owner.OrgId, Guid.Parse((string)room["id"]!), (string)peer["session_id"]!));
    }

    private static Task JoinsAnsweredAsync(PostMeetingWorld world, int count) => AnsweredAsync(world, WebhookFacts.ParticipantJoined, count);

    /// <summary>Waits until Castio has answered <paramref name="count"/> deliveries of the event with a 2xx (it applies before answering).</summary>
    private static Task AnsweredAsync(PostMeetingWorld world, string eventType, int count) =>
        world.Sim.State.WaitForDeliveriesAsync(
            d => d.Count(a => a.Event == eventType && a.StatusCode is >= 200 and < 300) >= count, TimeSpan.FromSeconds(60), Ct);
}
