namespace Castio.Core.Diagnostics.Verdicts;

/// <summary>
/// Everything the verdict rules look at, as plain facts: the meeting's sessions, its participants (one per person, with
/// every connection they made and the quality RTK measured on it), the webhook deliveries seen for it.
/// </summary>
public sealed record VerdictInput(
    IReadOnlyList<SessionFacts> Sessions,
    IReadOnlyList<ParticipantFacts> Participants,
    IReadOnlyList<DeliveryFacts> Webhooks);

/// <summary>
/// One RTK session as Castio recorded it, plus what RTK itself reports about it when it could be asked
/// (<paramref name="RtkParticipants"/> people, <paramref name="RtkEnded"/>); null when RTK was not reachable.
/// </summary>
public sealed record SessionFacts(
    string SessionId, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt,
    int CastioParticipants, int? RtkParticipants = null, bool? RtkEnded = null);

/// <summary>A person of the meeting: the tokens Castio issued them and each connection (RTK peer) they made.</summary>
public sealed record ParticipantFacts(
    string ParticipantId, string? Name, int TokensIssued, IReadOnlyList<ConnectionFacts> Connections);

/// <summary>One connection (RTK peer) in a session, with its quality when RTK's peer report was read.</summary>
public sealed record ConnectionFacts(
    string SessionId, string PeerId, DateTimeOffset JoinedAt, DateTimeOffset? LeftAt, ConnectionQuality? Quality = null);

/// <summary>
/// Quality of one connection: samples over time, and whether media went through a TURN relay. Any number RTK did
/// not report is null.
/// </summary>
public sealed record ConnectionQuality(IReadOnlyList<QualitySample> Samples, bool TurnUsed);

/// <summary>One point in time: packet loss in percent, jitter and round-trip time in milliseconds, bitrate in kbit/s.</summary>
public sealed record QualitySample(DateTimeOffset At, double? PacketLossPct = null, double? JitterMs = null, double? RttMs = null, double? BitrateKbps = null);

/// <summary>A webhook delivery of the meeting: event, ledger status, the RTK session it named (if any), when it arrived.</summary>
public sealed record DeliveryFacts(string Event, string Status, string? SessionId, DateTimeOffset ReceivedAt);
