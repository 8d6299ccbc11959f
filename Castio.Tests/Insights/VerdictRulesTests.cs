using Castio.Core.Diagnostics.Verdicts;

namespace Castio.Tests.Insights;

/// <summary>Each verdict rule on its own: a case where it fires and a near miss where it does not.</summary>
public sealed class VerdictRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 14, 0, 0, TimeSpan.Zero);
    private const string S = "session-1";

    private static IReadOnlyList<Verdict> Fired(string rule, VerdictInput input) =>
        VerdictRules.Evaluate(input).Where(v => v.Rule == rule).ToList();

    private static VerdictInput Meeting(params ParticipantFacts[] participants) =>
        new([new SessionFacts(S, T0, T0.AddMinutes(60), participants.Count(p => p.Connections.Count > 0))], participants, []);

    private static ParticipantFacts Person(string id, params ConnectionFacts[] connections) => new(id, id.ToUpperInvariant(), 1, connections);

    private static ConnectionFacts Connected(double fromMinute = 0, double? toMinute = 60, ConnectionQuality? quality = null) =>
        new(S, "peer-" + Guid.NewGuid().ToString("N")[..8], T0.AddMinutes(fromMinute), toMinute is { } t ? T0.AddMinutes(t) : null, quality);

    /// <summary>Ten one-minute samples from minute <paramref name="from"/>, all with the same figures.</summary>
    private static ConnectionQuality Steady(double loss = 0.5, double jitter = 5, double rtt = 40, double bitrate = 1200, bool turn = false, int from = 0) =>
        new([.. Enumerable.Range(from, 10).Select(m => new QualitySample(T0.AddMinutes(m), loss, jitter, rtt, bitrate))], turn);

    [Fact]
    public void EveryRuleHasItsOwnTestHere()
    {
        var tested = typeof(VerdictRulesTests).GetMethods().Select(m => m.Name).ToList();
        foreach (var rule in VerdictRules.All)
        {
            var name = string.Concat(rule.Id.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            Assert.Contains(name + "Fires", tested);
            Assert.Contains(name + "DoesNotFire", tested);
        }
        Assert.Equal(VerdictRules.All.Count, VerdictRules.All.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public void NeverJoinedFires()
    {
        var verdict = Assert.Single(Fired("never-joined", Meeting(Person("ann", Connected()), new ParticipantFacts("bob", "Bob", 2, []))));
        Assert.Equal("bob", verdict.Subject);
        Assert.Equal("participant", verdict.Scope);
        Assert.Contains("2 join token(s) issued, no participantJoined", verdict.Message);
    }

    [Fact]
    public void NeverJoinedDoesNotFire() =>
        // No token, no join: not invited to try, so nothing failed.
        Assert.Empty(Fired("never-joined", Meeting(Person("ann", Connected()), new ParticipantFacts("bob", "Bob", 0, []))));

    [Fact]
    public void OwnNetworkPacketLossFires()
    {
        var input = Meeting(Person("ann", Connected(quality: Steady(loss: 9))), Person("bob", Connected(quality: Steady())), Person("cy", Connected(quality: Steady())));
        var verdict = Assert.Single(Fired("own-network-packet-loss", input));
        Assert.Equal("ann", verdict.Subject);
        Assert.Equal("Only ANN had packet loss above 5% (9%); the 2 other(s) did not: their network.", verdict.Message);
    }

    [Fact]
    public void OwnNetworkPacketLossDoesNotFire()
    {
        // Both lossy: not one person's network.
        var input = Meeting(Person("ann", Connected(quality: Steady(loss: 9))), Person("bob", Connected(quality: Steady(loss: 7))));
        Assert.Empty(Fired("own-network-packet-loss", input));
        // Alone in the session: nobody to compare with.
        Assert.Empty(Fired("own-network-packet-loss", Meeting(Person("ann", Connected(quality: Steady(loss: 9))))));
    }

    [Fact]
    public void HighRttTurnRelayFires()
    {
        var verdict = Assert.Single(Fired("high-rtt-turn-relay", Meeting(Person("ann", Connected(quality: Steady(rtt: 450, turn: true))))));
        Assert.Contains("TURN relay with 450 ms", verdict.Message);
    }

    [Fact]
    public void HighRttTurnRelayDoesNotFire()
    {
        Assert.Empty(Fired("high-rtt-turn-relay", Meeting(Person("ann", Connected(quality: Steady(rtt: 450, turn: false))))));
        Assert.Empty(Fired("high-rtt-turn-relay", Meeting(Person("ann", Connected(quality: Steady(rtt: 120, turn: true))))));
    }

    [Fact]
    public void HighJitterFires() =>
        Assert.Contains("45 ms jitter", Assert.Single(Fired("high-jitter", Meeting(Person("ann", Connected(quality: Steady(jitter: 45)))))).Message);

    [Fact]
    public void HighJitterDoesNotFire() =>
        Assert.Empty(Fired("high-jitter", Meeting(Person("ann", Connected(quality: Steady(jitter: 12))))));

    [Fact]
    public void BitrateCollapseFires()
    {
        var samples = new[] { 1500.0, 1400, 1450, 300, 1500 }.Select((b, i) => new QualitySample(T0.AddMinutes(i), BitrateKbps: b)).ToList();
        var verdict = Assert.Single(Fired("bitrate-collapse", Meeting(Person("ann", Connected(quality: new ConnectionQuality(samples, false))))));
        Assert.Contains("from 1450 to 300 kbit/s", verdict.Message);
    }

    [Fact]
    public void BitrateCollapseDoesNotFire()
    {
        var samples = new[] { 1500.0, 1400, 1450, 1100, 1500 }.Select((b, i) => new QualitySample(T0.AddMinutes(i), BitrateKbps: b)).ToList();
        Assert.Empty(Fired("bitrate-collapse", Meeting(Person("ann", Connected(quality: new ConnectionQuality(samples, false))))));
    }

    [Fact]
    public void ReconnectChurnFires()
    {
        var verdict = Assert.Single(Fired("reconnect-churn", Meeting(Person("ann", Connected(0, 10), Connected(10, 20), Connected(20, 30), Connected(30, 60)))));
        Assert.Contains("reconnected 3 times", verdict.Message);
    }

    [Fact]
    public void ReconnectChurnDoesNotFire() =>
        Assert.Empty(Fired("reconnect-churn", Meeting(Person("ann", Connected(0, 10), Connected(10, 60)))));

    [Fact]
    public void JoinedLateFires() =>
        Assert.Contains("joined 12 min after", Assert.Single(Fired("joined-late", Meeting(Person("ann", Connected(12, 60))))).Message);

    [Fact]
    public void JoinedLateDoesNotFire() =>
        Assert.Empty(Fired("joined-late", Meeting(Person("ann", Connected(2, 60)))));

    [Fact]
    public void LeftEarlyFires() =>
        Assert.Contains("left 20 min before", Assert.Single(Fired("left-early", Meeting(Person("ann", Connected(0, 40))))).Message);

    [Fact]
    public void LeftEarlyDoesNotFire()
    {
        Assert.Empty(Fired("left-early", Meeting(Person("ann", Connected(0, 58)))));
        // Still connected (no leave seen): not early.
        Assert.Empty(Fired("left-early", Meeting(Person("ann", Connected(0, null)))));
    }

    [Fact]
    public void EveryoneDegradedFires()
    {
        // Fine until minute 2, then all three lose packets at once.
        ConnectionQuality Spike() => new([.. Enumerable.Range(0, 5).Select(m => new QualitySample(T0.AddMinutes(m), m == 2 ? 12 : 0.2, 5, 40, 1200))], false);
        var input = Meeting(Person("ann", Connected(quality: Spike())), Person("bob", Connected(quality: Spike())), Person("cy", Connected(quality: Spike())));
        var verdict = Assert.Single(Fired("everyone-degraded", input));
        Assert.Equal(S, verdict.Subject);
        Assert.Equal("session", verdict.Scope);
        Assert.StartsWith("Everyone degraded at 14:02 UTC (3 of 3 participants)", verdict.Message);
    }

    [Fact]
    public void EveryoneDegradedDoesNotFire()
    {
        // One of three degraded: that is a participant problem, not upstream.
        var input = Meeting(Person("ann", Connected(quality: Steady(loss: 12))), Person("bob", Connected(quality: Steady())), Person("cy", Connected(quality: Steady())));
        Assert.Empty(Fired("everyone-degraded", input));
    }

    [Fact]
    public void WebhookFailuresFires()
    {
        var input = Meeting(Person("ann", Connected())) with
        {
            Webhooks =
            [
                new DeliveryFacts("meeting.participantJoined", "processed", S, T0),
                new DeliveryFacts("meeting.ended", "failed", S, T0.AddMinutes(60)),
                new DeliveryFacts("recording.statusUpdate", "failed", null, T0.AddMinutes(61)),
            ],
        };
        var verdict = Assert.Single(Fired("webhook-failures", input));
        Assert.Contains("2 webhook deliveries failed (meeting.ended, recording.statusUpdate)", verdict.Message);
    }

    [Fact]
    public void WebhookFailuresDoesNotFire()
    {
        var input = Meeting(Person("ann", Connected())) with
        {
            // A failure of another session, and one a day later without a session, are not this session's.
            Webhooks = [new DeliveryFacts("meeting.ended", "failed", "other", T0), new DeliveryFacts("meeting.started", "failed", null, T0.AddDays(1)), new DeliveryFacts("meeting.started", "duplicate", S, T0)],
        };
        Assert.Empty(Fired("webhook-failures", input));
    }

    [Fact]
    public void MissedParticipantWebhooksFires()
    {
        var input = Meeting(Person("ann", Connected())) with { Sessions = [new SessionFacts(S, T0, T0.AddMinutes(60), 1, RtkParticipants: 3)] };
        Assert.Contains("RTK saw 3 participants, Castio recorded 1", Assert.Single(Fired("missed-participant-webhooks", input)).Message);
    }

    [Fact]
    public void MissedParticipantWebhooksDoesNotFire()
    {
        var input = Meeting(Person("ann", Connected())) with { Sessions = [new SessionFacts(S, T0, T0.AddMinutes(60), 1, RtkParticipants: 1)] };
        Assert.Empty(Fired("missed-participant-webhooks", input));
        // RTK not reachable: no figure, no verdict.
        Assert.Empty(Fired("missed-participant-webhooks", input with { Sessions = [new SessionFacts(S, T0, T0.AddMinutes(60), 1)] }));
    }

    [Fact]
    public void MissedMeetingEndedFires()
    {
        var input = Meeting(Person("ann", Connected())) with { Sessions = [new SessionFacts(S, T0, null, 1, 1, RtkEnded: true)] };
        Assert.Single(Fired("missed-meeting-ended", input));
    }

    [Fact]
    public void MissedMeetingEndedDoesNotFire()
    {
        var input = Meeting(Person("ann", Connected())) with { Sessions = [new SessionFacts(S, T0, null, 1, 1, RtkEnded: false)] };
        Assert.Empty(Fired("missed-meeting-ended", input));
        Assert.Empty(Fired("missed-meeting-ended", input with { Sessions = [new SessionFacts(S, T0, T0.AddMinutes(60), 1, 1, RtkEnded: true)] }));
    }

    [Fact]
    public void AHealthyMeetingGetsNoVerdict()
    {
        var input = Meeting(Person("ann", Connected(0, 60, Steady())), Person("bob", Connected(1, 59, Steady())));
        Assert.Empty(VerdictRules.Evaluate(input));
    }
}
