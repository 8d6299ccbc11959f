namespace Castio.Core.Diagnostics.Verdicts;

public enum VerdictScope
{
    Participant,
    Session,
}

public static class VerdictSeverity
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Problem = "problem";
}

/// <summary>
/// One verdict rule: which subjects it judges, a predicate over that subject's <see cref="VerdictNumbers"/>, and the
/// message it gives (placeholders <c>{name}</c> filled from the same numbers and texts).
/// </summary>
public sealed record VerdictRule(string Id, VerdictScope Scope, string Severity, Func<VerdictNumbers, bool> When, string Message);

/// <summary>A rule that fired for one subject (a participant id or an RTK session id).</summary>
public sealed record Verdict(string Rule, string Scope, string Subject, string Severity, string Message);

/// <summary>
/// The investigate endpoint's verdicts, as data: each rule reads only named numbers, so each is tested on its own,
/// and adding one is adding a line here.
/// </summary>
public static class VerdictRules
{
    public static readonly IReadOnlyList<VerdictRule> All =
    [
        // ---- Participants
        new("never-joined", VerdictScope.Participant, VerdictSeverity.Problem,
            n => n["tokensIssued"] >= 1 && n["connections"] == 0,
            "{name} never joined: {tokensIssued} join token(s) issued, no participantJoined. The client failed before connecting (browser, permissions, firewall)."),
        new("own-network-packet-loss", VerdictScope.Participant, VerdictSeverity.Problem,
            n => n["packetLossPct"] > VerdictMeasures.LossyPacketLossPct && n["othersWithQuality"] >= 1 && n["othersLossy"] == 0,
            "Only {name} had packet loss above 5% ({packetLossPct}%); the {othersWithQuality} other(s) did not: their network."),
        new("high-rtt-turn-relay", VerdictScope.Participant, VerdictSeverity.Warning,
            n => n["turnUsed"] == 1 && n["relayRttMs"] > 300,
            "{name}'s media went through a TURN relay with {relayRttMs} ms round-trip time: a firewall blocks direct UDP."),
        new("high-jitter", VerdictScope.Participant, VerdictSeverity.Warning,
            n => n["jitterMs"] > 30,
            "{name} had {jitterMs} ms jitter on average: an unstable link (Wi-Fi, mobile or a congested uplink)."),
        new("bitrate-collapse", VerdictScope.Participant, VerdictSeverity.Warning,
            n => n["bitrateDropPct"] >= 60,
            "{name}'s bitrate fell from {bitrateMedianKbps} to {bitrateLowKbps} kbit/s ({bitrateDropPct}% lower): bandwidth ran out."),
        new("reconnect-churn", VerdictScope.Participant, VerdictSeverity.Warning,
            n => n["reconnects"] >= 3,
            "{name} reconnected {reconnects} times in one session: the connection kept dropping."),
        new("joined-late", VerdictScope.Participant, VerdictSeverity.Info,
            n => n["lateMinutes"] >= 5,
            "{name} joined {lateMinutes} min after the session started."),
        new("left-early", VerdictScope.Participant, VerdictSeverity.Info,
            n => n["earlyMinutes"] >= 5,
            "{name} left {earlyMinutes} min before the session ended."),

        // ---- Sessions
        new("everyone-degraded", VerdictScope.Session, VerdictSeverity.Problem,
            n => n["measuredAtWorst"] >= 2 && n["degradedShare"] >= 0.8,
            "Everyone degraded at {degradedAt} ({degradedParticipants} of {measuredAtWorst} participants): upstream (RTK or the region), not one person's network."),
        new("webhook-failures", VerdictScope.Session, VerdictSeverity.Problem,
            n => n["webhooksFailed"] >= 1,
            "{webhooksFailed} webhook deliveries failed ({failedEvents}): Castio's record of this session may be incomplete; replay them."),
        new("missed-participant-webhooks", VerdictScope.Session, VerdictSeverity.Warning,
            n => n["rtkParticipants"] > n["castioParticipants"],
            "RTK saw {rtkParticipants} participants, Castio recorded {castioParticipants}: participantJoined webhooks were missed (reconciliation fills them)."),
        new("missed-meeting-ended", VerdictScope.Session, VerdictSeverity.Warning,
            n => n["rtkEnded"] == 1 && n["castioEnded"] == 0,
            "RTK ended this session but Castio never recorded meeting.ended: the webhook was missed."),
    ];

    /// <summary>Every rule over every subject of its scope, participants first, in rule order.</summary>
    public static IReadOnlyList<Verdict> Evaluate(VerdictInput input, IReadOnlyList<VerdictRule>? rules = null)
    {
        rules ??= All;
        var verdicts = new List<Verdict>();
        foreach (var participant in input.Participants)
        {
            var numbers = VerdictMeasures.ForParticipant(participant, input);
            verdicts.AddRange(rules.Where(r => r.Scope == VerdictScope.Participant && r.When(numbers))
                .Select(r => new Verdict(r.Id, "participant", participant.ParticipantId, r.Severity, numbers.Fill(r.Message))));
        }
        foreach (var session in input.Sessions)
        {
            var numbers = VerdictMeasures.ForSession(session, input);
            verdicts.AddRange(rules.Where(r => r.Scope == VerdictScope.Session && r.When(numbers))
                .Select(r => new Verdict(r.Id, "session", session.SessionId, r.Severity, numbers.Fill(r.Message))));
        }
        return verdicts;
    }
}
