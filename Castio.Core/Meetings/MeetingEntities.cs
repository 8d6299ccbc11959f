using System.Globalization;
using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace Castio.Core.Meetings;

/// <summary>
/// One meeting (a series template for recurring ones): partition = org id, row = <see cref="MeetingKeys.Meeting"/>.
/// <see cref="PendingTransition"/> is a claim on a lifecycle transition in progress, so two transitions
/// cannot both run their RTK calls; it lapses at <see cref="PendingUntil"/> if its holder died.
/// </summary>
public sealed class MeetingEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Slug { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string MeetingType { get; set; } = MeetingTypes.Video;
    public string SchedulingType { get; set; } = SchedulingTypes.Instant;
    public string Status { get; set; } = MeetingStatus.Draft;
    public string HostUserId { get; set; } = "";

    public DateTimeOffset? ScheduledStart { get; set; }
    public DateTimeOffset? ScheduledEnd { get; set; }
    public string Timezone { get; set; } = "UTC";
    public string? Rrule { get; set; }

    /// <summary>Local date-time without offset, in <see cref="Timezone"/> (ISO 8601 text).</summary>
    public string? Dtstart { get; set; }

    public int? DurationMinutes { get; set; }
    public string? VanitySlug { get; set; }

    /// <summary>Null inherits the org's default.</summary>
    public string? GuestAccess { get; set; }

    public bool WaitingRoomEnabled { get; set; } = true;
    public bool RecordingAutoStart { get; set; }
    public bool TranscriptionEnabled { get; set; }
    public int MaxParticipants { get; set; } = 100;
    public string MemberAccess { get; set; } = Meetings.MemberAccess.Org;

    public string? RtkMeetingId { get; set; }

    /// <summary>What Castio last set the RTK meeting to (ACTIVE/INACTIVE), so a join need not ask RTK.</summary>
    public string? RtkStatus { get; set; }

    public bool Locked { get; set; }
    public DateTimeOffset? ActualStart { get; set; }
    public DateTimeOffset? ActualEnd { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public string? PendingTransition { get; set; }
    public DateTimeOffset? PendingUntil { get; set; }

    /// <summary>True while an active meeting holds one of the org's concurrent-meeting slots.</summary>
    public bool HoldsActiveSlot { get; set; }

    [IgnoreDataMember]
    public Guid Id => MeetingKeys.IdOf(RowKey);

    [IgnoreDataMember]
    public Guid OrgId => Guid.Parse(PartitionKey);

    [IgnoreDataMember]
    public Guid HostId => Guid.Parse(HostUserId);

    [IgnoreDataMember]
    public bool IsPermanent => SchedulingType == SchedulingTypes.Permanent;
}

/// <summary>Join-link index in the org partition: meeting slug or vanity slug → meeting id (one keyspace, so they never collide).</summary>
public sealed class MeetingSlugEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string MeetingId { get; set; } = "";
}

/// <summary>How many meetings of the org are active (concurrent-meeting cap); changed in one transaction with the meeting.</summary>
public sealed class ActiveMeetingsEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = MeetingKeys.ActiveCount;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int Active { get; set; }
}

/// <summary>
/// An active occurrence of a recurring meeting holding one of the org's concurrent-meeting slots (row =
/// <c>slot-occ-{occurrenceId}</c>, beside the counter). Occurrences live in Scheduling's table, so the slot row
/// is what the counter is written with: adding and deleting it make taking and releasing a slot idempotent.
/// </summary>
public sealed class OccurrenceSlotEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string MeetingId { get; set; } = "";
    public DateTimeOffset TakenAt { get; set; }
}

/// <summary>RTK meeting id → owner (partition = RTK meeting id): webhooks know only RTK's id.</summary>
public sealed class RtkMeetingIndexEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = MeetingKeys.Rtk;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OrgId { get; set; } = "";
    public string MeetingId { get; set; } = "";
    public string? OccurrenceId { get; set; }
}

/// <summary>
/// "About to create an RTK meeting for this owner", filed under the hour it was written (partition
/// <c>yyyyMMddHH</c>) before the RTK call and deleted once the owner stores the RTK meeting id.
/// A row that outlives its grace period marks a failure between the two; the reconciler attaches or
/// deactivates whatever RTK meeting it left behind.
/// </summary>
public sealed class MeetingIntentEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OrgId { get; set; } = "";
    public string MeetingId { get; set; } = "";
    public string? OccurrenceId { get; set; }
    public string AppId { get; set; } = "";
    public string Title { get; set; } = "";

    /// <summary>Set as soon as RTK answered, so a later failure knows which RTK meeting it concerns.</summary>
    public string? RtkMeetingId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public static class MeetingKeys
{
    public const string MeetingPrefix = "meeting-";
    public const string SlugPrefix = "slug-";
    public const string ActiveCount = "active-count";
    public const string Rtk = "rtk";
    public const string Org = "org";
    public const string OccurrenceSlotPrefix = "slot-occ-";

    public static string Partition(Guid orgId) => orgId.ToString("D");

    public static string Meeting(Guid meetingId) => MeetingPrefix + meetingId.ToString("D");

    public static Guid IdOf(string rowKey) => Guid.Parse(rowKey.AsSpan(MeetingPrefix.Length));

    public static string Slug(string slug) => SlugPrefix + slug;

    public static string OccurrenceSlot(Guid occurrenceId) => OccurrenceSlotPrefix + occurrenceId.ToString("N");

    /// <summary>The hour an intent was written in; the reconciler reads a few recent hours only.</summary>
    public static string IntentBucket(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
}
