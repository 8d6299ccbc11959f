namespace Castio.Core.Rtk;

public static class RtkWebhookEvents
{
    public const string MeetingStarted = "meeting.started";
    public const string MeetingEnded = "meeting.ended";
    public const string ParticipantJoined = "meeting.participantJoined";
    public const string ParticipantLeft = "meeting.participantLeft";
    public const string ChatSynced = "meeting.chatSynced";
    public const string RecordingStatusUpdate = "recording.statusUpdate";
    public const string LivestreamingStatusUpdate = "livestreaming.statusUpdate";
    public const string Transcript = "meeting.transcript";
    public const string Summary = "meeting.summary";

    public static IReadOnlyList<string> All { get; } =
        [MeetingStarted, MeetingEnded, ParticipantJoined, ParticipantLeft, ChatSynced, RecordingStatusUpdate, LivestreamingStatusUpdate, Transcript, Summary];
}
public sealed record RtkWebhookRequest
{
    public required string Name { get; init; }
    public required string Url { get; init; }
    public required IReadOnlyList<string> Events { get; init; }
    public bool? Enabled { get; init; }
}
public sealed record RtkWebhookUpdate
{
    public string? Name { get; init; }
    public string? Url { get; init; }
    public IReadOnlyList<string>? Events { get; init; }
    public bool? Enabled { get; init; }
}
public sealed record RtkWebhook
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string? Url { get; init; }
    public List<string> Events { get; init; } = [];
    public bool Enabled { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}
