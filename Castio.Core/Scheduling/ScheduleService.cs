using Azure;
using Castio.Core.Auth;
using Castio.Core.Common;

namespace Castio.Core.Scheduling;

/// <summary>
/// A meeting's schedule as Scheduling keeps it: the series row, materialized occurrences, the agenda
/// and the due items that start and extend them. Meetings calls <see cref="ScheduleAsync"/> when a
/// meeting is created or its schedule, title or audience changes, and <see cref="UnscheduleAsync"/>
/// when it is cancelled.
/// </summary>
public sealed class ScheduleService(OccurrenceStore store, DueIndex due, TimeProvider time)
{
    /// <summary>How far ahead occurrences exist as rows (ids, overrides, cancellations).</summary>
    public static readonly TimeSpan MaterializeAhead = TimeSpan.FromDays(28);

    /// <summary>How often the timer extends a series' horizon.</summary>
    public static readonly TimeSpan MaterializeEvery = TimeSpan.FromDays(7);

    public const int MaxListed = 500;
    public static readonly TimeSpan MaxListRange = TimeSpan.FromDays(366);
    public static readonly TimeSpan MaxAgendaRange = TimeSpan.FromDays(92);
    public const int DefaultAgendaLimit = 50;
    public const int MaxAgendaLimit = 200;
    public const int MaxTitleLength = 200;

    private const int MaxAttempts = 5;
    private static readonly Error SeriesNotFound = new(ErrorKind.NotFound, ScheduleErrors.NotFound, "Meeting not found or it has no schedule.");
    private static readonly Error OccurrenceNotFound = new(ErrorKind.NotFound, ScheduleErrors.OccurrenceNotFound, "Occurrence not found.");

    // ---- Called by Meetings

    /// <summary>Records or changes a meeting's schedule; idempotent, so a retried create or update may call it again.</summary>
    public async Task ScheduleAsync(SeriesInfo info, Schedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(schedule);
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            var series = await store.GetSeriesAsync(info.OrgId, info.MeetingId, cancellationToken) ?? new SeriesEntity
            {
                PartitionKey = ScheduleKeys.Partition(info.OrgId),
                RowKey = ScheduleKeys.Series(info.MeetingId),
                MeetingId = info.MeetingId.ToString("D"),
                CreatedAt = now,
            };
            var before = Snapshot(series);
            Apply(series, info, schedule, now);
            var after = Snapshot(series);
            var ruleChanged = before.Rule != after.Rule;
            if (ruleChanged)
            {
                series.MaterializedThrough = null;
            }

            try
            {
                await store.SaveSeriesAsync(series, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
            {
                continue;
            }

            if (before.Type == SchedulingType.Scheduled && before.Start is { } oldStart && (schedule.Type != SchedulingType.Scheduled || oldStart != schedule.ScheduledStart))
            {
                await store.DeleteAgendaAsync(info.OrgId, ScheduleKeys.Agenda(oldStart, info.MeetingId), cancellationToken);
            }

            if (before.Type == SchedulingType.Recurring && ruleChanged)
            {
                await RetireFutureOccurrencesAsync(series, now, delete: true, cancellationToken);
            }

            if (schedule.Type == SchedulingType.Scheduled)
            {
                await due.AddAsync(new DueItem(DueKind.Activate, info.OrgId, info.MeetingId, null, schedule.ScheduledStart!.Value), cancellationToken);
                await store.PutAgendaAsync(Agenda(series, schedule.ScheduledStart!.Value, schedule.ScheduledEnd!.Value, null, null), cancellationToken);
            }
            else if (schedule.Type == SchedulingType.Recurring)
            {
                if (!ruleChanged && before.Info != after.Info)
                {
                    await RewriteAgendaAsync(series, now, cancellationToken);
                }

                await MaterializeAsync(series, cancellationToken);
            }

            return;
        }
    }

    /// <summary>The meeting was cancelled: its future occurrences are cancelled and leave the agenda. Due items left behind find nothing to do.</summary>
    public async Task UnscheduleAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        var series = await store.GetSeriesAsync(orgId, meetingId, cancellationToken);
        if (series is null || series.Cancelled)
        {
            return;
        }

        series.Cancelled = true;
        series.UpdatedAt = time.GetUtcNow();
        await store.SaveSeriesAsync(series, cancellationToken);
        if (series.ScheduledStart is { } start)
        {
            await store.DeleteAgendaAsync(orgId, ScheduleKeys.Agenda(start, meetingId), cancellationToken);
        }

        await RetireFutureOccurrencesAsync(series, series.UpdatedAt, delete: false, cancellationToken);
    }

