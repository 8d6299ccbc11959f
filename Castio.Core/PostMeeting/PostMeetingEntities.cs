using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace Castio.Core.PostMeeting;

/// <summary>The Castio meeting an RTK event belongs to, as resolved from its RTK meeting id.</summary>
public sealed record MeetingRef(Guid OrgId, Guid MeetingId, string RtkMeetingId, string? MeetingType = null, bool Permanent = false);

/// <summary>One RTK session of a meeting: the unit of the post-meeting record and of its orchestration.</summary>
public sealed record SessionKey(Guid OrgId, Guid MeetingId, string RtkSessionId)
{
    /// <summary>The post-meeting orchestration's instance id: one per session, the same on every start.</summary>
    public string InstanceId => $"postmeeting-{OrgId:N}-{RtkSessionId}";
}

/// <summary>Artefact kinds of a session besides recordings.</summary>
public static class ArtefactKinds
{
    public const string Transcript = "transcript";
    public const string Summary = "summary";
    public const string Chat = "chat";

    public static readonly IReadOnlyList<string> All = [Transcript, Summary, Chat];
}

/// <summary>Where Castio's copy of an artefact stands.</summary>
public static class CopyStates
{
    /// <summary>RTK announced it; Castio has no copy yet.</summary>
    public const string Pending = "pending";

    /// <summary>Castio holds its own copy in the org's container.</summary>
    public const string Stored = "stored";

    /// <summary>RTK's link expired (or the file was gone) before Castio copied it.</summary>
    public const string Expired = "expired";

    /// <summary>RTK produced none (asked over REST after the grace period).</summary>
    public const string None = "none";

    public static bool IsFinal(string? state) => state is Stored or Expired or None;
}

/// <summary>
/// A session row: partition = org id, row = <c>{meetingId:N}_{rtkSessionId}</c>. Webhook facts are merged in
/// property by property (started, ended), so any order of events gives the same row.
/// </summary>
public sealed class SessionEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public Guid Id { get; set; }
    public Guid MeetingId { get; set; }
    public string RtkMeetingId { get; set; } = "";
    public string RtkSessionId { get; set; } = "";
    public string? RtkAppId { get; set; }
    public string? MeetingType { get; set; }
    public bool Permanent { get; set; }
    public string? Title { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndReason { get; set; }

    // Post-meeting progress, written by the orchestration's activities; "seen" times are the orchestration's clock.
    public DateTimeOffset? EndSeenAt { get; set; }
    public DateTimeOffset? TranscriptSeenAt { get; set; }
    public DateTimeOffset? MeetingClosedAt { get; set; }
    public DateTimeOffset? ReconciledAt { get; set; }
    public int ReconciledPeers { get; set; }
    public DateTimeOffset? ArtefactsPolledAt { get; set; }
    public DateTimeOffset? SummaryTriggeredAt { get; set; }
    public DateTimeOffset? SummaryPolledAt { get; set; }
    public DateTimeOffset? AnalyticsAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>When a fact needing post-meeting work (end, artefact) last arrived; later than <see cref="CompletedAt"/> means unfinished again.</summary>
    public DateTimeOffset? DueAt { get; set; }

    [IgnoreDataMember]
    public SessionKey Key => new(Guid.Parse(PartitionKey), MeetingId, RtkSessionId);
}

/// <summary>
/// One peer (connection) of a session: partition = org id (as the org's participant rows, which every peer fact
/// writes too, so a burst of an org's peer facts is group-committed), row = <c>{rtkSessionId}_{peerId}</c>. Joined and
/// left facts write different properties (both carry <c>joinedAt</c>), so a left before its joined converges.
/// </summary>
public sealed class PeerEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>RTK's custom participant id: Castio's participant id, stable across rejoins.</summary>
    public string? ParticipantId { get; set; }
    public string? RtkUserId { get; set; }
    public string? Name { get; set; }
    public DateTimeOffset? JoinedAt { get; set; }
    public DateTimeOffset? LeftAt { get; set; }
    public bool SeenJoined { get; set; }
    public bool SeenLeft { get; set; }

    /// <summary>Filled by reconciliation from RTK's session participants, not from a webhook.</summary>
    public bool Reconciled { get; set; }

    public string RtkSessionId { get; set; } = "";
    public string PeerId { get; set; } = "";
}

