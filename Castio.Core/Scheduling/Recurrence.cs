using Castio.Core.Common;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Evaluation;

namespace Castio.Core.Scheduling;

/// <summary>One occurrence of a series: the instant, and the wall-clock time in the series' zone.</summary>
public readonly record struct OccurrenceTime(DateTimeOffset StartUtc, DateTime StartLocal);

/// <summary>
/// A validated RFC 5545 recurrence (RRULE + optional EXDATEs) anchored at a local <see cref="DtStart"/>
/// in an IANA <see cref="TimeZone"/>, expanded by Ical.Net on the tz database, so 09:00 local stays
/// 09:00 local across DST changes. Every expansion is bounded by <see cref="MaxExpansion"/>.
/// </summary>
public sealed class Recurrence
{
    /// <summary>The most occurrences one expansion returns, whatever the caller asks.</summary>
    public const int MaxExpansion = 1000;

    /// <summary>COUNT above this is a typo or an abuse: a meeting every day for 27 years.</summary>
    public const int MaxCount = 10_000;

    public const int MaxInterval = 1000;

    /// <summary>
    /// How many empty steps the expander may take looking for the next match before it gives up:
    /// enough for FEB 29 on a DAILY rule (4 years of days), bounded for rules that never match.
    /// </summary>
    private const int MaxUnmatchedSteps = 2000;

    private static readonly EvaluationOptions Options = new() { MaxUnmatchedIncrementsLimit = MaxUnmatchedSteps };

    private readonly RecurrenceRule _rule;

    private Recurrence(RecurrenceRule rule, string text, DateTime dtStart, string timeZone, IReadOnlyList<DateTime> exceptionDates)
    {
        _rule = rule;
        Rule = text;
        DtStart = dtStart;
        TimeZone = timeZone;
        ExceptionDates = exceptionDates;
    }

    /// <summary>The rule as given, without an "RRULE:" prefix.</summary>
    public string Rule { get; }

    /// <summary>The first start, local to <see cref="TimeZone"/>, no offset.</summary>
    public DateTime DtStart { get; }

    public string TimeZone { get; }

    /// <summary>Local starts excluded from the series (EXDATE).</summary>
    public IReadOnlyList<DateTime> ExceptionDates { get; }

    /// <summary>
    /// Parses and checks a series; field errors name <c>rrule</c>, <c>dtstart</c>, <c>timezone</c>
    /// or <c>exdates</c>. A rule that cannot produce a single occurrence is refused too.
    /// </summary>
    public static Outcome<Recurrence> Create(string? rrule, string? dtstart, string? timezone, IEnumerable<string>? exdates = null)
    {
        var errors = new FieldErrors();
        var recurrence = Create(rrule, dtstart, timezone, exdates, errors);
        return recurrence ?? (Outcome<Recurrence>)Error.Invalid(ValidationCodes.ValidationFailed, errors);
    }

    /// <summary>As <see cref="Create(string?, string?, string?, IEnumerable{string}?)"/>, adding to the caller's errors; null when invalid.</summary>
    public static Recurrence? Create(string? rrule, string? dtstart, string? timezone, IEnumerable<string>? exdates, FieldErrors into)
    {
        var errors = new FieldErrors();
        var recurrence = CreateCore(rrule, dtstart, timezone, exdates, errors);
        foreach (var (field, messages) in errors.ToDictionary())
        {
            foreach (var message in messages)
            {
                into.Add(field, message);
            }
        }

        return recurrence;
    }

    private static Recurrence? CreateCore(string? rrule, string? dtstart, string? timezone, IEnumerable<string>? exdates, FieldErrors errors)
    {
        var start = ScheduleText.ParseLocal(dtstart);
        if (dtstart is null)
        {
            errors.Add("dtstart", "dtstart is required for a recurring schedule.");
        }
        else if (start is null)
        {
            errors.Add("dtstart", "dtstart must be a local date-time without offset, e.g. 2026-01-05T09:00:00.");
        }

        if (timezone is null)
        {
            errors.Add("timezone", "timezone is required for a recurring schedule.");
        }
        else if (!ScheduleText.IsTimeZone(timezone))
        {
            errors.Add("timezone", $"'{Clip(timezone)}' is not an IANA time zone, e.g. Europe/London.");
        }

        var excluded = new List<DateTime>();
        foreach (var text in exdates ?? [])
        {
            if (ScheduleText.ParseLocal(text) is { } local)
            {
                excluded.Add(local);
            }
            else
            {
                errors.Add("exdates", $"'{Clip(text)}' is not a local date-time without offset.");
            }
        }

        var (rule, ruleText) = ParseRule(rrule, errors);
        if (!errors.IsEmpty || rule is null)
        {
            return null;
        }

        var recurrence = new Recurrence(rule, ruleText!, start!.Value, timezone!, excluded);
        if (!recurrence.HasAny())
        {
            errors.Add("rrule", "The rule produces no occurrences from dtstart (check UNTIL, COUNT and the BY parts).");
            return null;
        }

        return recurrence;
    }

