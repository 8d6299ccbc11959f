using System.Globalization;
using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace Castio.Core.Scheduling;

/// <summary>Occurrence statuses; wire values.</summary>
public static class OccurrenceStatus
{
    public const string Scheduled = "scheduled";
    public const string Active = "active";
    public const string Ended = "ended";
    public const string Cancelled = "cancelled";
}

/// <summary>
/// What Scheduling keeps of a meeting's schedule (partition = org id, row = <c>series-{meetingId}</c>):
/// enough to extend materialization, show the agenda and write the calendar without the meeting row.
/// </summary>
public sealed class SeriesEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string MeetingId { get; set; } = "";
    public string SchedulingType { get; set; } = "";
    public string Title { get; set; } = "";
    public string HostUserId { get; set; } = "";

    /// <summary>Whether every member of the org may see (and join) it; otherwise its host, hosts and admins.</summary>
    public bool OpenToOrg { get; set; } = true;

    public string TimeZone { get; set; } = "UTC";
    public DateTimeOffset? ScheduledStart { get; set; }
    public DateTimeOffset? ScheduledEnd { get; set; }
    public string? Rrule { get; set; }
    public string? Dtstart { get; set; }
    public int? DurationMinutes { get; set; }

    /// <summary>Local EXDATEs given with the series, space-separated ("2026-01-05T09:00:00 ...").</summary>
    public string? Exdates { get; set; }

    /// <summary>Occurrences up to here (exclusive) are materialized.</summary>
    public DateTimeOffset? MaterializedThrough { get; set; }

    public bool Cancelled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    [IgnoreDataMember]
    public Guid Id => Guid.Parse(MeetingId);

    [IgnoreDataMember]
    public Guid OrgId => Guid.Parse(PartitionKey);

    public IReadOnlyList<string> ExdateList() => Exdates is { Length: > 0 } e ? e.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
}

/// <summary>
/// One occurrence of a recurring meeting (partition = org id, row = <c>occ-{meetingId}-{original start}</c>),
/// so a series' occurrences sort by time and materializing the same start twice is a no-op.
/// </summary>
public sealed class OccurrenceEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OccurrenceId { get; set; } = "";
    public string MeetingId { get; set; } = "";

    /// <summary>The start the rule gave it (its RECURRENCE-ID), UTC and local.</summary>
    public DateTimeOffset OriginalStartUtc { get; set; }
    public string OriginalStartLocal { get; set; } = "";

    /// <summary>The start and end in force (an override may move them).</summary>
    public DateTimeOffset StartUtc { get; set; }
    public DateTimeOffset EndUtc { get; set; }

    /// <summary>A per-occurrence title; null uses the series'.</summary>
    public string? Title { get; set; }

    public bool Overridden { get; set; }
    public string Status { get; set; } = OccurrenceStatus.Scheduled;
    public string? RtkMeetingId { get; set; }
    public DateTimeOffset? ActualStart { get; set; }
    public DateTimeOffset? ActualEnd { get; set; }

    /// <summary>Set while one sweep starts the occurrence (its claim, under the row's ETag), so two never start it at once.</summary>
    public DateTimeOffset? ActivatingUntil { get; set; }

    /// <summary>Why a due occurrence has not started yet (a problem code, e.g. the org's concurrent-meetings cap), and since when.</summary>
    public string? WaitingFor { get; set; }
    public DateTimeOffset? WaitingSince { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    [IgnoreDataMember]
    public Guid Id => Guid.Parse(OccurrenceId);

    [IgnoreDataMember]
    public Guid OrgId => Guid.Parse(PartitionKey);

    [IgnoreDataMember]
    public Guid SeriesId => Guid.Parse(MeetingId);
}

/// <summary>occurrence id → its row, in the same org partition (row = <c>occid-{occurrenceId}</c>).</summary>
public sealed class OccurrenceIdEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string OccurrenceRowKey { get; set; } = "";
}

/// <summary>
/// The org's agenda by start time (partition = org id, row = <c>at-{start}-{id}</c>): one row per
/// scheduled meeting and per live occurrence, so "what is coming up" is one range read.
/// </summary>
public sealed class AgendaEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string MeetingId { get; set; } = "";
    public string? OccurrenceId { get; set; }
    public string Title { get; set; } = "";
    public string HostUserId { get; set; } = "";
    public bool OpenToOrg { get; set; } = true;
    public string TimeZone { get; set; } = "UTC";
    public DateTimeOffset StartUtc { get; set; }
    public DateTimeOffset EndUtc { get; set; }
}

public static class ScheduleKeys
{
    public const string SeriesPrefix = "series-";
    public const string OccurrencePrefix = "occ-";
    public const string OccurrenceIdPrefix = "occid-";
    public const string AgendaPrefix = "at-";

    public static string Partition(Guid orgId) => orgId.ToString("D");

    public static string Series(Guid meetingId) => SeriesPrefix + meetingId.ToString("N");

    public static string OccurrencesOf(Guid meetingId) => OccurrencePrefix + meetingId.ToString("N") + "-";

    public static string Occurrence(Guid meetingId, DateTimeOffset originalStartUtc) => OccurrencesOf(meetingId) + Stamp(originalStartUtc);

    public static string OccurrenceId(Guid occurrenceId) => OccurrenceIdPrefix + occurrenceId.ToString("N");

    public static string Agenda(DateTimeOffset startUtc, Guid id) => AgendaPrefix + Stamp(startUtc) + "-" + id.ToString("N");

    /// <summary>Sortable UTC stamp used inside row keys.</summary>
    public static string Stamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
}
