using Castio.Core.Common;

namespace Castio.Core.Scheduling;

/// <summary>How a meeting is scheduled (wire values are lower case).</summary>
public enum SchedulingType
{
    Instant,
    Scheduled,
    Recurring,
    Permanent,
}

/// <summary>A meeting's scheduling fields as they arrive on the wire (all optional text).</summary>
public sealed record ScheduleInput(
    string? SchedulingType,
    string? ScheduledStart = null,
    string? ScheduledEnd = null,
    string? Timezone = null,
    string? Rrule = null,
    string? Dtstart = null,
    int? DurationMinutes = null,
    IReadOnlyList<string>? Exdates = null);

/// <summary>
/// Validated scheduling fields. <see cref="ScheduledStart"/>/<see cref="ScheduledEnd"/> are set for
/// <c>scheduled</c>; <see cref="Recurrence"/> and <see cref="DurationMinutes"/> for <c>recurring</c>.
/// </summary>
public sealed record Schedule(
    SchedulingType Type,
    string TimeZone,
    DateTimeOffset? ScheduledStart,
    DateTimeOffset? ScheduledEnd,
    Recurrence? Recurrence,
    int? DurationMinutes)
{
    public string TypeText => ScheduleFields.ToWire(Type);
}

/// <summary>The rules for a meeting's scheduling fields; each failure names its camelCase field.</summary>
public static class ScheduleFields
{
    public const string DefaultTimeZone = "UTC";
    public const int MaxDurationMinutes = 24 * 60;

    public static string ToWire(SchedulingType type) => type.ToString().ToLowerInvariant();

    public static SchedulingType? ParseType(string? text) => text switch
    {
        "instant" => SchedulingType.Instant,
        "scheduled" => SchedulingType.Scheduled,
        "recurring" => SchedulingType.Recurring,
        "permanent" => SchedulingType.Permanent,
        _ => null,
    };

    /// <summary>Validates the fields; a 400 outcome naming each bad field, or the parsed schedule.</summary>
    public static Outcome<Schedule> Validate(ScheduleInput input, DateTimeOffset? now = null)
    {
        var errors = new FieldErrors();
        var schedule = Validate(input, errors, now);
        return schedule ?? (Outcome<Schedule>)Error.Invalid(ValidationCodes.ValidationFailed, errors);
    }

    /// <summary>
    /// Validates the fields, adding to <paramref name="errors"/> (so a caller can collect its own
    /// field errors alongside); null when a scheduling field is invalid. With <paramref name="now"/>,
    /// a scheduled start must not be in the past. A missing schedulingType reads as <c>instant</c>,
    /// a missing timezone as UTC.
    /// </summary>
    public static Schedule? Validate(ScheduleInput input, FieldErrors errors, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(errors);
        var local = new FieldErrors();
        var type = input.SchedulingType is null ? SchedulingType.Instant : ParseType(input.SchedulingType);
        if (type is null)
        {
            local.Add("schedulingType", "schedulingType must be one of: instant, scheduled, recurring, permanent.");
        }

        var timeZone = input.Timezone ?? DefaultTimeZone;
        if (!ScheduleText.IsTimeZone(timeZone))
        {
            local.Add("timezone", $"'{Clip(timeZone)}' is not an IANA time zone, e.g. Europe/London.");
        }

        DateTimeOffset? start = null, end = null;
        Recurrence? recurrence = null;
        if (type == SchedulingType.Scheduled)
        {
            start = ScheduleText.ParseWithOffset(input.ScheduledStart);
            end = ScheduleText.ParseWithOffset(input.ScheduledEnd);
            if (input.ScheduledStart is null)
            {
                local.Add("scheduledStart", "scheduledStart is required for a scheduled meeting.");
            }
            else if (start is null)
            {
                local.Add("scheduledStart", "scheduledStart must be an ISO 8601 date-time with offset, e.g. 2026-01-05T09:00:00+01:00.");
            }
            else if (now is { } n && start < n)
            {
                local.Add("scheduledStart", "scheduledStart must be in the future.");
            }

            if (input.ScheduledEnd is null)
            {
                local.Add("scheduledEnd", "scheduledEnd is required for a scheduled meeting.");
            }
            else if (end is null)
            {
                local.Add("scheduledEnd", "scheduledEnd must be an ISO 8601 date-time with offset, e.g. 2026-01-05T10:00:00+01:00.");
            }
            else if (start is { } s && end <= s)
            {
                local.Add("scheduledEnd", "scheduledEnd must be after scheduledStart.");
            }
        }
        else
        {
            NotAllowed(local, "scheduledStart", input.ScheduledStart, type);
            NotAllowed(local, "scheduledEnd", input.ScheduledEnd, type);
        }

        if (type == SchedulingType.Recurring)
        {
            recurrence = Recurrence.Create(input.Rrule, input.Dtstart, input.Timezone ?? DefaultTimeZone, input.Exdates, local);
            if (input.DurationMinutes is null)
            {
                local.Add("durationMinutes", "durationMinutes is required for a recurring meeting.");
            }
            else if (input.DurationMinutes is < 1 or > MaxDurationMinutes)
            {
                local.Add("durationMinutes", $"durationMinutes must be between 1 and {MaxDurationMinutes}.");
            }
        }
        else
        {
            NotAllowed(local, "rrule", input.Rrule, type);
            NotAllowed(local, "dtstart", input.Dtstart, type);
            NotAllowed(local, "exdates", input.Exdates is { Count: > 0 } ? "set" : null, type);
            if (input.DurationMinutes is not null && type != SchedulingType.Scheduled)
            {
                NotAllowed(local, "durationMinutes", "set", type);
            }
        }

        if (local.IsEmpty)
        {
            return new Schedule(type!.Value, timeZone, start, end, recurrence, type == SchedulingType.Recurring ? input.DurationMinutes : null);
        }

        foreach (var (field, messages) in local.ToDictionary())
        {
            foreach (var message in messages)
            {
                errors.Add(field, message);
            }
        }

        return null;
    }

    private static void NotAllowed(FieldErrors errors, string field, string? value, SchedulingType? type)
    {
        if (value is not null && type is not null)
        {
            errors.Add(field, $"{field} does not apply to a {ToWire(type.Value)} meeting.");
        }
    }

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
