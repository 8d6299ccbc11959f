using Castio.Core.Common;

namespace Castio.Core.Scheduling;

public sealed record SchedulePreviewRequest(string? Rrule, string? Dtstart, string? Timezone, int? Limit = null, IReadOnlyList<string>? Exdates = null);

/// <summary><c>startUtc</c> ends in Z; <c>startLocal</c> is the wall-clock time in the series' zone, no offset.</summary>
public sealed record PreviewOccurrence(string StartUtc, string StartLocal);

public sealed record SchedulePreviewResult(IReadOnlyList<PreviewOccurrence> Occurrences);

/// <summary>The scheduling dialog's preview: the same expander the series is created with.</summary>
public static class SchedulePreview
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static Outcome<SchedulePreviewResult> Run(SchedulePreviewRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new FieldErrors();
        if (request.Limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"limit must be between 1 and {MaxLimit}.");
        }

        var recurrence = Recurrence.Create(request.Rrule, request.Dtstart, request.Timezone, request.Exdates, errors);
        if (!errors.IsEmpty || recurrence is null)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        return new SchedulePreviewResult(
            [.. recurrence.Take(request.Limit ?? DefaultLimit).Select(o => new PreviewOccurrence(ScheduleText.Utc(o.StartUtc), ScheduleText.Local(o.StartLocal)))]);
    }
}
