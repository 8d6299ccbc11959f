using System.Text.Json.Serialization;

namespace Castio.Core.Rtk;

public static class RtkRecordingStatusValues
{
    public const string Invoked = "INVOKED"; public const string Recording = "RECORDING"; public const string Uploading = "UPLOADING";
    public const string Uploaded = "UPLOADED"; public const string Errored = "ERRORED"; public const string Paused = "PAUSED";
}
public static class RtkRecordingActions { public const string Stop = "stop"; public const string Pause = "pause"; public const string Resume = "resume"; }

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
