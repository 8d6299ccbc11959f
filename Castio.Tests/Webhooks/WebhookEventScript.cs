using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Castio.Tests.Webhooks;

/// <summary>One RTK webhook delivery as RTK would send it: body bytes and its <c>rtk-uuid</c>.</summary>
public sealed record ScriptedDelivery(string SessionId, string Uuid, byte[] Body, string Event);

/// <summary>
/// Writes realistic RTK webhook traffic for many sessions of some RTK meetings: start, joins, leaves and rejoins,
/// a recording through its statuses, a livestream, end, chat, transcript and summary. Deterministic for a seed.
/// </summary>
public static class WebhookEventScript
{
    private static readonly DateTimeOffset Epoch = new(2026, 6, 3, 10, 0, 0, TimeSpan.Zero);

    public static List<ScriptedDelivery> Generate(IReadOnlyList<string> rtkMeetingIds, string appId, int atLeast, int seed)
    {
        var random = new Random(seed);
        var events = new List<ScriptedDelivery>();
        for (var n = 0; events.Count < atLeast; n++)
        {
            var meetingId = rtkMeetingIds[n % rtkMeetingIds.Count];
            events.AddRange(Session(random, meetingId, appId, Epoch.AddMinutes(n * 7)));
        }
        return events;
    }

    private static IEnumerable<ScriptedDelivery> Session(Random random, string meetingId, string appId, DateTimeOffset start)
    {
        var sessionId = Guid.NewGuid().ToString("D");
        var t = start;
        var list = new List<ScriptedDelivery>();
        JsonObject Meeting(DateTimeOffset? ended = null) => new()
        {
            ["id"] = meetingId, ["sessionId"] = sessionId, ["title"] = "Scripted", ["roomName"] = meetingId, ["status"] = "LIVE",
            ["createdAt"] = Iso(start), ["startedAt"] = Iso(start), ["endedAt"] = ended is null ? null : Iso(ended.Value),
            ["organizedBy"] = new JsonObject { ["id"] = appId, ["name"] = "Castio" },
        };
        void Add(JsonObject payload) => list.Add(new ScriptedDelivery(sessionId, Guid.NewGuid().ToString("D"), Encoding.UTF8.GetBytes(payload.ToJsonString()), (string)payload["event"]!));

        Add(new JsonObject { ["event"] = "meeting.started", ["meeting"] = Meeting() });
        var people = random.Next(3, 9);
        var open = new List<(string Peer, string Person, string Name, DateTimeOffset Joined)>();
        for (var p = 0; p < people; p++)
        {
            var person = Guid.NewGuid().ToString("D");
            var visits = random.Next(1, 3);
            for (var v = 0; v < visits; v++)
            {
                t = t.AddSeconds(random.Next(1, 40));
                var peer = (Guid.NewGuid().ToString("D"), person, $"Person {p}", t);
                open.Add(peer);
                Add(Participant("meeting.participantJoined", Meeting(), peer, null));
                if (v < visits - 1 || random.Next(3) > 0)
                {
                    t = t.AddSeconds(random.Next(5, 300));
                    open.Remove(peer);
                    Add(Participant("meeting.participantLeft", Meeting(), peer, t));
                }
            }
        }
        var recordingId = Guid.NewGuid().ToString("D");
        var recordingStart = start.AddSeconds(5);
        foreach (var status in new[] { "RECORDING", "UPLOADING", "UPLOADED" })
        {
            var uploaded = status == "UPLOADED";
            Add(new JsonObject
            {
                ["event"] = "recording.statusUpdate", ["meeting"] = Meeting(),
                ["recording"] = new JsonObject
                {
                    ["id"] = recordingId, ["recordingId"] = recordingId, ["status"] = status, ["meetingId"] = meetingId, ["organizationId"] = appId,
                    ["roomUUID"] = sessionId, ["startedTime"] = Iso(recordingStart), ["stoppedTime"] = status == "RECORDING" ? null : Iso(t),
                    ["outputFileName"] = $"{meetingId}.mp4", ["fileSize"] = uploaded ? (random.Next(1000, 9_000_000)).ToString(CultureInfo.InvariantCulture) : null,
                    ["recordingDuration"] = uploaded ? (int)(t - recordingStart).TotalSeconds : null,
                    ["downloadUrl"] = uploaded ? $"https://rtk.example/rec/{recordingId}.mp4" : null,
                    ["downloadUrlExpiry"] = uploaded ? Iso(t.AddDays(7)) : null,
                },
            });
        }
        var streamId = Guid.NewGuid().ToString("D");
        foreach (var status in new[] { "LIVE", "OFFLINE" })
            Add(new JsonObject { ["event"] = "livestreaming.statusUpdate", ["streamId"] = streamId, ["status"] = status, ["manualIngest"] = false, ["playbackUrl"] = "https://stream.example/x.m3u8", ["meeting"] = Meeting() });

        t = t.AddSeconds(random.Next(1, 60));
        var end = t;
        foreach (var peer in open.ToList())
            Add(Participant("meeting.participantLeft", Meeting(end), peer, end));
        Add(new JsonObject { ["event"] = "meeting.ended", ["reason"] = "ALL_PARTICIPANTS_LEFT", ["meeting"] = Meeting(end) });
        Add(new JsonObject
        {
            ["event"] = "meeting.chatSynced", ["sessionId"] = sessionId, ["meetingId"] = meetingId, ["title"] = "Scripted",
            ["chatDownloadUrl"] = $"https://rtk.example/chat/{sessionId}.csv", ["chatDownloadUrlExpiry"] = Iso(end.AddDays(7)),
            ["createdAt"] = Iso(start), ["startedAt"] = Iso(start), ["endedAt"] = Iso(end), ["organizedBy"] = new JsonObject { ["id"] = appId, ["name"] = "Castio" },
        });
        Add(new JsonObject { ["event"] = "meeting.transcript", ["meeting"] = Meeting(end), ["transcriptDownloadUrl"] = $"https://rtk.example/t/{sessionId}.csv", ["transcriptDownloadUrlExpiry"] = Iso(end.AddDays(7)) });
        Add(new JsonObject { ["event"] = "meeting.summary", ["meeting"] = Meeting(end), ["summaryDownloadUrl"] = $"https://rtk.example/s/{sessionId}.md", ["summaryDownloadUrlExpiry"] = Iso(end.AddDays(7)) });
        return list;
    }

    private static JsonObject Participant(string eventName, JsonObject meeting, (string Peer, string Person, string Name, DateTimeOffset Joined) peer, DateTimeOffset? left) => new()
    {
        ["event"] = eventName, ["meeting"] = meeting,
        ["participant"] = new JsonObject
        {
            ["peerId"] = peer.Peer, ["userDisplayName"] = peer.Name, ["customParticipantId"] = peer.Person, ["clientSpecificId"] = peer.Person,
            ["joinedAt"] = Iso(peer.Joined), ["leftAt"] = left is null ? null : Iso(left.Value),
        },
    };

    /// <summary>The script with <paramref name="share"/> of its deliveries sent again (half with the same rtk-uuid, half with a new one), shuffled.</summary>
    public static List<ScriptedDelivery> WithDuplicatesShuffled(IReadOnlyList<ScriptedDelivery> clean, double share, int seed)
    {
        var random = new Random(seed);
        var all = new List<ScriptedDelivery>(clean);
        var extra = (int)(clean.Count * share);
        for (var i = 0; i < extra; i++)
        {
            var original = clean[random.Next(clean.Count)];
            all.Add(i % 2 == 0 ? original : original with { Uuid = Guid.NewGuid().ToString("D") });
        }
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(all));
        return all;
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
