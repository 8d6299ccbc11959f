using System.Globalization;
using Azure.Data.Tables;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Meetings;
using Castio.Core.PostMeeting;
using CsvHelper;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Core.Insights;

/// <summary>A validated range of UTC days, both ends included.</summary>
public sealed record AnalyticsRange(DateOnly From, DateOnly To)
{
    public const int MaxDays = 366;
    public const int DefaultDays = 30;

    /// <summary><c>from</c>/<c>to</c> as <c>yyyy-MM-dd</c>; by default the last 30 days up to today; at most a year.</summary>
    public static Outcome<AnalyticsRange> Parse(string? from, string? to, DateOnly today)
    {
        var errors = new FieldErrors();
        var end = Day(to, "to", today, errors);
        var start = Day(from, "from", end.AddDays(1 - DefaultDays), errors);
        if (errors.IsEmpty && start > end) errors.Add("from", "Must be on or before 'to'.");
        else if (errors.IsEmpty && end.DayNumber - start.DayNumber + 1 > MaxDays) errors.Add("from", $"The range is at most {MaxDays} days.");
        return errors.IsEmpty ? new AnalyticsRange(start, end) : Error.Invalid(ValidationCodes.ValidationFailed, errors);
    }

    private static DateOnly Day(string? value, string field, DateOnly fallback, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day.Year is >= 2000 and <= 2999) return day;
        errors.Add(field, "A UTC day as yyyy-MM-dd.");
        return fallback;
    }
}

/// <summary>The figures analytics add up: sessions, participants, participant-minutes, peak concurrency, recordings.</summary>
public sealed record AnalyticsFigures(int Sessions, int Participants, double ParticipantMinutes, int PeakConcurrency, int Recordings, double RecordingMinutes, long RecordingBytes)
{
    public static readonly AnalyticsFigures Zero = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Sums; peak concurrency is the highest single peak, not a sum of peaks.</summary>
    public static AnalyticsFigures Sum(IEnumerable<AnalyticsFigures> parts) => parts.Aggregate(Zero, (a, b) => new(
        a.Sessions + b.Sessions, a.Participants + b.Participants, Math.Round(a.ParticipantMinutes + b.ParticipantMinutes, 3),
        Math.Max(a.PeakConcurrency, b.PeakConcurrency), a.Recordings + b.Recordings, Math.Round(a.RecordingMinutes + b.RecordingMinutes, 3), a.RecordingBytes + b.RecordingBytes));
}

/// <summary>One row of figures, flat so it is one CSV line too.</summary>
public sealed record AnalyticsRow(
    string Key, string? Label, string? MeetingType, int Sessions, int Participants, double ParticipantMinutes, int PeakConcurrency,
    int Recordings, double RecordingMinutes, long RecordingBytes)
{
    public static AnalyticsRow Of(string key, string? label, string? type, AnalyticsFigures f) =>
        new(key, label, type, f.Sessions, f.Participants, f.ParticipantMinutes, f.PeakConcurrency, f.Recordings, f.RecordingMinutes, f.RecordingBytes);
}

/// <summary>
/// An analytics answer: the range, whose meetings it covers (<c>org</c>: all, <c>own</c>: the caller's as host), the
/// totals and the rows (by meeting type, by day, or by meeting).
/// </summary>
public sealed record AnalyticsReport(DateOnly From, DateOnly To, string Scope, AnalyticsFigures Totals, IReadOnlyList<AnalyticsRow> Items);

/// <summary>
/// Analytics over a range of days (the analytics routes; the namespace is Insights because the post-meeting store has
/// a property named Analytics, which the architecture scan would read as a reference back), from the aggregates the post-meeting pipeline keeps: the org's daily totals by
/// meeting type, and one contribution row per session (for per-meeting figures and a host's own meetings). Raw
/// events are never read. Owners and admins see the org; hosts their own meetings.
/// </summary>
public sealed class AnalyticsService(PostMeetingStore store, MeetingStore meetings, TimeProvider time)
{
    public const string ScopeOrg = "org";
    public const string ScopeOwn = "own";

    public async Task<Outcome<AnalyticsReport>> OverviewAsync(CurrentUser caller, string? from, string? to, CancellationToken cancellationToken)
    {
        var range = AnalyticsRange.Parse(from, to, Today());
        if (range.Error is { } error) return error;
        var (scope, parts) = await PartsAsync(caller, range.Value, cancellationToken);
        var byType = parts.GroupBy(p => p.MeetingType, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => AnalyticsRow.Of(g.Key, null, g.Key, AnalyticsFigures.Sum(g.Select(p => p.Figures)))).ToList();
        return new AnalyticsReport(range.Value.From, range.Value.To, scope, AnalyticsFigures.Sum(parts.Select(p => p.Figures)), byType);
    }