    /// <summary>
    /// Extends a recurring series' occurrences to <see cref="MaterializeAhead"/> from now, with a due
    /// activation per occurrence, and books the next extension. Safe to repeat: an occurrence that
    /// exists is kept as it is. Returns how many were added.
    /// </summary>
    public async Task<int> MaterializeAsync(Guid orgId, Guid meetingId, CancellationToken cancellationToken)
    {
        var series = await store.GetSeriesAsync(orgId, meetingId, cancellationToken);
        return series is null ? 0 : await MaterializeAsync(series, cancellationToken);
    }

    private async Task<int> MaterializeAsync(SeriesEntity series, CancellationToken cancellationToken)
    {
        if (series.Cancelled || series.SchedulingType != ScheduleFields.ToWire(SchedulingType.Recurring) || RecurrenceOf(series) is not { } recurrence)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var duration = TimeSpan.FromMinutes(series.DurationMinutes ?? 60);
        var from = series.MaterializedThrough is { } through && through > now ? through : now;
        var to = now + MaterializeAhead;
        var added = 0;
        var dueItems = new List<DueItem>();
        foreach (var start in recurrence.Between(from, to, MaxListed))
        {
            var occurrence = new OccurrenceEntity
            {
                PartitionKey = series.PartitionKey,
                RowKey = ScheduleKeys.Occurrence(series.Id, start.StartUtc),
                OccurrenceId = Guid.CreateVersion7(now).ToString("D"),
                MeetingId = series.MeetingId,
                OriginalStartUtc = start.StartUtc,
                OriginalStartLocal = ScheduleText.Local(start.StartLocal),
                StartUtc = start.StartUtc,
                EndUtc = start.StartUtc + duration,
                Status = OccurrenceStatus.Scheduled,
                CreatedAt = now,
                UpdatedAt = now,
            };
            if (await store.AddAsync(occurrence, Agenda(series, occurrence.StartUtc, occurrence.EndUtc, occurrence.Id, null), cancellationToken))
            {
                added++;
            }
            else
            {
                // Materialized before (a repeat after an interruption): make sure its activation is booked.
                occurrence = await store.GetByStartAsync(series.OrgId, series.Id, start.StartUtc, cancellationToken);
            }

            if (occurrence is { Status: OccurrenceStatus.Scheduled })
            {
                dueItems.Add(new DueItem(DueKind.Activate, series.OrgId, series.Id, occurrence.Id, occurrence.StartUtc));
            }
        }

        dueItems.Add(new DueItem(DueKind.Materialize, series.OrgId, series.Id, null, now + MaterializeEvery));
        await due.AddManyAsync(dueItems, cancellationToken);
        series.MaterializedThrough = to;
        series.UpdatedAt = now;
        try
        {
            await store.SaveSeriesAsync(series, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // Changed meanwhile (a reschedule or another extension): the next extension starts from its horizon.
        }

        return added;
    }

    // ---- Routes

    /// <summary>A series' occurrences in a range; <paramref name="invited"/> lets an invited member read an invite-only series.</summary>
    public async Task<Outcome<OccurrenceList>> ListOccurrencesAsync(CurrentUser caller, Guid meetingId, string? from, string? to, InviteCheck? invited, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = new FieldErrors();
        var (start, end) = Range(from, to, now, MaterializeAhead, MaxListRange, errors);
        var series = await store.GetSeriesAsync(caller.OrgId, meetingId, cancellationToken);
        if (series is null || !await CanSeeAsync(caller, series, invited, cancellationToken))
        {
            return SeriesNotFound;
        }

        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        if (series.SchedulingType != ScheduleFields.ToWire(SchedulingType.Recurring) || RecurrenceOf(series) is not { } recurrence)
        {
            return new Error(ErrorKind.NotFound, ScheduleErrors.NotFound, "This meeting is not recurring; it has no occurrences.");
        }

        // An override may move an occurrence up to a day either way from its original start.
        var rows = await store.ListAsync(caller.OrgId, meetingId, start - TimeSpan.FromDays(1), end + TimeSpan.FromDays(1), 1000, cancellationToken);
        var views = rows.Where(r => r.StartUtc >= start && r.StartUtc < end).Select(r => View(series, r)).ToList();
        var known = rows.Select(r => r.OriginalStartUtc).ToHashSet();
        var horizon = series.MaterializedThrough ?? DateTimeOffset.MinValue;
        var duration = TimeSpan.FromMinutes(series.DurationMinutes ?? 60);
        foreach (var o in recurrence.Between(start, end, MaxListed))
        {
            if (o.StartUtc >= horizon && !known.Contains(o.StartUtc))
            {
                var local = ScheduleText.Local(o.StartLocal);
                views.Add(new OccurrenceView(null, series.Id, series.Title, ScheduleText.Utc(o.StartUtc), ScheduleText.Utc(o.StartUtc + duration),
                    local, local, series.TimeZone, OccurrenceStatus.Scheduled, false, null));
            }
        }

        return new OccurrenceList(series.Id, series.TimeZone, ScheduleText.Utc(start), ScheduleText.Utc(end),
            [.. views.OrderBy(v => v.StartUtc, StringComparer.Ordinal).Take(MaxListed)]);
    }

    /// <summary>
    /// The caller's upcoming meetings and occurrences across the org, by start time: those running or
    /// starting in [from, to) (default: now to 30 days ahead), that the caller may see; <paramref name="mine"/>
    /// keeps those they host.
    /// </summary>
    public async Task<Outcome<AgendaPage>> ListAgendaAsync(CurrentUser caller, string? from, string? to, int? limit, string? cursor, bool mine, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = new FieldErrors();
        var (start, end) = Range(from, to, now, TimeSpan.FromDays(30), MaxAgendaRange, errors);
        if (limit is < 1 or > MaxAgendaLimit)
        {
            errors.Add("limit", $"limit must be between 1 and {MaxAgendaLimit}.");
        }

        if (cursor is not null && !cursor.StartsWith(ScheduleKeys.AgendaPrefix, StringComparison.Ordinal))
        {
            errors.Add("cursor", "cursor is not one this API returned.");
        }

        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        var take = limit ?? DefaultAgendaLimit;
        var items = new List<AgendaItem>();
        var after = cursor;
        // Running meetings started up to a day before the window.
        var readFrom = start - TimeSpan.FromMinutes(ScheduleFields.MaxDurationMinutes);
        for (var round = 0; round < 5 && items.Count < take; round++)
        {
            var rows = await store.ListAgendaAsync(caller.OrgId, readFrom, end, after, take * 2, cancellationToken);
            foreach (var row in rows)
            {
                after = row.RowKey;
                if (row.EndUtc > start && CanSee(caller, row.HostUserId, row.OpenToOrg) && (!mine || row.HostUserId == caller.UserId.ToString("D")))
                {
                    items.Add(new AgendaItem(Guid.Parse(row.MeetingId), Guid.TryParse(row.OccurrenceId, out var o) ? o : null, row.Title,
                        ScheduleText.Utc(row.StartUtc), ScheduleText.Utc(row.EndUtc), row.TimeZone, Guid.Parse(row.HostUserId)));
                    if (items.Count == take)
                    {
                        break;
                    }
                }
            }

            if (rows.Count < take * 2)
            {
                return new AgendaPage(items, null);
            }
        }

        return new AgendaPage(items, after);
    }

    /// <summary>Moves or renames one occurrence (host of the meeting, or owner/admin); it must not have started.</summary>
    public async Task<Outcome<OccurrenceView>> UpdateOccurrenceAsync(CurrentUser caller, Guid occurrenceId, OccurrencePatch patch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        for (var attempt = 1; ; attempt++)
        {
            var (occurrence, series, error) = await LoadManageableAsync(caller, occurrenceId, cancellationToken);
            if (error is not null)
            {
                return error;
            }

            var errors = new FieldErrors();
            var start = occurrence!.StartUtc;
            var end = occurrence.EndUtc;
            if (patch.ScheduledStart is null && patch.ScheduledEnd is null && patch.Title is null)
            {
                errors.Add("scheduledStart", "Give scheduledStart, scheduledEnd or title to change.");
            }

            if (patch.ScheduledStart is not null)
            {
                if (ScheduleText.ParseWithOffset(patch.ScheduledStart) is { } s)
                {
                    end = patch.ScheduledEnd is null ? s + (occurrence.EndUtc - occurrence.StartUtc) : end;
                    start = s;
                }
                else
                {
                    errors.Add("scheduledStart", "scheduledStart must be an ISO 8601 date-time with offset, e.g. 2026-01-05T09:00:00+01:00.");
                }
            }

            if (patch.ScheduledEnd is not null)
            {
                if (ScheduleText.ParseWithOffset(patch.ScheduledEnd) is { } e)
                {
                    end = e;
                }
                else
                {
                    errors.Add("scheduledEnd", "scheduledEnd must be an ISO 8601 date-time with offset, e.g. 2026-01-05T10:00:00+01:00.");
                }
            }

            if (errors.IsEmpty && end <= start)
            {
                errors.Add("scheduledEnd", "scheduledEnd must be after scheduledStart.");
            }
            else if (errors.IsEmpty && end - start > TimeSpan.FromMinutes(ScheduleFields.MaxDurationMinutes))
            {
                errors.Add("scheduledEnd", $"An occurrence lasts at most {ScheduleFields.MaxDurationMinutes} minutes.");
            }

            var title = patch.Title?.Trim();
            if (patch.Title is not null && title!.Length is 0 or > MaxTitleLength)
            {
                errors.Add("title", $"title must be 1 to {MaxTitleLength} characters.");
            }

            if (!errors.IsEmpty)
            {
                return Error.Invalid(ValidationCodes.ValidationFailed, errors);
            }

            if (occurrence.Status != OccurrenceStatus.Scheduled)
            {
                return NotScheduled(occurrence, "changed");
            }

            if (start != occurrence.StartUtc)
            {
                // Booked before the row moves, so the occurrence is never without its activation.
                await due.AddAsync(new DueItem(DueKind.Activate, occurrence.OrgId, occurrence.SeriesId, occurrence.Id, start), cancellationToken);
            }

            var oldAgenda = ScheduleKeys.Agenda(occurrence.StartUtc, occurrence.Id);
            occurrence.StartUtc = start;
            occurrence.EndUtc = end;
            occurrence.Title = title ?? occurrence.Title;
            occurrence.Overridden = true;
            occurrence.UpdatedAt = time.GetUtcNow();
            try
            {
                await store.UpdateAsync(occurrence, oldAgenda, Agenda(series!, start, end, occurrence.Id, occurrence.Title), cancellationToken);
                return View(series!, occurrence);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < MaxAttempts)
            {
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                return Concurrent();
            }
        }
    }

    /// <summary>Cancels one occurrence (host of the meeting, or owner/admin); it must not have started.</summary>
    public async Task<Outcome<OccurrenceView>> CancelOccurrenceAsync(CurrentUser caller, Guid occurrenceId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (occurrence, series, error) = await LoadManageableAsync(caller, occurrenceId, cancellationToken);
            if (error is not null)
            {
                return error;
            }

            if (occurrence!.Status == OccurrenceStatus.Cancelled)
            {
                return View(series!, occurrence);
            }

            if (occurrence.Status != OccurrenceStatus.Scheduled)
            {
                return NotScheduled(occurrence, "cancelled");
            }

            occurrence.Status = OccurrenceStatus.Cancelled;
            occurrence.UpdatedAt = time.GetUtcNow();
            try
            {
                await store.UpdateAsync(occurrence, ScheduleKeys.Agenda(occurrence.StartUtc, occurrence.Id), null, cancellationToken);
                return View(series!, occurrence);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < MaxAttempts)
            {
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                return Concurrent();
            }
        }
    }

