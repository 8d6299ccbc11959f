using System.Net;
using System.Text.Json.Nodes;
using Castio.Core.PostMeeting;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Joining;

namespace Castio.Tests.Insights;

/// <summary>The webhook ledger routes and the meeting investigation, over a session driven through the simulator.</summary>
public sealed class DiagnosticsApiTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvestigationShowsWhoJoinedWithDeviceAndNetworkWhoNeverJoinedAndTheWebhooks()
    {
        await using var world = await InsightsWorld.StartAsync(azurite);
        var client = world.Client;
        var (meetingId, rtkMeetingId) = await world.StartMeetingAsync(world.Org.Host);
        // The member asks Castio for a token (the join route) and never reaches RTK.
        var joined = await client.JoinAsync(world.Org.Member, new JsonObject { ["id"] = meetingId.ToString() }).JoinedAsync();
        var memberId = (string)joined["participantId"]!;
        var ada = await world.AddParticipantAsync(rtkMeetingId, "Ada");
        var bob = await world.AddParticipantAsync(rtkMeetingId, "Bob");
        var adaPeer = await world.JoinAsync(ada.Token);
        var sessionId = (string)adaPeer["session_id"]!;
        var bobPeer = await world.JoinAsync(bob.Token);

        // While they are both in: the meeting is live with two participants (another org sees none of it).
        var active = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/active-meetings", token: world.Owner.AccessToken)).JsonAsync();
        var live = Assert.Single(active["items"]!.AsArray())!;
        Assert.Equal(meetingId.ToString(), (string?)live["meetingId"]);
        Assert.Equal(sessionId, (string?)live["rtkSessionId"]);
        Assert.Equal(2, (int)live["liveParticipants"]!);
        Assert.Equal(2, (int)active["liveParticipants"]!);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/active-meetings", token: world.Org.Host.AccessToken)).StatusCode);

        await world.LeaveAsync((string)bobPeer["peer_id"]!);
        await world.LeaveAsync((string)adaPeer["peer_id"]!);
        await world.ArtefactsAsync(sessionId, chat: true, transcript: false, summary: false);
        var none = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/active-meetings", token: world.Owner.AccessToken)).JsonAsync();
        Assert.Empty(none["items"]!.AsArray());
        await world.CompletedAsync(new SessionKey(world.Owner.OrgId, meetingId, sessionId));

        var report = await (await client.SendAsync(HttpMethod.Get, $"/api/diagnostics/meetings/{meetingId}/investigate", token: world.Org.Admin.AccessToken)).JsonAsync();
        Assert.False((bool)report["partial"]!, report.ToJsonString());
        var session = Assert.Single(report["sessions"]!.AsArray())!;
        Assert.Equal(sessionId, (string?)session["rtkSessionId"]);
        Assert.Equal("ENDED", (string?)session["rtkStatus"]);
        Assert.Equal(2, (int)session["rtkParticipants"]!);
        Assert.Equal(2, (int)session["castioParticipants"]!);

        var people = report["participants"]!.AsArray().Select(p => p!.AsObject()).ToList();
        var adaRow = people.Single(p => (string)p["participantId"]! == ada.ParticipantId);
        var connection = Assert.Single(adaRow["connections"]!.AsArray())!;
        Assert.Equal("Linux", (string?)connection["device"]!["os"]);
        Assert.Equal("ZZ", (string?)connection["network"]!["country"]);
        Assert.NotNull((string?)connection["leftAt"]);
        var member = people.Single(p => (string)p["participantId"]! == memberId);
        Assert.Empty(member["connections"]!.AsArray());
        Assert.Equal("added", (string?)Assert.Single(member["tokens"]!.AsArray())!["tokenSource"]);

        var verdicts = report["verdicts"]!.AsArray();
        var neverJoined = Assert.Single(verdicts, v => (string?)v!["rule"] == "never-joined")!;
        Assert.Equal(memberId, (string?)neverJoined["subject"]);
        Assert.DoesNotContain(verdicts, v => (string?)v!["rule"] == "webhook-failures");

        var webhooks = report["webhooks"]!.AsArray();
        Assert.Contains(webhooks, w => (string?)w!["event"] == "meeting.ended" && (string?)w["status"] == "processed");
        Assert.Contains(webhooks, w => (string?)w!["event"] == "meeting.participantJoined");

        // RTK down: the same report from Castio's record, marked partial, saying what is missing.
        await world.FaultsAsync(new { down = true });
        var partial = await (await client.SendAsync(HttpMethod.Get, $"/api/diagnostics/meetings/{meetingId}/investigate", token: world.Owner.AccessToken)).JsonAsync();
        Assert.True((bool)partial["partial"]!);
        Assert.NotEmpty(partial["notes"]!.AsArray());
        Assert.Equal(sessionId, (string?)Assert.Single(partial["sessions"]!.AsArray())!["rtkSessionId"]);
        Assert.Null(Assert.Single(partial["sessions"]!.AsArray())!["rtkParticipants"]);
        Assert.Contains(partial["verdicts"]!.AsArray(), v => (string?)v!["rule"] == "never-joined");
        await world.FaultsAsync(new { down = false });

        // Owners and admins only; another org's meeting is not found.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(HttpMethod.Get, $"/api/diagnostics/meetings/{meetingId}/investigate", token: world.Org.Host.AccessToken)).StatusCode);
        var stranger = await AuthTestKit.RegisterAsync(client);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, $"/api/diagnostics/meetings/{meetingId}/investigate", token: stranger.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task TheWebhookLedgerListsFiltersShowsAndReplaysDeliveries()
    {
        await using var world = await InsightsWorld.StartAsync(azurite);
        var client = world.Client;
        var token = world.Org.Admin.AccessToken;
        var (meetingId, _, rtkSessionId, _, _) = await world.FinishedSessionAsync(world.Org.Host);

        var all = await (await client.SendAsync(HttpMethod.Get, $"/api/diagnostics/webhooks?meetingId={meetingId}&limit=200", token: token)).JsonAsync();
        var items = all["items"]!.AsArray();
        Assert.Contains(items, d => (string?)d!["event"] == "meeting.started");
        Assert.All(items, d => Assert.Equal(meetingId.ToString(), (string?)d!["meetingId"]));
        var times = items.Select(d => DateTimeOffset.Parse((string)d!["receivedAt"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderDescending(), times);

        var ended = await (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/webhooks?status=processed&event=meeting.ended", token: token)).JsonAsync();
        var delivery = Assert.Single(ended["items"]!.AsArray())!;
        Assert.Equal(rtkSessionId, (string?)delivery["rtkSessionId"]);

        // Paging: one at a time walks the same deliveries.
        var walked = new List<string>();
        string? continuation = null;
        do
        {
            var page = await (await client.SendAsync(HttpMethod.Get, $"/api/diagnostics/webhooks?meetingId={meetingId}&limit=1" + (continuation is null ? "" : $"&continuation={Uri.EscapeDataString(continuation)}"), token: token)).JsonAsync();
            walked.AddRange(page["items"]!.AsArray().Select(d => (string)d!["id"]!));
            continuation = (string?)page["continuation"];
        }
        while (continuation is not null && walked.Count < 100);
        Assert.Equal(items.Select(d => (string)d!["id"]!).Distinct().Count(), walked.Distinct().Count());

        var id = (string)delivery["id"]!;
        var one = await (await client.SendAsync(HttpMethod.Get, $"/api/diagnostics/webhooks/{id}", token: token)).JsonAsync();
        Assert.Equal("meeting.ended", (string?)one["event"]);
        Assert.Null(one["body"]);

        // A replay applies it again; the fact was already processed by this very delivery, so it is processed again, idempotently.
        var replay = await (await client.SendAsync(HttpMethod.Post, $"/api/diagnostics/webhooks/{id}/replay", token: token)).JsonAsync();
        Assert.Equal(id, (string?)replay["id"]);
        Assert.Contains((string?)replay["status"], new[] { "processed", "duplicate" });
        var after = await (await client.SendAsync(HttpMethod.Get, $"/api/diagnostics/webhooks/{id}", token: token)).JsonAsync();
        Assert.Equal(1, (int)after["replays"]!);
        var sessions = await (await client.SendAsync(HttpMethod.Get, $"/api/meetings/{meetingId}/sessions", token: token)).JsonAsync();
        Assert.Single(sessions["items"]!.AsArray());

        // Bad input names the field; unknown ids and other roles are refused.
        foreach (var (query, field) in new[] { ("status=nope", "status"), ("meetingId=x", "meetingId"), ("limit=0", "limit"), ("since=yesterday", "since"), ("continuation=x", "continuation"), ("since=2020-01-01T00:00:00Z", "since") })
        {
            var problem = await (await client.SendAsync(HttpMethod.Get, $"/api/diagnostics/webhooks?{query}", token: token)).ProblemAsync(HttpStatusCode.BadRequest);
            Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
        }
        Assert.Equal("diagnostics.webhook_not_found", (string?)(await (await client.SendAsync(HttpMethod.Get, $"/api/diagnostics/webhooks/{Guid.CreateVersion7()}", token: token)).ProblemAsync(HttpStatusCode.NotFound))["code"]);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Post, $"/api/diagnostics/webhooks/{Guid.CreateVersion7()}/replay", token: token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(HttpMethod.Get, "/api/diagnostics/webhooks", token: world.Org.Host.AccessToken)).StatusCode);
        var stranger = await AuthTestKit.RegisterAsync(client);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, $"/api/diagnostics/webhooks/{id}", token: stranger.AccessToken)).StatusCode);
    }
}
