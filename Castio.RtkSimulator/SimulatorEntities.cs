using System.Text.Json.Nodes;

namespace Castio.RtkSimulator;

// In-memory state. Every field is read and written under SimulatorState's lock.

internal sealed class SimApp
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public Dictionary<string, SimPreset> Presets { get; } = [];
    public Dictionary<string, SimMeeting> Meetings { get; } = [];
    public Dictionary<string, SimSession> Sessions { get; } = [];
    public Dictionary<string, SimRecording> Recordings { get; } = [];
    public Dictionary<string, SimLivestream> Livestreams { get; } = [];
    public Dictionary<string, SimWebhook> Webhooks { get; } = [];
}

internal sealed class SimPreset
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required JsonObject Config { get; set; }
    public required JsonObject Permissions { get; set; }
    public required JsonObject Ui { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SimMeeting
{
    public required string Id { get; init; }
    public string? Title { get; set; }
    public string Status { get; set; } = "ACTIVE";
    public bool RecordOnStart { get; set; }
    public bool LiveStreamOnStart { get; set; }
    public bool PersistChat { get; set; }
    public bool SummarizeOnEnd { get; set; }
    public bool TranscribeOnEnd { get; set; }
    public int SessionKeepAliveTimeInSecs { get; set; } = 60;
    public JsonObject RecordingConfig { get; set; } = [];
    public JsonObject AiConfig { get; set; } = [];
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Dictionary<string, SimParticipant> Participants { get; } = [];
}

internal sealed class SimParticipant
{
    public required string Id { get; init; }
    public required string MeetingId { get; init; }
    public string? Name { get; set; }
    public string? Picture { get; set; }
    public required string CustomParticipantId { get; set; }
    public required string PresetName { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SimSession
{
    public required string Id { get; init; }
    public required string MeetingId { get; init; }
    public required string Title { get; init; }
    public string Status { get; set; } = "LIVE";
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<SimPeer> Peers { get; } = [];
    public int MaxConcurrent { get; set; }
    public ITimer? EndTimer { get; set; }
    public SimFile? Chat { get; set; }
    public SimFile? Transcript { get; set; }
    public SimFile? Summary { get; set; }
    public string? SummaryStatus { get; set; }
    public int LivePeers => Peers.Count(p => p.LeftAt is null);
}

internal sealed class SimPeer
{
    public required string Id { get; init; }
    public required string ParticipantId { get; init; }
    public required string CustomParticipantId { get; init; }
    public required string DisplayName { get; init; }
    public required string PresetName { get; init; }
    public required DateTimeOffset JoinedAt { get; init; }
    public DateTimeOffset? LeftAt { get; set; }
}

internal sealed class SimRecording
{
    public required string Id { get; init; }
    public required string MeetingId { get; init; }
    public string? SessionId { get; init; }
    public string Status { get; set; } = "INVOKED";
    public required string OutputFileName { get; init; }
    public required DateTimeOffset InvokedTime { get; init; }
    public DateTimeOffset? StartedTime { get; set; }
    public DateTimeOffset? StoppedTime { get; set; }
    public long? FileSize { get; set; }
    public string? DownloadUrl { get; set; }
    public string? AudioDownloadUrl { get; set; }
    public DateTimeOffset? DownloadUrlExpiry { get; set; }
    public string StartReason { get; init; } = "API_CALL";
    public string? StopReason { get; set; }
    public bool BucketEnabled { get; init; } = true;
    public JsonObject? StorageConfig { get; init; }
    public bool IsActive => Status is "INVOKED" or "RECORDING" or "PAUSED";
}

internal sealed class SimLivestream
{
    public required string Id { get; init; }
    public string? MeetingId { get; init; }
    public string? Name { get; init; }
    public string Status { get; set; } = "LIVE";
    public required string StreamKey { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SimWebhook
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required string Url { get; set; }
    public required List<string> Events { get; set; }
    public bool Enabled { get; set; } = true;
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A downloadable artefact the simulator serves under /__sim/files/{id}.</summary>
internal sealed record SimFile(string Id, string ContentType, string FileName, byte[] Content, DateTimeOffset Expiry);
