using Castio.Core.Common;
using Castio.Core.Scheduling;

namespace Castio.Core.Meetings;

/// <summary>The schedule fields of a meeting after validation (times UTC, local dtstart as text).</summary>
public sealed record ValidSchedule(
    DateTimeOffset? ScheduledStart,
    DateTimeOffset? ScheduledEnd,
    string Timezone,
    string? Rrule,
    string? Dtstart,
    int? DurationMinutes,
    Schedule Schedule);

/// <summary>A meeting's schedule fields, checked by the scheduling rules (which name each bad field).</summary>
public static class MeetingSchedule
{
    public static ValidSchedule? Check(string schedulingType, MeetingInput input, DateTimeOffset now, FieldErrors errors)
    {
        var schedule = ScheduleFields.Validate(
            new ScheduleInput(schedulingType, input.ScheduledStart, input.ScheduledEnd, input.Timezone, input.Rrule, input.Dtstart, input.DurationMinutes),
            errors,
            now);
        if (schedule is null)
        {
            return null;
        }

        if (schedule is { ScheduledStart: { } start, ScheduledEnd: { } end } && (end - start).TotalMinutes > ScheduleFields.MaxDurationMinutes)
        {
            errors.Add("scheduledEnd", $"A meeting lasts at most {ScheduleFields.MaxDurationMinutes / 60} hours.");
            return null;
        }

        return new ValidSchedule(
            schedule.ScheduledStart?.ToUniversalTime(),
            schedule.ScheduledEnd?.ToUniversalTime(),
            schedule.TimeZone,
            schedule.Type == SchedulingType.Recurring ? input.Rrule?.Trim() : null,
            schedule.Type == SchedulingType.Recurring ? input.Dtstart : null,
            schedule.DurationMinutes,
            schedule);
    }
}
