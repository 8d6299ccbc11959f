using Castio.Core.Auth;
using Castio.Core.Common;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace Castio.Core.Scheduling;

/// <summary>
/// A meeting's schedule as an iCalendar file (Ical.Net): one VEVENT with DTSTART in the meeting's
/// zone (plus its VTIMEZONE), DTEND or DURATION, RRULE and EXDATE (given exceptions and cancelled
/// occurrences), and one VEVENT with RECURRENCE-ID per overridden occurrence.
/// </summary>
public sealed class ScheduleCalendar(OccurrenceStore store, TimeProvider time)
{
    public const string ContentType = "text/calendar";

    /// <summary>How far back cancelled and overridden occurrences are written; older ones no longer matter to a calendar.</summary>
    public static readonly TimeSpan History = TimeSpan.FromDays(366);

    /// <summary>The calendar file; <paramref name="invited"/> lets an invited member read an invite-only meeting's.</summary>
    public async Task<Outcome<string>> GetAsync(CurrentUser caller, Guid meetingId, InviteCheck? invited, CancellationToken cancellationToken)
    {
        var series = await store.GetSeriesAsync(caller.OrgId, meetingId, cancellationToken);
        var type = series is null ? null : ScheduleFields.ParseType(series.SchedulingType);
        if (series is null || !await ScheduleService.CanSeeAsync(caller, series, invited, cancellationToken) || type is not (SchedulingType.Scheduled or SchedulingType.Recurring))
        {
            return new Error(ErrorKind.NotFound, ScheduleErrors.NotFound, "Meeting not found, or it has no scheduled time.");
        }

        var now = time.GetUtcNow();
        var uid = series.MeetingId + "@castio";
        var stamp = new CalDateTime(now.UtcDateTime, CalDateTime.UtcTzId);
        var calendar = new Calendar { ProductId = "-//Castio//Meetings//EN", Method = "PUBLISH" };
        if (series.TimeZone != ScheduleFields.DefaultTimeZone)
        {
            calendar.AddTimeZone(series.TimeZone);
        }

        if (type == SchedulingType.Scheduled)
        {
            calendar.Events.Add(new CalendarEvent
            {
                Uid = uid,
                DtStamp = stamp,
                Summary = series.Title,
                Status = series.Cancelled ? EventStatus.Cancelled : EventStatus.Confirmed,
                DtStart = Local(series.ScheduledStart!.Value, series.TimeZone),
                DtEnd = Local(series.ScheduledEnd!.Value, series.TimeZone),
            });
            return new CalendarSerializer().SerializeToString(calendar)!;
        }

        var recurrence = ScheduleService.RecurrenceOf(series)!;
        var horizon = series.MaterializedThrough ?? now;
        var rows = await store.ListAsync(caller.OrgId, meetingId, now - History, horizon + TimeSpan.FromDays(1), 1000, cancellationToken);
        recurrence = recurrence.WithExceptions(rows.Where(r => r.Status == OccurrenceStatus.Cancelled).Select(r => ScheduleText.ParseLocal(r.OriginalStartLocal)!.Value));
        var master = recurrence.CreateEvent();
        master.Uid = uid;
        master.DtStamp = stamp;
        master.Summary = series.Title;
        master.Status = series.Cancelled ? EventStatus.Cancelled : EventStatus.Confirmed;
        master.Duration = Duration.FromMinutes(series.DurationMinutes ?? 60);
        calendar.Events.Add(master);
        foreach (var row in rows.Where(r => r.Overridden && r.Status != OccurrenceStatus.Cancelled))
        {
            calendar.Events.Add(new CalendarEvent
            {
                Uid = uid,
                DtStamp = stamp,
                Summary = row.Title ?? series.Title,
                RecurrenceIdentifier = new RecurrenceIdentifier(new CalDateTime(ScheduleText.ParseLocal(row.OriginalStartLocal)!.Value, series.TimeZone), null),
                DtStart = Local(row.StartUtc, series.TimeZone),
                DtEnd = Local(row.EndUtc, series.TimeZone),
            });
        }

        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    private static CalDateTime Local(DateTimeOffset instant, string timeZone) =>
        timeZone == ScheduleFields.DefaultTimeZone
            ? new CalDateTime(instant.UtcDateTime, CalDateTime.UtcTzId)
            : new CalDateTime(ScheduleText.ToLocal(instant, timeZone), timeZone);
}
