using System.Globalization;
using Castio.Core.Common;

namespace Castio.Core.Meetings;

/// <summary>The schedule fields of a meeting after validation (times UTC, local dtstart as text).</summary>
public sealed record ValidSchedule(
    DateTimeOffset? ScheduledStart,
    DateTimeOffset? ScheduledEnd,
    string Timezone,
    string? Rrule,
    string? Dtstart,
    int? DurationMinutes);

/// <summary>Which schedule fields each scheduling type needs, and their shapes.</summary>
public static class MeetingSchedule
{
    public static ValidSchedule? Check(string schedulingType, MeetingInput input, DateTimeOffset now, FieldErrors errors)
    {
        var timezone = string.IsNullOrWhiteSpace(input.Timezone) ? "UTC" : input.Timezone.Trim();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out _))
        {
            errors.Add("timezone", "Timezone must be an IANA time zone name such as Europe/Berlin.");
        }

        DateTimeOffset? start = null, end = null;
        if (input.ScheduledStart is { } s && (start = MeetingRules.ParseInstant(s)) is null)
        {
            errors.Add("scheduledStart", "Must be an ISO 8601 date-time with an offset, e.g. 2026-12-03T09:00:00+01:00.");
        }

        if (input.ScheduledEnd is { } e && (end = MeetingRules.ParseInstant(e)) is null)
        {
            errors.Add("scheduledEnd", "Must be an ISO 8601 date-time with an offset, e.g. 2026-12-03T10:00:00+01:00.");
        }

        if (input.DurationMinutes is < 1 or > MeetingRules.MaxDurationMinutes)
        {
            errors.Add("durationMinutes", $"Duration must be between 1 and {MeetingRules.MaxDurationMinutes} minutes.");
        }

        if (input.Dtstart is { } d && !DateTime.TryParseExact(d, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            errors.Add("dtstart", "Must be a local date-time without offset, e.g. 2026-12-07T09:00:00.");
        }

        switch (schedulingType)
        {
            case SchedulingTypes.Scheduled:
                if (input.ScheduledStart is null)
                {
                    errors.Add("scheduledStart", "A scheduled meeting needs a start.");
                }
                else if (start is { } st && st <= now)
                {
                    errors.Add("scheduledStart", "The start must be in the future.");
                }

                if (input.ScheduledEnd is null)
                {
                    errors.Add("scheduledEnd", "A scheduled meeting needs an end.");
                }
                else if (start is { } a && end is { } b && b <= a)
                {
                    errors.Add("scheduledEnd", "The end must be after the start.");
                }
                else if (start is { } a2 && end is { } b2 && (b2 - a2).TotalMinutes > MeetingRules.MaxDurationMinutes)
                {
                    errors.Add("scheduledEnd", "A meeting lasts at most 24 hours.");
                }

                break;
            case SchedulingTypes.Recurring:
                if (string.IsNullOrWhiteSpace(input.Rrule))
                {
                    errors.Add("rrule", "A recurring meeting needs an RRULE, e.g. FREQ=WEEKLY;BYDAY=MO.");
                }
                else if (!input.Rrule.Contains("FREQ=", StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add("rrule", "The RRULE needs a FREQ part.");
                }

                if (input.Dtstart is null)
                {
                    errors.Add("dtstart", "A recurring meeting needs a dtstart (local date-time in its time zone).");
                }

                if (input.DurationMinutes is null)
                {
                    errors.Add("durationMinutes", "A recurring meeting needs a duration.");
                }

                break;
        }

        return errors.IsEmpty ? new ValidSchedule(start, end, timezone, input.Rrule?.Trim(), input.Dtstart, input.DurationMinutes) : null;
    }
}
