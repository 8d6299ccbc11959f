using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Castio.Core.Rtk;

// REST models (docs/realtimekit.md). Property names become snake_case through RtkJsonContext; the few
// fields RTK spells otherwise carry [JsonPropertyName]. Enum-like values stay strings so a new
// value from RTK never breaks parsing; known values live in the *Values classes below.

/// <summary>The RTK response envelope: <c>data</c> on success; <c>error</c> (RTK) or <c>errors[]</c> (Cloudflare's gateway) on failure.</summary>
public sealed class RtkEnvelope<T>
{
    public bool Success { get; init; }
    public T? Data { get; init; }
    public RtkPaging? Paging { get; init; }
    public RtkErrorBody? Error { get; init; }
    public List<RtkGatewayError>? Errors { get; init; }
}

public sealed record RtkPaging(int TotalCount, int StartOffset, int EndOffset);
public sealed record RtkErrorBody(int Code, string? Message);
public sealed record RtkGatewayError(int Code, string? Message);

/// <summary>One page of a list call.</summary>
public sealed record RtkPage<T>(IReadOnlyList<T> Items, RtkPaging? Paging);

/// <summary>1-based page number and page size (query <c>page_no</c>, <c>per_page</c>).</summary>
public sealed record RtkPageRequest(int? PageNo = null, int? PerPage = null);

public static class RtkMeetingStatusValues { public const string Active = "ACTIVE"; public const string Inactive = "INACTIVE"; }
public static class RtkSessionStatusValues { public const string Live = "LIVE"; public const string Ended = "ENDED"; }
public static class RtkRecordingStatusValues
{
    public const string Invoked = "INVOKED"; public const string Recording = "RECORDING"; public const string Uploading = "UPLOADING";
    public const string Uploaded = "UPLOADED"; public const string Errored = "ERRORED"; public const string Paused = "PAUSED";
}
public static class RtkRecordingActions { public const string Stop = "stop"; public const string Pause = "pause"; public const string Resume = "resume"; }

// Apps
public sealed record RtkApp
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
}
public sealed record RtkCreateAppRequest(string Name);
public sealed record RtkCreateAppResult(RtkApp App);

// Meetings
public record RtkMeetingRequest
{
    public string? Title { get; init; }
    public bool? RecordOnStart { get; init; }
    public bool? LiveStreamOnStart { get; init; }
    public bool? PersistChat { get; init; }
    public bool? SummarizeOnEnd { get; init; }
    public bool? TranscribeOnEnd { get; init; }
    public int? SessionKeepAliveTimeInSecs { get; init; }
    public RtkAiConfig? AiConfig { get; init; }
    public RtkRecordingConfig? RecordingConfig { get; init; }
}

/// <summary>PATCH body: the create fields plus <c>status</c>, which RTK's create schema lacks, so only PATCH may set it.</summary>
public sealed record RtkMeetingUpdate : RtkMeetingRequest
{
    public string? Status { get; init; }
}

