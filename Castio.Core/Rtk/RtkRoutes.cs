namespace Castio.Core.Rtk;

/// <summary>
/// Every RealtimeKit path Castio calls, relative to <see cref="RtkOptions.BaseUrl"/>.
/// App-scoped paths have no <c>apps/</c> segment; only app management does.
/// </summary>
public static class RtkRoutes
{
    private static string Kit(string acc) => $"accounts/{E(acc)}/realtime/kit";
    private static string App(string acc, string app) => $"{Kit(acc)}/{E(app)}";

    public static string Apps(string acc) => $"{Kit(acc)}/apps";

    public static string Meetings(string acc, string app) => $"{App(acc, app)}/meetings";
    public static string Meeting(string acc, string app, string meetingId) => $"{Meetings(acc, app)}/{E(meetingId)}";

    public static string Participants(string acc, string app, string meetingId) => $"{Meeting(acc, app, meetingId)}/participants";
    public static string Participant(string acc, string app, string meetingId, string participantId) =>
        $"{Participants(acc, app, meetingId)}/{E(participantId)}";
    public static string ParticipantToken(string acc, string app, string meetingId, string participantId) =>
        $"{Participant(acc, app, meetingId, participantId)}/token";

    public static string ActiveSession(string acc, string app, string meetingId) => $"{Meeting(acc, app, meetingId)}/active-session";
    public static string ActiveSessionKick(string acc, string app, string meetingId) => $"{ActiveSession(acc, app, meetingId)}/kick";
    public static string ActiveSessionKickAll(string acc, string app, string meetingId) => $"{ActiveSession(acc, app, meetingId)}/kick-all";
    public static string ActiveSessionMuteAll(string acc, string app, string meetingId) => $"{ActiveSession(acc, app, meetingId)}/mute-all";

    public static string Presets(string acc, string app) => $"{App(acc, app)}/presets";
    public static string Preset(string acc, string app, string presetId) => $"{Presets(acc, app)}/{E(presetId)}";

    public static string Sessions(string acc, string app) => $"{App(acc, app)}/sessions";
    public static string Session(string acc, string app, string sessionId) => $"{Sessions(acc, app)}/{E(sessionId)}";
    public static string SessionParticipants(string acc, string app, string sessionId) => $"{Session(acc, app, sessionId)}/participants";
    public static string PeerReport(string acc, string app, string peerId) => $"{Sessions(acc, app)}/peer-report/{E(peerId)}";
    public static string SessionTranscript(string acc, string app, string sessionId) => $"{Session(acc, app, sessionId)}/transcript";
    public static string SessionSummary(string acc, string app, string sessionId) => $"{Session(acc, app, sessionId)}/summary";
    public static string SessionChat(string acc, string app, string sessionId) => $"{Session(acc, app, sessionId)}/chat";

    public static string Recordings(string acc, string app) => $"{App(acc, app)}/recordings";
    public static string Recording(string acc, string app, string recordingId) => $"{Recordings(acc, app)}/{E(recordingId)}";
    public static string ActiveRecording(string acc, string app, string meetingId) => $"{Recordings(acc, app)}/active-recording/{E(meetingId)}";

    public static string MeetingLivestreams(string acc, string app, string meetingId) => $"{Meeting(acc, app, meetingId)}/livestreams";
    public static string ActiveLivestream(string acc, string app, string meetingId) => $"{Meeting(acc, app, meetingId)}/active-livestream";
    public static string ActiveLivestreamStop(string acc, string app, string meetingId) => $"{ActiveLivestream(acc, app, meetingId)}/stop";

    public static string Webhooks(string acc, string app) => $"{App(acc, app)}/webhooks";
    public static string Webhook(string acc, string app, string webhookId) => $"{Webhooks(acc, app)}/{E(webhookId)}";

    public static string DaywiseAnalytics(string acc, string app) => $"{App(acc, app)}/analytics/daywise";

    private static string E(string segment) => Uri.EscapeDataString(segment);
}
