using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Castio.Core.Rtk;

public static class RtkSessionStatusValues { public const string Live = "LIVE"; public const string Ended = "ENDED"; }

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
