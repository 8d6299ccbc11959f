using System.Globalization;

namespace Castio.Core.Diagnostics.Verdicts;

/// <summary>
/// The named numbers (and a few named texts) one subject of a verdict is judged on. A number that could not be
/// worked out reads as <see cref="double.NaN"/>, so every comparison with it is false and no rule fires on a gap.
/// </summary>
public sealed class VerdictNumbers
{
    private readonly Dictionary<string, double> _numbers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);

    public double this[string name] => _numbers.TryGetValue(name, out var value) ? value : double.NaN;

    public IReadOnlyDictionary<string, double> Numbers => _numbers;

    public IReadOnlyDictionary<string, string> Texts => _texts;

    public VerdictNumbers Set(string name, double? value)
    {
        if (value is { } v && !double.IsNaN(v)) _numbers[name] = v;
        return this;
    }

    public VerdictNumbers SetText(string name, string? value)
    {
        if (value is not null) _texts[name] = value;
        return this;
    }

    /// <summary>Fills <c>{name}</c> placeholders from the texts, then the numbers (at most one decimal); unknown ones stay as they are.</summary>
    public string Fill(string template)
    {
        var text = template;
        foreach (var (name, value) in _texts) text = text.Replace("{" + name + "}", value, StringComparison.Ordinal);
        foreach (var (name, value) in _numbers) text = text.Replace("{" + name + "}", Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return text;
    }
}

/// <summary>Works the <see cref="VerdictNumbers"/> of each participant and each session out of a <see cref="VerdictInput"/>.</summary>
public static class VerdictMeasures
{
    /// <summary>Packet loss above this (percent) is "lossy"; the same line the participant and session rules use.</summary>
    public const double LossyPacketLossPct = 5;

    /// <summary>A one-minute sample counts as degraded above this loss (percent) or this round-trip time (ms).</summary>
    public const double DegradedPacketLossPct = 5;
    public const double DegradedRttMs = 400;

    public static VerdictNumbers ForParticipant(ParticipantFacts participant, VerdictInput input)
    {
        var n = new VerdictNumbers().SetText("name", participant.Name ?? participant.ParticipantId);
        var connections = participant.Connections;
        n.Set("tokensIssued", participant.TokensIssued);
        n.Set("connections", connections.Count);
        n.Set("sessionsJoined", connections.Select(c => c.SessionId).Distinct(StringComparer.Ordinal).Count());
        n.Set("reconnects", connections.Count == 0 ? 0 : connections.GroupBy(c => c.SessionId, StringComparer.Ordinal).Max(g => g.Count() - 1));

        var samples = connections.SelectMany(c => c.Quality?.Samples ?? []).ToList();
        var loss = Mean(samples.Select(s => s.PacketLossPct));
        n.Set("packetLossPct", loss);
        n.Set("jitterMs", Mean(samples.Select(s => s.JitterMs)));
        n.Set("rttMs", Mean(samples.Select(s => s.RttMs)));
        n.Set("bitrateKbps", Mean(samples.Select(s => s.BitrateKbps)));
        n.Set("qualitySamples", samples.Count);
        if (connections.Any(c => c.Quality is not null))
        {
            var relayed = connections.Where(c => c.Quality is { TurnUsed: true }).ToList();
            n.Set("turnUsed", relayed.Count > 0 ? 1 : 0);
            n.Set("relayRttMs", Mean(relayed.SelectMany(c => c.Quality!.Samples).Select(s => s.RttMs)));
        }

        var bitrates = samples.Where(s => s.BitrateKbps is > 0).Select(s => s.BitrateKbps!.Value).Order().ToList();
        if (bitrates.Count >= 3)
        {
            var median = bitrates[bitrates.Count / 2];
            n.Set("bitrateDropPct", 100 * (1 - bitrates[0] / median));
            n.Set("bitrateLowKbps", bitrates[0]);
            n.Set("bitrateMedianKbps", median);
        }

        // Compare with the others who were in the same sessions and have quality figures.
        var sessions = connections.Select(c => c.SessionId).ToHashSet(StringComparer.Ordinal);
        var others = input.Participants
            .Where(p => p.ParticipantId != participant.ParticipantId && p.Connections.Any(c => sessions.Contains(c.SessionId)))
            .Select(p => Mean(p.Connections.SelectMany(c => c.Quality?.Samples ?? []).Select(s => s.PacketLossPct)))
            .Where(l => l is not null)
            .ToList();
        if (loss is not null)
        {
            n.Set("othersWithQuality", others.Count);
            n.Set("othersLossy", others.Count(l => l > LossyPacketLossPct));
        }

        // Late and early against the first session they joined and the last they left.
        if (connections.Count > 0)
        {
            var firstJoin = connections.MinBy(c => c.JoinedAt)!;
            if (input.Sessions.FirstOrDefault(s => s.SessionId == firstJoin.SessionId)?.StartedAt is { } start)
                n.Set("lateMinutes", Math.Max(0, (firstJoin.JoinedAt - start).TotalMinutes));
            var lastSession = connections.MaxBy(c => c.JoinedAt)!.SessionId;
            var inLast = connections.Where(c => c.SessionId == lastSession).ToList();
            if (input.Sessions.FirstOrDefault(s => s.SessionId == lastSession)?.EndedAt is { } end && inLast.All(c => c.LeftAt is not null))
                n.Set("earlyMinutes", Math.Max(0, (end - inLast.Max(c => c.LeftAt!.Value)).TotalMinutes));
        }

        return n;
    }

