using System.Globalization;

namespace Castio.Functions.Hosting;

/// <summary>
/// A six-field NCRONTAB schedule as the Functions timer trigger reads it:
/// <c>{second} {minute} {hour} {day} {month} {day-of-week}</c>, always UTC.
/// Fields accept <c>*</c>, numbers, ranges <c>a-b</c>, lists <c>a,b</c>, steps <c>*/n</c>, <c>a-b/n</c>, <c>a/n</c>,
/// and month (JAN-DEC) and weekday (SUN-SAT) names.
/// </summary>
public sealed class CrontabSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    // Years to scan before deciding a schedule never fires (e.g. "0 0 0 30 2 *"); covers leap-day schedules.
    private const int SearchYears = 8;

    private readonly ulong _seconds, _minutes, _hours, _days, _months, _daysOfWeek;

    public string Expression { get; }

    private CrontabSchedule(string expression, ulong seconds, ulong minutes, ulong hours, ulong days, ulong months, ulong daysOfWeek)
    {
        Expression = expression;
        (_seconds, _minutes, _hours, _days, _months, _daysOfWeek) = (seconds, minutes, hours, days, months, daysOfWeek);
    }

    public static CrontabSchedule Parse(string expression) =>
        TryParse(expression, out var schedule, out var error) ? schedule : throw new FormatException(error);

    public static bool TryParse(string? expression, out CrontabSchedule schedule, out string error)
    {
        schedule = null!;
        if (string.IsNullOrWhiteSpace(expression))
        {
            error = "The schedule is empty.";
            return false;
        }
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
        {
            error = $"'{expression}' has {fields.Length} fields; NCRONTAB needs 6: second minute hour day month day-of-week.";
            return false;
        }
        ulong seconds = 0, minutes = 0, hours = 0, days = 0, months = 0, daysOfWeek = 0;
        var ok = TryParseField(fields[0], 0, 59, null, ref seconds, out error)
            && TryParseField(fields[1], 0, 59, null, ref minutes, out error)
            && TryParseField(fields[2], 0, 23, null, ref hours, out error)
            && TryParseField(fields[3], 1, 31, null, ref days, out error)
            && TryParseField(fields[4], 1, 12, MonthNames, ref months, out error)
            && TryParseField(fields[5], 0, 6, DayNames, ref daysOfWeek, out error);
        if (!ok)
        {
            error = $"'{expression}': {error}";
            return false;
        }
        schedule = new CrontabSchedule(expression, seconds, minutes, hours, days, months, daysOfWeek);
        return true;
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null if the schedule never fires.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        var utc = after.UtcDateTime;
        // Strictly later, on a whole second.
        var start = new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc).AddSeconds(1);
        var end = start.AddYears(SearchYears);
        for (var day = start.Date; day < end; day = day.AddDays(1))
        {
            // Day-of-month and day-of-week must both match (NCRONTAB semantics, unlike Vixie cron's "either").
            if (!Has(_months, day.Month) || !Has(_days, day.Day) || !Has(_daysOfWeek, (int)day.DayOfWeek))
                continue;
            var first = day == start.Date ? start.TimeOfDay : TimeSpan.Zero;
            var time = FirstTimeOfDay(first);
            if (time is { } t)
                return new DateTimeOffset(day + t, TimeSpan.Zero);
        }
        return null;
    }

    private TimeSpan? FirstTimeOfDay(TimeSpan from)
    {
        for (var h = from.Hours; h < 24; h++)
        {
            if (!Has(_hours, h)) continue;
            var m0 = h == from.Hours ? from.Minutes : 0;
            for (var m = m0; m < 60; m++)
            {
                if (!Has(_minutes, m)) continue;
                var s0 = h == from.Hours && m == from.Minutes ? from.Seconds : 0;
                for (var s = s0; s < 60; s++)
                {
                    if (Has(_seconds, s))
                        return new TimeSpan(h, m, s);
                }
            }
        }
        return null;
    }

    private static bool Has(ulong bits, int value) => (bits & (1UL << value)) != 0;

    private static bool TryParseField(string field, int min, int max, string[]? names, ref ulong bits, out string error)
    {
        foreach (var part in field.Split(','))
        {
            if (!TryParsePart(part, min, max, names, ref bits, out error))
                return false;
        }
        error = "";
        return true;
    }

    private static bool TryParsePart(string part, int min, int max, string[]? names, ref ulong bits, out string error)
    {
        error = "";
        var step = 1;
        var range = part;
        var slash = part.IndexOf('/');
        if (slash >= 0)
        {
            range = part[..slash];
            if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
            {
                error = $"invalid step in '{part}'.";
                return false;
            }
        }

        int low, high;
        if (range == "*")
        {
            (low, high) = (min, max);
        }
        else
        {
            var dash = range.IndexOf('-');
            if (dash >= 0)
            {
                if (!TryParseValue(range[..dash], min, max, names, out low) || !TryParseValue(range[(dash + 1)..], min, max, names, out high))
                {
                    error = $"'{part}' is outside {min}-{max}.";
                    return false;
                }
                if (low > high)
                {
                    error = $"range '{part}' runs backwards.";
                    return false;
                }
            }
            else
            {
                if (!TryParseValue(range, min, max, names, out low))
                {
                    error = $"'{part}' is not a value in {min}-{max}.";
                    return false;
                }
                // "a/n" means from a to the end of the field in steps of n.
                high = slash >= 0 ? max : low;
            }
        }

        for (var v = low; v <= high; v += step)
            bits |= 1UL << v;
        return true;
    }

    private static bool TryParseValue(string text, int min, int max, string[]? names, out int value)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
            return value >= min && value <= max;
        if (names is not null)
        {
            var index = Array.FindIndex(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                value = index + min;
                return true;
            }
        }
        return false;
    }

    public override string ToString() => Expression;
}
