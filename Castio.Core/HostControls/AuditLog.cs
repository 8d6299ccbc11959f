using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Storage;

namespace Castio.Core.HostControls;

/// <summary>The actions the audit log records, by their wire names.</summary>
public static class AuditActions
{
    public const string Kick = "participant.kick";
    public const string ChangeRole = "participant.role";
    public const string Lock = "meeting.lock";
    public const string Unlock = "meeting.unlock";
    public const string End = "meeting.end";
    public const string RecordingStart = "recording.start";
    public const string RecordingStop = "recording.stop";
    public const string LivestreamStart = "livestream.start";
    public const string LivestreamStop = "livestream.stop";
}

/// <summary>How an audited attempt ended.</summary>
public static class AuditOutcomes
{
    public const string Succeeded = "succeeded";

    /// <summary>The caller may see the meeting but not control it.</summary>
    public const string Denied = "denied";

    /// <summary>Allowed, but refused by the meeting's state or by RTK; <see cref="AuditEntity.Code"/> says why.</summary>
    public const string Failed = "failed";
}

/// <summary>
/// One host action on a meeting: who, what, on whom, when and how it ended. Partition = org; row =
/// <c>{meetingId}|{inverted ticks}|{entry id}</c>, so a meeting's log reads newest first.
/// </summary>
public sealed class AuditEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EntryId { get; set; } = "";
    public string MeetingId { get; set; } = "";
    public string ActorUserId { get; set; } = "";
    public string ActorRole { get; set; } = "";
    public string Action { get; set; } = "";

    /// <summary>The participant acted on, for participant actions.</summary>
    public string? Target { get; set; }

    /// <summary>What was asked, where the action has a value (the new role).</summary>
    public string? Detail { get; set; }

    public string Outcome { get; set; } = AuditOutcomes.Succeeded;

    /// <summary>The problem code the caller got, when the outcome is not success.</summary>
    public string? Code { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>What callers see of an audit entry.</summary>
public sealed record AuditEntryView(Guid Id, Guid MeetingId, Guid ActorUserId, string ActorRole, string Action, string? Target, string? Detail, string Outcome, string? Code, DateTimeOffset At)
{
    public static AuditEntryView From(AuditEntity e) =>
        new(Guid.Parse(e.EntryId), Guid.Parse(e.MeetingId), Guid.Parse(e.ActorUserId), e.ActorRole, e.Action, e.Target, e.Detail, e.Outcome, e.Code, e.At);
}

public sealed record AuditPage(IReadOnlyList<AuditEntryView> Entries, string? NextCursor);

/// <summary>One audited attempt, as a service hands it to <see cref="AuditLog.WriteAsync"/>.</summary>
public sealed record AuditRecord(Guid OrgId, Guid MeetingId, Guid ActorUserId, string ActorRole, string Action, string? Target = null, string? Detail = null);

/// <summary>
/// The host-controls audit log, table <c>meetingaudit</c> partitioned by org. Append-only; a meeting's
/// entries are one range read, newest first.
/// </summary>
public sealed class AuditLog
{
    public const string AuditTable = "meetingaudit";
    public const int MaxPageSize = 100;

    private readonly TableClient _table;
    private readonly CreateOnce _created;
    private readonly TimeProvider _time;
    private long _lastTicks;

    public AuditLog(TableServiceClient tables, TimeProvider time, string namePrefix = "")
    {
        _table = tables.GetTableClient(namePrefix + AuditTable);
        _created = new CreateOnce(ct => _table.CreateIfNotExistsAsync(ct));
        _time = time;
    }

    public async Task<AuditEntity> WriteAsync(AuditRecord record, string outcome, string? code, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        var at = _time.GetUtcNow();
        var id = Guid.CreateVersion7(at);
        var entry = new AuditEntity
        {
            PartitionKey = OrgKeys.Partition(record.OrgId),
            RowKey = RowKey(record.MeetingId, NextTicks(at), id),
            EntryId = id.ToString("D"),
            MeetingId = record.MeetingId.ToString("D"),
            ActorUserId = record.ActorUserId.ToString("D"),
            ActorRole = record.ActorRole,
            Action = record.Action,
            Target = record.Target,
            Detail = record.Detail,
            Outcome = outcome,
            Code = code,
            At = at,
        };
        // The action already happened (or was refused); the log write must not be lost to a caller that gave up.
        await _table.AddEntityAsync(entry, CancellationToken.None);
        return entry;
    }

    /// <summary>One page of a meeting's entries, newest first; <paramref name="after"/> is the cursor of the previous page.</summary>
    public async Task<(IReadOnlyList<AuditEntity> Entries, string? Next)> ListAsync(Guid orgId, Guid meetingId, string? after, int limit, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken);
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var prefix = MeetingRows(meetingId);
        var from = after is null ? prefix : prefix + after;
        var end = TableKeys.PrefixEnd(prefix);
        var partition = OrgKeys.Partition(orgId);
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {end}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {from} and RowKey lt {end}");
        var rows = new List<AuditEntity>(limit + 1);
        await foreach (var row in _table.QueryAsync<AuditEntity>(filter, maxPerPage: limit + 1, cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count > limit)
            {
                break;
            }
        }

        return rows.Count > limit
            ? (rows[..limit], rows[limit - 1].RowKey[prefix.Length..])
            : (rows, null);
    }

    /// <summary>A cursor is the tail of a row key this log wrote: 19 digits, a bar, 32 hex digits.</summary>
    public static bool IsCursor(string value) =>
        value.Length == 19 + 1 + 32
        && value.AsSpan(0, 19).ContainsAnyExceptInRange('0', '9') is false
        && value[19] == '|'
        && Guid.TryParseExact(value.AsSpan(20), "N", out _);

    /// <summary>
    /// The entry's sort time: its own, or one tick after the last entry this process wrote, so entries written
    /// within one clock tick (a coarse or frozen clock) still list in the order they happened.
    /// </summary>
    private long NextTicks(DateTimeOffset at)
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastTicks);
            var next = Math.Max(at.UtcTicks, last + 1);
            if (Interlocked.CompareExchange(ref _lastTicks, next, last) == last)
            {
                return next;
            }
        }
    }

    private static string MeetingRows(Guid meetingId) => meetingId.ToString("N") + "|";

    // Inverted ticks sort the newest first; the id keeps keys unique across instances.
    private static string RowKey(Guid meetingId, long ticks, Guid id) =>
        MeetingRows(meetingId) + (DateTimeOffset.MaxValue.UtcTicks - ticks).ToString("D19", CultureInfo.InvariantCulture) + "|" + id.ToString("N");
}