    /// <summary>The series, for callers that may see it (Meetings' access rules); null otherwise.</summary>
    public async Task<SeriesEntity?> GetVisibleSeriesAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var series = await store.GetSeriesAsync(caller.OrgId, meetingId, cancellationToken);
        return series is not null && CanSee(caller, series) ? series : null;
    }

    // ---- Rules shared with the calendar

    /// <summary>Mirrors Meetings' rule: hosts and above see every meeting; members those open to the org or their own.</summary>
    public static bool CanSee(CurrentUser caller, SeriesEntity series) => CanSee(caller, series.HostUserId, series.OpenToOrg);

    /// <summary><see cref="CanSee(CurrentUser, SeriesEntity)"/>, or a member invited to an invite-only series (Invites' answer).</summary>
    public static async Task<bool> CanSeeAsync(CurrentUser caller, SeriesEntity series, InviteCheck? invited, CancellationToken cancellationToken) =>
        CanSee(caller, series)
        || (invited is not null && caller.Role == Role.Member && !series.OpenToOrg && await invited(series.Id, cancellationToken));

    public static bool CanManage(CurrentUser caller, SeriesEntity series) =>
        caller.Role.Allows(Permission.EditAnyMeeting)
        || (caller.Role.Allows(Permission.EditOwnMeeting) && series.HostUserId == caller.UserId.ToString("D"));

    internal static Recurrence? RecurrenceOf(SeriesEntity series) =>
        Recurrence.Create(series.Rrule, series.Dtstart, series.TimeZone, series.ExdateList()) is { Succeeded: true } r ? r.Value : null;

    private static bool CanSee(CurrentUser caller, string hostUserId, bool openToOrg) =>
        caller.Role >= Role.Host || hostUserId == caller.UserId.ToString("D") || (caller.Role == Role.Member && openToOrg);

    private async Task<(OccurrenceEntity? Occurrence, SeriesEntity? Series, Error? Error)> LoadManageableAsync(CurrentUser caller, Guid occurrenceId, CancellationToken cancellationToken)
    {
        var occurrence = await store.GetAsync(caller.OrgId, occurrenceId, cancellationToken);
        var series = occurrence is null ? null : await store.GetSeriesAsync(caller.OrgId, occurrence.SeriesId, cancellationToken);
        if (occurrence is null || series is null || !CanSee(caller, series))
        {
            return (null, null, OccurrenceNotFound);
        }

        return CanManage(caller, series)
            ? (occurrence, series, null)
            : (null, null, new Error(ErrorKind.Forbidden, ScheduleErrors.Forbidden, "Only the meeting's host, an admin or the owner may change its occurrences."));
    }

    private static Error NotScheduled(OccurrenceEntity occurrence, string verb) =>
        new(ErrorKind.Conflict, ScheduleErrors.OccurrenceNotScheduled, $"The occurrence is {occurrence.Status}; only a scheduled occurrence can be {verb}.");

    private static Error Concurrent() =>
        new(ErrorKind.Conflict, ScheduleErrors.Concurrent, "The occurrence is being changed by someone else; try again.");

    private static (DateTimeOffset From, DateTimeOffset To) Range(string? from, string? to, DateTimeOffset now, TimeSpan defaultSpan, TimeSpan maxSpan, FieldErrors errors)
    {
        var start = now;
        if (from is not null && ScheduleText.ParseWithOffset(from) is not { } f)
        {
            errors.Add("from", "from must be an ISO 8601 date-time with offset, e.g. 2026-01-05T00:00:00Z.");
        }
        else if (from is not null)
        {
            start = ScheduleText.ParseWithOffset(from)!.Value;
        }

        var end = start + defaultSpan;
        if (to is not null && ScheduleText.ParseWithOffset(to) is not { } t)
        {
            errors.Add("to", "to must be an ISO 8601 date-time with offset, e.g. 2026-02-01T00:00:00Z.");
        }
        else if (to is not null)
        {
            end = ScheduleText.ParseWithOffset(to)!.Value;
            if (end <= start)
            {
                errors.Add("to", "to must be after from.");
            }
            else if (end - start > maxSpan)
            {
                errors.Add("to", $"The range may span at most {maxSpan.TotalDays:0} days.");
            }
        }

        return (start, end);
    }

    private async Task RetireFutureOccurrencesAsync(SeriesEntity series, DateTimeOffset now, bool delete, CancellationToken cancellationToken)
    {
        var rows = await store.ListAsync(series.OrgId, series.Id, now - TimeSpan.FromDays(1), DateTimeOffset.MaxValue.AddYears(-1), 1000, cancellationToken);
        foreach (var row in rows.Where(r => r.Status == OccurrenceStatus.Scheduled && r.StartUtc >= now))
        {
            try
            {
                if (delete)
                {
                    await store.DeleteAsync(row, cancellationToken);
                }
                else
                {
                    row.Status = OccurrenceStatus.Cancelled;
                    row.UpdatedAt = now;
                    await store.UpdateAsync(row, ScheduleKeys.Agenda(row.StartUtc, row.Id), null, cancellationToken);
                }
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Activated or changed meanwhile: it is no longer a future scheduled occurrence to retire.
            }
        }
    }

    private async Task RewriteAgendaAsync(SeriesEntity series, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await store.ListAsync(series.OrgId, series.Id, now - TimeSpan.FromDays(1), DateTimeOffset.MaxValue.AddYears(-1), 1000, cancellationToken);
        foreach (var row in rows.Where(r => r.Status is OccurrenceStatus.Scheduled or OccurrenceStatus.Active))
        {
            await store.PutAgendaAsync(Agenda(series, row.StartUtc, row.EndUtc, row.Id, row.Title), cancellationToken);
        }
    }

    private static void Apply(SeriesEntity series, SeriesInfo info, Schedule schedule, DateTimeOffset now)
    {
        series.SchedulingType = ScheduleFields.ToWire(schedule.Type);
        series.Title = info.Title;
        series.HostUserId = info.HostUserId.ToString("D");
        series.OpenToOrg = info.OpenToOrg;
        series.TimeZone = schedule.TimeZone;
        series.ScheduledStart = schedule.ScheduledStart?.ToUniversalTime();
        series.ScheduledEnd = schedule.ScheduledEnd?.ToUniversalTime();
        series.Rrule = schedule.Recurrence?.Rule;
        series.Dtstart = schedule.Recurrence is { } r ? ScheduleText.Local(r.DtStart) : null;
        series.Exdates = schedule.Recurrence is { ExceptionDates.Count: > 0 } x ? string.Join(' ', x.ExceptionDates.Select(ScheduleText.Local)) : null;
        series.DurationMinutes = schedule.DurationMinutes;
        series.Cancelled = false;
        series.UpdatedAt = now;
    }

    private static (SchedulingType? Type, DateTimeOffset? Start, string Rule, string Info) Snapshot(SeriesEntity series) => (
        ScheduleFields.ParseType(series.SchedulingType),
        series.ScheduledStart,
        string.Join('|', series.SchedulingType, series.Rrule, series.Dtstart, series.TimeZone, series.DurationMinutes, series.Exdates, series.Cancelled),
        string.Join('|', series.Title, series.HostUserId, series.OpenToOrg));

    private static AgendaEntity Agenda(SeriesEntity series, DateTimeOffset start, DateTimeOffset end, Guid? occurrenceId, string? title) => new()
    {
        PartitionKey = series.PartitionKey,
        RowKey = ScheduleKeys.Agenda(start, occurrenceId ?? series.Id),
        MeetingId = series.MeetingId,
        OccurrenceId = occurrenceId?.ToString("D"),
        Title = title ?? series.Title,
        HostUserId = series.HostUserId,
        OpenToOrg = series.OpenToOrg,
        TimeZone = series.TimeZone,
        StartUtc = start,
        EndUtc = end,
    };

    internal static OccurrenceView View(SeriesEntity series, OccurrenceEntity o) => new(
        o.Id, series.Id, o.Title ?? series.Title, ScheduleText.Utc(o.StartUtc), ScheduleText.Utc(o.EndUtc),
        ScheduleText.Local(ScheduleText.ToLocal(o.StartUtc, series.TimeZone)), o.OriginalStartLocal, series.TimeZone, o.Status, o.Overridden, o.RtkMeetingId,
        o.Status == OccurrenceStatus.Scheduled ? o.WaitingFor : null);
}