    /// <summary>The series from <paramref name="fromUtc"/> on (or from the start), at most <see cref="MaxExpansion"/>.</summary>
    public IEnumerable<OccurrenceTime> Expand(DateTimeOffset? fromUtc = null)
    {
        var from = fromUtc is { } f ? new CalDateTime(f.UtcDateTime, CalDateTime.UtcTzId) : null;
        using var occurrences = CreateEvent().GetOccurrences(from, Options).GetEnumerator();
        for (var produced = 0; produced < MaxExpansion; produced++)
        {
            try
            {
                if (!occurrences.MoveNext())
                {
                    yield break;
                }
            }
            catch (EvaluationException)
            {
                // The rule ran out of matches within the step budget: the series is over.
                yield break;
            }

            var start = occurrences.Current.Period.StartTime;
            var local = DateTime.SpecifyKind(start.Value, DateTimeKind.Unspecified);
            yield return new OccurrenceTime(new DateTimeOffset(DateTime.SpecifyKind(start.AsUtc, DateTimeKind.Utc)), local);
        }
    }

    /// <summary>The first <paramref name="limit"/> occurrences starting at or after <paramref name="fromUtc"/>.</summary>
    public IReadOnlyList<OccurrenceTime> Take(int limit, DateTimeOffset? fromUtc = null) =>
        [.. Expand(fromUtc).Take(Math.Min(limit, MaxExpansion))];

    /// <summary>Occurrences starting in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), at most <paramref name="max"/>.</summary>
    public IReadOnlyList<OccurrenceTime> Between(DateTimeOffset fromUtc, DateTimeOffset toUtc, int max = MaxExpansion) =>
        [.. Expand(fromUtc).Where(o => o.StartUtc >= fromUtc).TakeWhile(o => o.StartUtc < toUtc).Take(Math.Min(max, MaxExpansion))];

    /// <summary>The series as an iCalendar event: DTSTART with TZID, RRULE and EXDATEs.</summary>
    public CalendarEvent CreateEvent()
    {
        var calendarEvent = new CalendarEvent
        {
            DtStart = new CalDateTime(DtStart, TimeZone),
            RecurrenceRule = new RecurrenceRule(Rule),
        };
        if (ExceptionDates.Count > 0)
        {
            calendarEvent.ExceptionDates.AddRange(ExceptionDates.Select(d => new CalDateTime(d, TimeZone)));
        }

        return calendarEvent;
    }

    /// <summary>A copy with more local starts excluded (cancelled occurrences).</summary>
    public Recurrence WithExceptions(IEnumerable<DateTime> localStarts) =>
        new(_rule, Rule, DtStart, TimeZone, [.. ExceptionDates.Concat(localStarts).Distinct().Order()]);

    private bool HasAny()
    {
        try
        {
            return CreateEvent().GetOccurrences(null, Options).Any();
        }
        catch (EvaluationException)
        {
            return false;
        }
    }

    private static (RecurrenceRule? Rule, string? Text) ParseRule(string? rrule, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(rrule))
        {
            errors.Add("rrule", "rrule is required for a recurring schedule, e.g. FREQ=WEEKLY;BYDAY=MO.");
            return default;
        }

        var text = rrule.Trim();
        if (text.StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[6..];
        }

        if (text.Length > 512 || text.Any(c => c is '\r' or '\n' || char.IsControl(c)))
        {
            errors.Add("rrule", "rrule must be one RRULE value on one line, at most 512 characters.");
            return default;
        }

        RecurrenceRule rule;
        try
        {
            rule = new RecurrenceRule(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or InvalidOperationException)
        {
            errors.Add("rrule", "rrule is not a valid RFC 5545 rule: " + e.Message.Split(" (Parameter", 2)[0]);
            return default;
        }

        var problems = new List<string>();
        if (rule.Frequency is not (FrequencyType.Daily or FrequencyType.Weekly or FrequencyType.Monthly or FrequencyType.Yearly))
        {
            problems.Add($"FREQ={rule.Frequency.ToString().ToUpperInvariant()} is not supported for meetings; use DAILY, WEEKLY, MONTHLY or YEARLY.");
        }

        if (rule.ByHour.Count > 0 || rule.ByMinute.Count > 0 || rule.BySecond.Count > 0)
        {
            problems.Add("BYHOUR, BYMINUTE and BYSECOND are not supported; the time of day comes from dtstart.");
        }

        if (rule.Interval is < 1 or > MaxInterval)
        {
            problems.Add($"INTERVAL must be between 1 and {MaxInterval}.");
        }

        if (rule.Count is < 1 or > MaxCount)
        {
            problems.Add($"COUNT must be between 1 and {MaxCount}.");
        }

        if (rule.Until is { } until && until.Year is < ScheduleText.MinYear or > ScheduleText.MaxYear)
        {
            problems.Add($"UNTIL must fall between {ScheduleText.MinYear} and {ScheduleText.MaxYear}.");
        }

        foreach (var problem in problems)
        {
            errors.Add("rrule", problem);
        }

        return problems.Count > 0 ? default : (rule, text);
    }

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
