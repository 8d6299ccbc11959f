using System.Text;
using System.Text.Json;
using Castio.Core.Webhooks;

namespace Castio.Tests.Webhooks;

/// <summary>Parsing webhook bodies as RTK documents them (docs/realtimekit.md, Payloads), including the Dyte-era variants.</summary>
public sealed class RtkWebhookPayloadTests
{
    private static RtkWebhookPayload Parse(string json) => RtkWebhookPayload.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void ParticipantJoinedReadsMeetingAndPeer()
    {
        var p = Parse("""
            { "event": "meeting.participantJoined",
              "meeting": { "id": "m1", "sessionId": "s1", "title": "Weekly sync", "roomName": "m1", "status": "LIVE",
                "createdAt": "2026-06-03T10:00:00.000Z", "startedAt": "2026-06-03T10:00:00.000Z", "organizedBy": { "id": "a1", "name": "Org" } },
              "participant": { "peerId": "p1", "userDisplayName": "Mary", "customParticipantId": "u1", "clientSpecificId": "u1", "joinedAt": "2026-06-03T10:00:01.000Z" } }
            """);

        Assert.Equal("meeting.participantJoined", p.Event);
        Assert.Equal("s1", p.EffectiveSessionId);
        Assert.Equal("a1", p.Meeting?.OrganizedBy?.Id);
        Assert.Equal("u1", p.Participant?.CustomParticipantId);
        Assert.Equal(new DateTimeOffset(2026, 6, 3, 10, 0, 1, TimeSpan.Zero), RtkWebhookPayload.ParseTime(p.Participant?.JoinedAt));
    }

    [Theory]
    [InlineData("\"2044680\"")]
    [InlineData("2044680")]
    public void RecordingFileSizeIsReadAsStringOrNumberAndRoomUuidIsTheSession(string fileSize)
    {
        var p = Parse($$$"""
            { "event": "recording.statusUpdate",
              "recording": { "id": "r1", "recordingId": "r1", "status": "UPLOADED", "roomUUID": "s9", "fileSize": {{{fileSize}}},
                "startedTime": "2023-04-14 04:46:08.306221Z", "stopReason": "{'reason':'ALL_PEERS_LEFT','caller':{'type':'INTERNAL'}}" },
              "meeting": { "id": "m1" } }
            """);

        Assert.Equal(2044680, p.Recording?.FileSize);
        Assert.Equal("s9", p.EffectiveSessionId);
        Assert.Equal(new DateTimeOffset(2023, 4, 14, 4, 46, 8, 306, TimeSpan.Zero).AddTicks(2210), RtkWebhookPayload.ParseTime(p.Recording?.StartedTime));
    }

    [Fact]
    public void ChatSyncedIsFlat()
    {
        var p = Parse("""{ "event": "meeting.chatSynced", "sessionId": "s2", "meetingId": "m2", "chatDownloadUrl": "https://x/c.csv", "organizedBy": { "id": "a", "name": "n" } }""");

        Assert.Equal("s2", p.EffectiveSessionId);
        Assert.Equal("https://x/c.csv", p.ChatDownloadUrl);
        Assert.Null(p.Meeting);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"type":"participant.joined"}""")]
    [InlineData("[1,2]")]
    public void BodiesWithoutAnEventAreRefused(string json) => Assert.ThrowsAny<JsonException>(() => Parse(json));
}
