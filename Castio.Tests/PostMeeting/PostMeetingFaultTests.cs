using Castio.Core.PostMeeting;
using Castio.Core.Webhooks;
using Castio.Tests.Infrastructure;
using Castio.Tests.Meetings;

namespace Castio.Tests.PostMeeting;

/// <summary>RTK's REST API failing for a while and the host stopped mid-stream: nothing lost, nothing applied twice.</summary>
public class PostMeetingFaultTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AfterRtkFailuresAndAHostRestartMidStreamTheRecordIsCompleteAndEachFactAppliedOnce()
    {
        var options = PostMeetingWorld.DefaultSimulator();
        options.WebhookMaxAttempts = 200; // RTK keeps retrying while the host is down
        await using var world = await PostMeetingWorld.StartAsync(azurite, options, port: PostMeetingWorld.FreePort());
        var (meetingId, rtkMeetingId) = await world.StartMeetingAsync();
        var ada = await world.AddParticipantAsync(rtkMeetingId, "Ada");
        var bob = await world.AddParticipantAsync(rtkMeetingId, "Bob");
        var a = await world.JoinAsync(ada.Token);
        var b = await world.JoinAsync(bob.Token);
        var sessionId = (string)a["session_id"]!;
        var key = new SessionKey(world.Owner.OrgId, meetingId, sessionId);

        // RTK's REST API goes down: the orchestration the end starts cannot reconcile and keeps retrying.
        await world.FaultsAsync(new { down = true });
        await world.LeaveAsync((string)b["peer_id"]!);
        await world.LeaveAsync((string)a["peer_id"]!);
        await Eventually.GetAsync(async () => await world.Store.GetSessionAsync(key, Ct) is { EndSeenAt: not null } s ? s : null, TimeSpan.FromSeconds(30), Ct);

        // The host stops mid-stream (its in-memory orchestration dies); RTK's artefact webhooks fail and are retried meanwhile.
        var stopped = world.RestartAppAsync();
        await world.ArtefactsAsync(sessionId, chat: true, transcript: true, summary: true);
        await stopped;
        await world.DeliveredAsync(world.Sim.State.Deliveries.Select(d => d.DeliveryId).Distinct().Count());

        // RTK comes back; the recovery timer finds the unfinished session and gets its orchestration going again.
        await world.ResetFaultsAsync();
        await Task.Delay(500, Ct);
        world.App.Clock.Advance(TimeSpan.FromMinutes(16));
        await world.CompletedAsync(key);

        var record = (await world.Store.GetSessionRecordAsync(key, Ct))!;
        Assert.Equal(2, record.TotalParticipants);
        Assert.All(record.Artefacts, s => Assert.Equal(CopyStates.Stored, s.State));
        Assert.Equal(4, record.Artefacts.Count); // chat, summary, transcript, recording
        var session = await world.Store.GetSessionAsync(key, Ct);
        Assert.NotNull(session!.ReconciledAt);
        Assert.Contains(world.Sim.Calls("GET", $"/sessions/{sessionId}/participants"), _ => true);

        // Every delivery RTK made is in the ledger, and every fact was processed exactly once.
        var delivered = world.Sim.State.Deliveries.Where(d => d.StatusCode == 200).Select(d => d.DeliveryId).ToHashSet();
        var ledger = await world.Ledger.ListAsync(world.Owner.OrgId, TestClock.Start.AddDays(-1), TestClock.Start.AddDays(1), 1000, cancellationToken: Ct);
        Assert.Equal(delivered.Order(), ledger.Where(d => d.Status != WebhookDeliveryStatus.Duplicate).Select(d => d.RtkUuid!).Order());
        Assert.All(ledger.GroupBy(d => d.BusinessKey), g => Assert.Equal(1, g.Count(d => d.Status == WebhookDeliveryStatus.Processed)));
        Assert.DoesNotContain(ledger, d => d.Status is WebhookDeliveryStatus.Failed or WebhookDeliveryStatus.Received);
        Assert.Contains(world.Sim.State.Deliveries, d => d.Error is not null || d.StatusCode >= 500); // some deliveries did fail while the host was down
    }
}
