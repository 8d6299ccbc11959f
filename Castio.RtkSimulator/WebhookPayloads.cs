using System.Globalization;
using System.Text.Json.Nodes;

namespace Castio.RtkSimulator;

/// <summary>Webhook bodies as RTK documents them: camelCase, discriminated by the top-level <c>event</c>.</summary>
internal static class WebhookPayloads
{
    public static readonly string[] AllEvents =
    [
        "meeting.started", "meeting.ended", "meeting.participantJoined", "meeting.participantLeft", "meeting.chatSynced",
        "recording.statusUpdate", "livestreaming.statusUpdate", "meeting.transcript", "meeting.summary",
    ];

    private static string Iso(DateTimeOffset t) => RtkSimulatorState.Iso(t);

    private static JsonObject OrganizedBy(SimApp app) => new() { ["id"] = app.Id, ["name"] = app.Name };

    /// <summary>The common <c>meeting</c> object; <c>status</c> stays "LIVE" even once ended, as RTK sends it.</summary>
    private static JsonObject Meeting(SimApp app, SimSession session, bool withEnd)
    {
        var meeting = new JsonObject
        {
            ["id"] = session.MeetingId,
            ["sessionId"] = session.Id,
            ["title"] = session.Title,
            ["roomName"] = session.MeetingId,
            ["status"] = "LIVE",
            ["createdAt"] = Iso(session.CreatedAt),
            ["startedAt"] = Iso(session.StartedAt),
        };
        if (withEnd) meeting["endedAt"] = RtkSimulatorState.Iso(session.EndedAt);
        meeting["organizedBy"] = OrganizedBy(app);
        return meeting;
    }

    public static JsonObject MeetingStarted(RtkSimulatorState s, SimApp app, SimSession session) =>
        new() { ["event"] = "meeting.started", ["meeting"] = Meeting(app, session, withEnd: false) };

    public static JsonObject MeetingEnded(RtkSimulatorState s, SimApp app, SimSession session, string reason) =>
        new() { ["event"] = "meeting.ended", ["meeting"] = Meeting(app, session, withEnd: true), ["reason"] = reason };

    public static JsonObject ParticipantEvent(RtkSimulatorState s, SimApp app, SimSession session, SimPeer peer, bool joined)
    {
        var participant = new JsonObject
        {
            ["peerId"] = peer.Id,
            ["userDisplayName"] = peer.DisplayName,
            ["customParticipantId"] = peer.CustomParticipantId,
            ["clientSpecificId"] = peer.CustomParticipantId,
            ["joinedAt"] = Iso(peer.JoinedAt),
        };
        if (!joined) participant["leftAt"] = RtkSimulatorState.Iso(peer.LeftAt);
        return new()
        {
            ["event"] = joined ? "meeting.participantJoined" : "meeting.participantLeft",
            ["meeting"] = Meeting(app, session, withEnd: !joined),
            ["participant"] = participant,
        };
    }

    public static JsonObject ChatSynced(RtkSimulatorState s, SimApp app, SimSession session) => new()
    {
        ["event"] = "meeting.chatSynced",
        ["sessionId"] = session.Id,
        ["meetingId"] = session.MeetingId,
        ["title"] = session.Title,
        ["chatDownloadUrl"] = s.FileUrl(session.Chat!),
        ["chatDownloadUrlExpiry"] = Iso(session.Chat!.Expiry),
        ["createdAt"] = Iso(session.CreatedAt),
        ["startedAt"] = Iso(session.StartedAt),
        ["endedAt"] = RtkSimulatorState.Iso(session.EndedAt),
        ["organizedBy"] = OrganizedBy(app),
    };

    public static JsonObject Transcript(RtkSimulatorState s, SimApp app, SimSession session) => new()
    {
        ["event"] = "meeting.transcript",
        ["meeting"] = Meeting(app, session, withEnd: true),
        ["transcriptDownloadUrl"] = s.FileUrl(session.Transcript!),
        ["transcriptDownloadUrlExpiry"] = Iso(session.Transcript!.Expiry),
    };

    public static JsonObject Summary(RtkSimulatorState s, SimApp app, SimSession session) => new()
    {
        ["event"] = "meeting.summary",
        ["meeting"] = Meeting(app, session, withEnd: true),
        ["summaryDownloadUrl"] = s.FileUrl(session.Summary!),
        ["summaryDownloadUrlExpiry"] = Iso(session.Summary!.Expiry),
    };

    public static JsonObject RecordingStatus(RtkSimulatorState s, SimApp app, SimRecording r)
    {
        var recording = new JsonObject
        {
            ["id"] = r.Id,
            ["recordingId"] = r.Id,
            ["status"] = r.Status,
            ["meetingId"] = r.MeetingId,
            ["organizationId"] = app.Id,
            ["roomUUID"] = r.SessionId,
            ["startedTime"] = RtkSimulatorState.Iso(r.StartedTime),
            ["stoppedTime"] = RtkSimulatorState.Iso(r.StoppedTime),
            ["outputFileName"] = r.OutputFileName,
            // Cloudflare's documented example sends fileSize as a string, so receivers must accept one.
            ["fileSize"] = r.FileSize?.ToString(CultureInfo.InvariantCulture),
            ["recordingDuration"] = r.StartedTime is { } started && r.StoppedTime is { } stopped ? (int)(stopped - started).TotalSeconds : null,
        };
        if (r.Status == "UPLOADED" && r.DownloadUrl is not null)
        {
            recording["downloadUrl"] = r.DownloadUrl;
            recording["audioDownloadUrl"] = r.AudioDownloadUrl;
            recording["downloadUrlExpiry"] = RtkSimulatorState.Iso(r.DownloadUrlExpiry);
        }
        if (r.StopReason is not null) recording["stopReason"] = $"{{'reason':'{r.StopReason}','caller':{{'type':'INTERNAL'}}}}";
        var session = r.SessionId is not null && app.Sessions.TryGetValue(r.SessionId, out var sess) ? sess : null;
        JsonObject meeting = session is not null
            ? Meeting(app, session, withEnd: true)
            : new JsonObject { ["id"] = r.MeetingId, ["organizedBy"] = OrganizedBy(app) };
        return new() { ["event"] = "recording.statusUpdate", ["recording"] = recording, ["meeting"] = meeting };
    }

    public static JsonObject Livestream(RtkSimulatorState s, SimApp app, SimLivestream l)
    {
        var m = l.MeetingId is not null && app.Meetings.TryGetValue(l.MeetingId, out var found) ? found : null;
        return new()
        {
            ["event"] = "livestreaming.statusUpdate",
            ["streamId"] = l.Id,
            ["status"] = l.Status,
            ["manualIngest"] = false,
            ["playbackUrl"] = RestApi.PlaybackUrl(l),
            ["ingestServer"] = RestApi.IngestServer,
            ["streamKey"] = l.StreamKey,
            ["meeting"] = new JsonObject
            {
                ["id"] = l.MeetingId,
                ["title"] = m?.Title,
                ["createdAt"] = m is null ? null : Iso(m.CreatedAt),
                ["roomName"] = l.MeetingId,
                ["status"] = "LIVE",
                ["organizedBy"] = OrganizedBy(app),
            },
        };
    }
}