    public static VerdictNumbers ForSession(SessionFacts session, VerdictInput input)
    {
        var n = new VerdictNumbers().SetText("session", session.SessionId);
        n.Set("castioParticipants", session.CastioParticipants);
        n.Set("rtkParticipants", session.RtkParticipants);
        if (session.RtkEnded is { } rtkEnded)
        {
            n.Set("rtkEnded", rtkEnded ? 1 : 0);
            n.Set("castioEnded", session.EndedAt is null ? 0 : 1);
        }
        if (session.StartedAt is { } started && session.EndedAt is { } ended)
            n.Set("durationMinutes", (ended - started).TotalMinutes);

        // Deliveries that name this session, or none but arrived while it ran (recordings name no session).
        var window = (From: session.StartedAt ?? DateTimeOffset.MinValue, To: (session.EndedAt ?? DateTimeOffset.MaxValue.AddHours(-2)).AddHours(1));
        var mine = input.Webhooks.Where(w => w.SessionId == session.SessionId || (w.SessionId is null && w.ReceivedAt >= window.From && w.ReceivedAt <= window.To)).ToList();
        n.Set("webhooks", mine.Count);
        n.Set("webhooksFailed", mine.Count(w => w.Status == "failed"));
        var failedEvents = mine.Where(w => w.Status == "failed").Select(w => w.Event).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        n.SetText("failedEvents", string.Join(", ", failedEvents));

        // Per participant and minute: was that minute degraded? Then the minute where most participants were.
        var perMinute = new Dictionary<DateTimeOffset, (HashSet<string> Measured, HashSet<string> Degraded)>();
        foreach (var p in input.Participants)
        {
            foreach (var c in p.Connections.Where(c => c.SessionId == session.SessionId && c.Quality is not null))
            {
                foreach (var s in c.Quality!.Samples)
                {
                    var minute = new DateTimeOffset(s.At.UtcTicks - s.At.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
                    if (!perMinute.TryGetValue(minute, out var bucket)) perMinute[minute] = bucket = (new(StringComparer.Ordinal), new(StringComparer.Ordinal));
                    bucket.Measured.Add(p.ParticipantId);
                    if (s.PacketLossPct > DegradedPacketLossPct || s.RttMs > DegradedRttMs) bucket.Degraded.Add(p.ParticipantId);
                }
            }
        }
        var measured = input.Participants.Count(p => p.Connections.Any(c => c.SessionId == session.SessionId && c.Quality is { Samples.Count: > 0 }));
        n.Set("measuredParticipants", measured);
        var worst = perMinute.Where(m => m.Value.Measured.Count >= 2)
            .OrderByDescending(m => (double)m.Value.Degraded.Count / m.Value.Measured.Count).ThenBy(m => m.Key)
            .Select(m => (Minute: m.Key, m.Value.Measured, m.Value.Degraded)).FirstOrDefault();
        if (worst.Measured is not null)
        {
            n.Set("degradedParticipants", worst.Degraded.Count);
            n.Set("degradedShare", (double)worst.Degraded.Count / worst.Measured.Count);
            n.Set("measuredAtWorst", worst.Measured.Count);
            n.SetText("degradedAt", worst.Minute.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture) + " UTC");
        }

        return n;
    }

    private static double? Mean(IEnumerable<double?> values)
    {
        var list = values.Where(v => v is not null && !double.IsNaN(v.Value)).Select(v => v!.Value).ToList();
        return list.Count == 0 ? null : list.Average();
    }
}