public sealed record RtkMeeting
{
    public string Id { get; init; } = "";
    public string? Title { get; init; }
    public string? Status { get; init; }
    public bool? RecordOnStart { get; init; }
    public bool? LiveStreamOnStart { get; init; }
    public bool? PersistChat { get; init; }
    public bool? SummarizeOnEnd { get; init; }
    public bool? TranscribeOnEnd { get; init; }
    public int? SessionKeepAliveTimeInSecs { get; init; }
    public RtkRecordingConfig? RecordingConfig { get; init; }
    public RtkAiConfig? AiConfig { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record RtkMeetingListQuery
{
    public int? PageNo { get; init; }
    public int? PerPage { get; init; }
    public string? Search { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public string? Status { get; init; }
}

public sealed record RtkAiConfig
{
    public RtkTranscriptionConfig? Transcription { get; init; }
    public RtkSummarizationConfig? Summarization { get; init; }
}
public sealed record RtkTranscriptionConfig
{
    public string? Language { get; init; }
    public List<string>? Keywords { get; init; }
    public bool? ProfanityFilter { get; init; }
}
public sealed record RtkSummarizationConfig
{
    public int? WordLimit { get; init; }
    public string? TextFormat { get; init; }
    public string? SummaryType { get; init; }
}

public sealed record RtkRecordingConfig
{
    public string? FileNamePrefix { get; init; }
    public int? MaxSeconds { get; init; }
    public RtkAudioConfig? AudioConfig { get; init; }
    public RtkVideoConfig? VideoConfig { get; init; }
    public RtkStorageConfig? StorageConfig { get; init; }
    public RtkBucketConfig? RealtimekitBucketConfig { get; init; }
    public RtkRtmpConfig? LiveStreamingConfig { get; init; }
}
public sealed record RtkAudioConfig
{
    public string? Codec { get; init; }
    public string? Channel { get; init; }
    public bool? ExportFile { get; init; }
}
public sealed record RtkVideoConfig
{
    public string? Codec { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public bool? ExportFile { get; init; }
    public RtkWatermark? Watermark { get; init; }
}
public sealed record RtkWatermark
{
    public string? Url { get; init; }
    public string? Position { get; init; }
    public RtkSize? Size { get; init; }
}
public sealed record RtkSize(int Width, int Height);

/// <summary>External storage for recordings. <c>access_key</c>/<c>secret</c> are write-only secrets.</summary>
public sealed record RtkStorageConfig
{
    public string Type { get; init; } = "";
    public string? Bucket { get; init; }
    public string? Path { get; init; }
    public string? Region { get; init; }
    public string? AccessKey { get; init; }
    public string? Secret { get; init; }
    public string? AuthMethod { get; init; }
    public string? Host { get; init; }
    public int? Port { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? PrivateKey { get; init; }

    public override string ToString() => $"RtkStorageConfig {{ Type = {Type}, Bucket = {Bucket} }}"; // keeps secrets out of logs
}
public sealed record RtkBucketConfig(bool Enabled);
public sealed record RtkRtmpConfig(string RtmpUrl);

// Participants
public sealed record RtkAddParticipantRequest
{
    public required string CustomParticipantId { get; init; }
    public required string PresetName { get; init; }
    public string? Name { get; init; }
    public string? Picture { get; init; }
}
public sealed record RtkParticipantUpdate
{
    public string? Name { get; init; }
    public string? Picture { get; init; }
    public string? PresetName { get; init; }
}

/// <summary>A meeting participant. <see cref="Token"/> is present only on add and update, never on GET or list.</summary>
public sealed record RtkParticipant
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string? Picture { get; init; }
    public string? CustomParticipantId { get; init; }
    public string? PresetName { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string? Token { get; init; }

    public override string ToString() => $"RtkParticipant {{ Id = {Id}, PresetName = {PresetName} }}"; // never print the token
}
public sealed record RtkDeletedParticipant
{
    public string? CustomParticipantId { get; init; }
    public string? PresetId { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}
public sealed record RtkParticipantToken(string Token)
{
    public override string ToString() => "RtkParticipantToken { Token = *** }";
}

// Active session
public sealed record RtkKickRequest(List<string> ParticipantIds, List<string> CustomParticipantIds);
public sealed record RtkMuteAllRequest(bool AllowUnmute);
public sealed record RtkSessionParticipant
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? Picture { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}
public sealed record RtkKickResult
{
    public string? Action { get; init; }
    public List<RtkSessionParticipant> Participants { get; init; } = [];
}
public sealed record RtkKickAllResult
{
    public string? Action { get; init; }
    public int KickedParticipantsCount { get; init; }
}
public sealed record RtkMuteAllResult
{
    public string? Action { get; init; }
    public int MutedParticipantsCount { get; init; }
}

// Sessions
public sealed record RtkSession
{
    public string Id { get; init; } = "";
    public string? AssociatedId { get; init; }
    public string? MeetingDisplayName { get; init; }
    public string? OrganizationId { get; init; }
    public string? Type { get; init; }
    public string? Status { get; init; }
    public int? LiveParticipants { get; init; }
    public int? MaxConcurrentParticipants { get; init; }
    public double? MinutesConsumed { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public List<RtkSession>? BreakoutRooms { get; init; }
}
public sealed record RtkSessionListQuery
{
    public string? AssociatedId { get; init; }
    public string? Status { get; init; }
    public string? Search { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public int? PageNo { get; init; }
    public int? PerPage { get; init; }
    public string? SortBy { get; init; }
    public string? SortOrder { get; init; }
    public string? Participants { get; init; }
}
public sealed record RtkSessionParticipantsQuery
{
    public int? PageNo { get; init; }
    public int? PerPage { get; init; }
    public string? Search { get; init; }
    public string? SortBy { get; init; }
    public string? SortOrder { get; init; }
    public bool? IncludePeerEvents { get; init; }
    public string? View { get; init; }
}
public sealed record RtkSessionList
{
    public List<RtkSession> Sessions { get; init; } = [];
}
public sealed record RtkSessionPeerList
{
    public List<RtkSessionPeer> Participants { get; init; } = [];
    public RtkPaging? Paging { get; init; }
}

/// <summary>One connection of a participant in a session. <see cref="Id"/> is the peer id, new on every rejoin; <see cref="UserId"/> is the participant id.</summary>
public record RtkSessionPeer
{
    public string Id { get; init; } = "";
    public string? UserId { get; init; }
    public string? CustomParticipantId { get; init; }
    public string? DisplayName { get; init; }
    public string? PresetName { get; init; }
    public DateTimeOffset? JoinedAt { get; init; }
    public DateTimeOffset? LeftAt { get; init; }
    public double? Duration { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public List<RtkPeerEvent>? PeerEvents { get; init; }
}
public sealed record RtkPeerEvent
{
    public string Id { get; init; } = "";
    public string? EventName { get; init; }
    public string? PeerId { get; init; }
    public string? ParticipantId { get; init; }
    public string? SessionId { get; init; }
    public string? PresetViewType { get; init; }
    public double? MinutesConsumed { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>Filters for the peer report.</summary>
public static class RtkPeerReportFilters
{
    public const string DeviceInfo = "device_info"; public const string IpInformation = "ip_information";
    public const string PrecallNetworkInformation = "precall_network_information"; public const string Events = "events";
    public const string QualityStats = "quality_stats";
}
public sealed record RtkPeerReport(RtkPeerReportParticipant Participant);
public sealed record RtkPeerReportParticipant : RtkSessionPeer
{
    public string? Role { get; init; }
    public string? SessionId { get; init; }
    /// <summary>Metadata and quality samples; large and loosely specified, so kept as JSON.</summary>
    public JsonObject? PeerReport { get; init; }
}

public static class RtkTranscriptFormats { public const string Srt = "SRT"; public const string Vtt = "VTT"; public const string Json = "JSON"; public const string Csv = "CSV"; }

/// <summary>Transcript link; RTK answers a camelCase <c>sessionId</c> beside snake_case link fields.</summary>
public sealed record RtkTranscript
{
    [JsonPropertyName("sessionId")] public string? SessionId { get; init; }
    public string? TranscriptDownloadUrl { get; init; }
    public DateTimeOffset? TranscriptDownloadUrlExpiry { get; init; }
}
public sealed record RtkSummary
{
    [JsonPropertyName("sessionId")] public string? SessionId { get; init; }
    [JsonPropertyName("summaryDownloadUrl")] public string? SummaryDownloadUrl { get; init; }
    [JsonPropertyName("summaryDownloadUrlExpiry")] public DateTimeOffset? SummaryDownloadUrlExpiry { get; init; }
}
public sealed record RtkSummaryTrigger
{
    public string? SessionId { get; init; }
    public string? Status { get; init; }
}
public sealed record RtkChatExport
{
    public string? ChatDownloadUrl { get; init; }
    public DateTimeOffset? ChatDownloadUrlExpiry { get; init; }
}

// Recordings
public sealed record RtkStartRecordingRequest
{
    public required string MeetingId { get; init; }
    public bool? AllowMultipleRecordings { get; init; }
    public int? MaxSeconds { get; init; }
    public string? FileNamePrefix { get; init; }
    public RtkAudioConfig? AudioConfig { get; init; }
    public RtkVideoConfig? VideoConfig { get; init; }
    public RtkStorageConfig? StorageConfig { get; init; }
    public RtkBucketConfig? RealtimekitBucketConfig { get; init; }
    public RtkRtmpConfig? RtmpOutConfig { get; init; }
    public string? Url { get; init; }
}
public sealed record RtkRecordingActionRequest(string Action);

public sealed record RtkRecording
{
    public string Id { get; init; } = "";
    public string? Status { get; init; }
    public string? SessionId { get; init; }
    public string? MeetingId { get; init; }
    public string? OutputFileName { get; init; }
    public DateTimeOffset? InvokedTime { get; init; }
    public DateTimeOffset? StartedTime { get; init; }
    public DateTimeOffset? StoppedTime { get; init; }
    public double? RecordingDuration { get; init; }
    // Documented as a number, seen as a string in one example: read both.
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)] public long? FileSize { get; init; }
    /// <summary>Null for TRACK recordings, whose <c>download_url</c> is an array Castio does not use.</summary>
    [JsonConverter(typeof(StringOrNullConverter))] public string? DownloadUrl { get; init; }
    public string? AudioDownloadUrl { get; init; }
    public DateTimeOffset? DownloadUrlExpiry { get; init; }
    public RtkRecordingReason? StartReason { get; init; }
    public RtkRecordingReason? StopReason { get; init; }
    public RtkStorageConfig? StorageConfig { get; init; }
    public RtkMeeting? Meeting { get; init; }
}
public sealed record RtkRecordingReason
{
    public string? Reason { get; init; }
    public RtkRecordingCaller? Caller { get; init; }
}
public sealed record RtkRecordingCaller
{
    public string? Type { get; init; }
    public string? Name { get; init; }
    [JsonPropertyName("user_Id")] public string? UserId { get; init; }
}
public sealed record RtkRecordingListQuery
{
    public string? MeetingId { get; init; }
    public IReadOnlyList<string>? Status { get; init; }
    public bool? Expired { get; init; }
    public string? Search { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public string? SortBy { get; init; }
    public string? SortOrder { get; init; }
    public int? PageNo { get; init; }
    public int? PerPage { get; init; }
}

// Livestreams
public sealed record RtkStartLivestreamRequest
{
    public string? Name { get; init; }
    public RtkSize? VideoConfig { get; init; }
}
public sealed record RtkLivestream
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string? MeetingId { get; init; }
    public string? Status { get; init; }
    public string? IngestServer { get; init; }
    public string? StreamKey { get; init; }
    public string? PlaybackUrl { get; init; }
    /// <summary>Typed as bool or string depending on the endpoint, so left as JSON.</summary>
    public JsonNode? Disabled { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    public override string ToString() => $"RtkLivestream {{ Id = {Id}, Status = {Status} }}"; // stream key is a secret
}
public sealed record RtkMessage(string? Message);

// Webhooks
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

// Analytics
public sealed record RtkDaywiseAnalytics
{
    public RtkSessionStats? SessionStats { get; init; }
    public RtkRecordingStats? RecordingStats { get; init; }
}
public sealed record RtkSessionStats
{
    public int SessionsCount { get; init; }
    public double SessionsMinutesConsumed { get; init; }
    public List<RtkSessionDayStat> DayStats { get; init; } = [];
}
public sealed record RtkSessionDayStat
{
    public string? Day { get; init; }
    public int TotalSessions { get; init; }
    public double TotalSessionMinutes { get; init; }
}
public sealed record RtkRecordingStats
{
    public int RecordingCount { get; init; }
    public double RecordingMinutesConsumed { get; init; }
    public List<RtkRecordingDayStat> DayStats { get; init; } = [];
}
public sealed record RtkRecordingDayStat
{
    public string? Day { get; init; }
    public int TotalRecordings { get; init; }
    public double TotalRecordingMinutes { get; init; }
}

/// <summary>Reads a JSON string; any other JSON value (array, object, number) reads as null instead of failing.</summary>
public sealed class StringOrNullConverter : JsonConverter<string?>
{
    public override string? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        if (reader.TokenType == System.Text.Json.JsonTokenType.String) return reader.GetString();
        reader.Skip();
        return null;
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, string? value, System.Text.Json.JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteStringValue(value);
    }
}