/// <summary>
/// A recording: partition = org id, row = <c>{meetingId:N}_{recordingId}</c>. Status facts merge monotonically
/// (a later lifecycle status never goes back), under ETag, so UPLOADED before UPLOADING ends UPLOADED.
/// </summary>
public sealed class RecordingEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string RecordingId { get; set; } = "";
    public Guid MeetingId { get; set; }
    public string? RtkSessionId { get; set; }
    public string Status { get; set; } = "";
    public DateTimeOffset? StartedTime { get; set; }
    public DateTimeOffset? StoppedTime { get; set; }
    public long? FileSize { get; set; }
    public double? DurationSeconds { get; set; }
    public string? OutputFileName { get; set; }
    public string? DownloadUrl { get; set; }
    public DateTimeOffset? DownloadUrlExpiry { get; set; }
    public int Polls { get; set; }

    public string CopyState { get; set; } = CopyStates.Pending;
    public string? BlobName { get; set; }
    public long? StoredBytes { get; set; }
    public string? ContentType { get; set; }
    public string? Format { get; set; }
    public DateTimeOffset? StoredAt { get; set; }
    public string? CopyNote { get; set; }
}

/// <summary>
/// Transcript, summary or chat export of a session: partition = org id, row = <c>{meetingId:N}_{rtkSessionId}_{kind}</c>.
/// </summary>
public sealed class ArtefactEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public Guid MeetingId { get; set; }
    public string RtkSessionId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string? DownloadUrl { get; set; }
    public DateTimeOffset? DownloadUrlExpiry { get; set; }

    public string CopyState { get; set; } = CopyStates.Pending;
    public string? BlobName { get; set; }
    public long? StoredBytes { get; set; }
    public string? ContentType { get; set; }
    public string? Format { get; set; }
    public DateTimeOffset? StoredAt { get; set; }
    public string? CopyNote { get; set; }
}

/// <summary>A livestream of a meeting: partition = org id, row = <c>{meetingId:N}_{streamId}</c>; each status seen is a flag.</summary>
public sealed class LivestreamEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public Guid MeetingId { get; set; }
    public string StreamId { get; set; } = "";
    public bool SeenLive { get; set; }
    public bool SeenIdle { get; set; }
    public bool SeenOffline { get; set; }
    public string? PlaybackUrl { get; set; }

    /// <summary>OFFLINE once it went offline, LIVE while it only went live, else IDLE; independent of arrival order.</summary>
    [IgnoreDataMember]
    public string Status => SeenOffline ? "OFFLINE" : SeenLive ? "LIVE" : "IDLE";
}

/// <summary>
/// Post-meeting work due at a time: partition = 5-minute bucket <c>yyyyMMddHHmm</c>, row =
/// <c>{orgId:N}_{meetingId:N}_{rtkSessionId}</c>. The recovery timer reads only due buckets.
/// </summary>
public sealed class PostMeetingDueEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public Guid OrgId { get; set; }
    public Guid MeetingId { get; set; }
    public string RtkSessionId { get; set; } = "";
}

/// <summary>
/// Analytics rows, partition = org id. <c>c_{yyyyMMdd}_{type}_{rtkSessionId}</c>: one session's contribution
/// (overwritten, never added to); <c>d_{yyyyMMdd}_{type}</c>: the day's totals, recomputed from contributions.
/// </summary>
public sealed class AnalyticsEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Day { get; set; } = "";
    public string MeetingType { get; set; } = "";

    /// <summary>The meeting of a session's contribution (per-meeting and per-host analytics); null on day totals.</summary>
    public Guid? MeetingId { get; set; }

    public int Sessions { get; set; }
    public double ParticipantMinutes { get; set; }
    public int PeakConcurrency { get; set; }
    public int Participants { get; set; }
    public double RecordingMinutes { get; set; }
    public long RecordingBytes { get; set; }
    public int Recordings { get; set; }
}
