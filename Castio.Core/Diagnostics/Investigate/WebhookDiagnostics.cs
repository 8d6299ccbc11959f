using System.Globalization;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Webhooks;

namespace Castio.Core.Diagnostics.Investigate;

public static class WebhookDiagnosticsErrors
{
    public const string DeliveryNotFound = "diagnostics.webhook_not_found";
}

/// <summary>A delivery as the diagnostics routes show it: never the body, only the link-free summary.</summary>
public sealed record WebhookDeliveryView(
    Guid Id, string Event, string Status, Guid? MeetingId, string? RtkMeetingId, string? RtkSessionId, string? RtkUuid,
    DateTimeOffset ReceivedAt, DateTimeOffset? ProcessedAt, int? DurationMs, string? ErrorCode, string? Error,
    Guid? DuplicateOf, string? PayloadSummary, int Replays)
{
    public static WebhookDeliveryView From(WebhookDeliveryEntity d) => new(
        d.Id, d.Event, d.Status, d.MeetingId, d.RtkMeetingId, d.RtkSessionId, d.RtkUuid, d.ReceivedAt, d.ProcessedAt, d.DurationMs,
        d.ErrorCode, d.Error, d.DuplicateOf, d.PayloadSummary, d.Replays);
}

public sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryView> Items, string? Continuation);

/// <summary>What a replay did: the delivery's new status and, on failure, why.</summary>
public sealed record WebhookReplayResult(Guid Id, string Status, string? ErrorCode, string? Detail);

/// <summary>
/// The delivery ledger for owners and admins: list (newest first, by day partitions, filtered), one delivery, replay.
/// </summary>
public sealed class WebhookDiagnostics(WebhookLedger ledger, WebhookService webhooks, TimeProvider time)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>The ledger keeps 30 days; a query window is at most that.</summary>
    public const int MaxWindowDays = 31;

    /// <summary>Deliveries at the very instant a page ended that a continuation may have to skip.</summary>
    private const int SameInstantSlack = 50;

    private static readonly string[] Statuses =
        [WebhookDeliveryStatus.Received, WebhookDeliveryStatus.Processing, WebhookDeliveryStatus.Processed, WebhookDeliveryStatus.Failed, WebhookDeliveryStatus.Duplicate];

    /// <summary>
    /// Deliveries from <paramref name="until"/> (default now) back to <paramref name="since"/> (default 7 days earlier).
    /// The continuation is the receipt time of the page's last delivery: the next page starts just before it.
    /// </summary>
    public async Task<Outcome<WebhookDeliveryPage>> ListAsync(
        CurrentUser caller, string? status, string? eventType, string? meetingId, string? since, string? until, string? continuation, int? limit,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (status is not null && !Statuses.Contains(status)) errors.Add("status", "One of " + string.Join(", ", Statuses) + ".");
        if (eventType is not null && (eventType.Length is 0 or > 100)) errors.Add("event", "An RTK event name such as meeting.participantJoined.");
        Guid? meeting = null;
        if (meetingId is not null)
        {
            if (Guid.TryParse(meetingId, out var m)) meeting = m;
            else errors.Add("meetingId", "A meeting id.");
        }
        if (limit is < 1 or > MaxPageSize) errors.Add("limit", $"Between 1 and {MaxPageSize}.");
        var now = time.GetUtcNow();
        var to = Time(until, "until", now, errors);
        var from = Time(since, "since", to.AddDays(-7), errors);
        // The continuation is the last row key seen (inverted receipt ticks, then the id): the next page starts at that
        // instant and skips what came up to it, so deliveries of the same instant are neither lost nor repeated.
        string? after = null;
        if (continuation is not null)
        {
            if (continuation.Length == 52 && continuation[19] == '_' && long.TryParse(continuation[..19], NumberStyles.None, CultureInfo.InvariantCulture, out var inverted)
                && inverted is >= 0 && inverted <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(continuation[20..], "N", out _))
            {
                after = continuation;
                to = new DateTimeOffset(DateTimeOffset.MaxValue.UtcTicks - inverted, TimeSpan.Zero);
            }
            else errors.Add("continuation", "Use the continuation of the previous page.");
        }
        if (errors.IsEmpty && from > to && continuation is null) errors.Add("since", "Must be before 'until'.");
        if (errors.IsEmpty && (to - from).TotalDays > MaxWindowDays) errors.Add("since", $"The window is at most {MaxWindowDays} days.");
        if (!errors.IsEmpty) return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        if (from > to) return new WebhookDeliveryPage([], null);

        var size = limit ?? DefaultPageSize;
        var rows = (await ledger.ListAsync(caller.OrgId, from, to, size + 1 + SameInstantSlack, status, eventType, meeting, cancellationToken))
            .Where(r => after is null || string.CompareOrdinal(r.RowKey, after) > 0).Take(size + 1).ToList();
        var page = rows.Take(size).ToList();
        return new WebhookDeliveryPage([.. page.Select(WebhookDeliveryView.From)], rows.Count > size ? page[^1].RowKey : null);
    }

    public async Task<Outcome<WebhookDeliveryView>> GetAsync(CurrentUser caller, Guid id, CancellationToken cancellationToken)
    {
        var delivery = await ledger.FindAsync(caller.OrgId, id, cancellationToken);
        return delivery is null ? NotFound() : WebhookDeliveryView.From(delivery);
    }

    /// <summary>Applies a recorded delivery again, with the same dedupe rules; the caller wakes the session's orchestration.</summary>
    public async Task<Outcome<(WebhookReplayResult Result, WebhookReceipt Receipt)>> ReplayAsync(CurrentUser caller, Guid id, CancellationToken cancellationToken)
    {
        var receipt = await webhooks.ReplayAsync(caller.OrgId, id, cancellationToken);
        if (receipt is null) return NotFound();
        return (new WebhookReplayResult(id, receipt.Status, receipt.ErrorCode, receipt.Detail), receipt);
    }

    private static DateTimeOffset Time(string? value, string field, DateTimeOffset fallback, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t.ToUniversalTime();
        errors.Add(field, "An ISO 8601 time.");
        return fallback;
    }

    private static Error NotFound() => new(ErrorKind.NotFound, WebhookDiagnosticsErrors.DeliveryNotFound, "No such webhook delivery.");
}
