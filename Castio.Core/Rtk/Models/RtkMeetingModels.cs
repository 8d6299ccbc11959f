namespace Castio.Core.Rtk;

public static class RtkMeetingStatusValues { public const string Active = "ACTIVE"; public const string Inactive = "INACTIVE"; }

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