    /// <summary>One row per day of the range (days without meetings included, as zeros), optionally of one meeting type.</summary>
    public async Task<Outcome<AnalyticsReport>> UsageAsync(CurrentUser caller, string? from, string? to, string? meetingType, CancellationToken cancellationToken)
    {
        var range = AnalyticsRange.Parse(from, to, Today());
        if (range.Error is { } error) return error;
        if (meetingType is not null && (meetingType.Length is 0 or > 40 || !meetingType.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            return Error.Invalid(ValidationCodes.ValidationFailed, new FieldErrors().Add("meetingType", "A meeting type such as video, audio, webinar or livestream."));
        var (scope, parts) = await PartsAsync(caller, range.Value, cancellationToken);
        var chosen = parts.Where(p => meetingType is null || p.MeetingType == meetingType).ToList();
        var days = new List<AnalyticsRow>();
        for (var day = range.Value.From; day <= range.Value.To; day = day.AddDays(1))
        {
            var key = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            days.Add(AnalyticsRow.Of(key, null, meetingType, AnalyticsFigures.Sum(chosen.Where(p => p.Day == day).Select(p => p.Figures))));
        }
        return new AnalyticsReport(range.Value.From, range.Value.To, scope, AnalyticsFigures.Sum(chosen.Select(p => p.Figures)), days);
    }

    /// <summary>One row per meeting with sessions in the range, busiest (participant-minutes) first.</summary>
    public async Task<Outcome<AnalyticsReport>> MeetingsAsync(CurrentUser caller, string? from, string? to, CancellationToken cancellationToken)
    {
        var range = AnalyticsRange.Parse(from, to, Today());
        if (range.Error is { } error) return error;
        var own = !caller.Role.Allows(Permission.ViewAnyAnalytics);
        var contributions = await ContributionsAsync(caller, range.Value, own, cancellationToken);
        var rows = contributions.GroupBy(c => c.MeetingId)
            .Select(g => (Meeting: g.Key, Title: g.First().Title, Type: g.First().MeetingType, Figures: AnalyticsFigures.Sum(g.Select(c => c.Figures))))
            .OrderByDescending(r => r.Figures.ParticipantMinutes).ThenBy(r => r.Meeting)
            .Select(r => AnalyticsRow.Of(r.Meeting?.ToString("D") ?? "unknown", r.Title, r.Type, r.Figures)).ToList();
        return new AnalyticsReport(range.Value.From, range.Value.To, own ? ScopeOwn : ScopeOrg, AnalyticsFigures.Sum(contributions.Select(c => c.Figures)), rows);
    }

    /// <summary>Rows as CSV (RFC 4180, invariant culture, a header line).</summary>
    public static string ToCsv(IEnumerable<AnalyticsRow> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, CultureInfo.InvariantCulture))
            csv.WriteRecords(rows);
        return text.ToString();
    }

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private sealed record Part(DateOnly Day, string MeetingType, AnalyticsFigures Figures);

    /// <summary>Owners and admins: the org's daily totals. Hosts: their meetings' session contributions.</summary>
    private async Task<(string Scope, IReadOnlyList<Part> Parts)> PartsAsync(CurrentUser caller, AnalyticsRange range, CancellationToken cancellationToken)
    {
        if (caller.Role.Allows(Permission.ViewAnyAnalytics))
        {
            var daily = await store.ListDailyAnalyticsAsync(caller.OrgId, range.From, range.To, cancellationToken);
            return (ScopeOrg, [.. daily.Select(d => new Part(ParseDay(d.Day), d.MeetingType, Figures(d)))]);
        }
        var own = await ContributionsAsync(caller, range, own: true, cancellationToken);
        return (ScopeOwn, [.. own.Select(c => new Part(c.Day, c.MeetingType, c.Figures))]);
    }

    private sealed record Contribution(DateOnly Day, string MeetingType, Guid? MeetingId, string? Title, AnalyticsFigures Figures);

    /// <summary>
    /// Session contributions in the range (one row per session, keyed by day). A host's own are those of meetings they
    /// host: the meeting rows say who that is.
    /// </summary>
    private async Task<IReadOnlyList<Contribution>> ContributionsAsync(CurrentUser caller, AnalyticsRange range, bool own, CancellationToken cancellationToken)
    {
        var rows = await store.ListAnalyticsContributionsAsync(caller.OrgId, range.From, range.To, cancellationToken);
        var ids = rows.Where(r => r.MeetingId is not null).Select(r => r.MeetingId!.Value).Distinct().ToList();
        var found = new Dictionary<Guid, MeetingEntity?>();
        foreach (var chunk in ids.Chunk(16))
        {
            var loaded = await Task.WhenAll(chunk.Select(id => meetings.GetAsync(caller.OrgId, id, cancellationToken)));
            for (var i = 0; i < chunk.Length; i++) found[chunk[i]] = loaded[i];
        }
        return [.. rows
            .Where(r => !own || (r.MeetingId is { } m && found.GetValueOrDefault(m) is { } meeting && meeting.HostId == caller.UserId))
            .Select(r => new Contribution(ParseDay(r.Day), r.MeetingType, r.MeetingId, r.MeetingId is { } id ? found.GetValueOrDefault(id)?.Title : null, Figures(r.Row)))];
    }

    private static AnalyticsFigures Figures(AnalyticsEntity e) =>
        new(e.Sessions, e.Participants, e.ParticipantMinutes, e.PeakConcurrency, e.Recordings, e.RecordingMinutes, e.RecordingBytes);

    private static DateOnly ParseDay(string day) => DateOnly.ParseExact(day, "yyyyMMdd", CultureInfo.InvariantCulture);
}

public static class AnalyticsServiceCollectionExtensions
{
    public static IServiceCollection AddAnalytics(this IServiceCollection services) => services.AddTransient<AnalyticsService>();
}
