using System.Diagnostics;
using System.Text.Json;
using Azure;
using Castio.Core.PostMeeting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Castio.Core.Webhooks;

/// <summary>
/// How a verified delivery ended: the HTTP status to answer RTK with (5xx only when RTK should retry), the ledger
/// status and row, and the session whose post-meeting orchestration should be woken (started if absent).
/// </summary>
public sealed record WebhookReceipt(int StatusCode, string Status, Guid? DeliveryId, SessionKey? Wake, string? ErrorCode = null, string? Detail = null);

/// <summary>
/// Takes verified RTK deliveries: applies the fact to the post-meeting projections, records the delivery in the ledger
/// deduplicated by business key (which covers a repeated <c>rtk-uuid</c>), and says which orchestration to wake.
/// Projections are idempotent and order-free, so applying again (a retry, a replay, a race, a duplicate) is always safe.
/// </summary>
public sealed partial class WebhookService(
    WebhookLedger ledger, RtkMeetingResolver meetings, SessionProjections projections, IOptions<PostMeetingOptions> options,
    TimeProvider time, ILogger<WebhookService> logger)
{
    public const string UnknownMeeting = "unknown_meeting";
    public const string UnreadablePayload = "unreadable_payload";
    public const string ApplyFailed = "apply_failed";
    public const string NotRecorded = "not_recorded";
    public const string DuplicateDelivery = "duplicate_delivery";
    public const string DuplicateFact = "duplicate_fact";

    /// <summary>Castio could not durably accept the delivery: RTK retries a 5xx.</summary>
    private static readonly WebhookReceipt NotRecordedReceipt =
        new(503, WebhookDeliveryStatus.Failed, null, null, NotRecorded, "The delivery could not be recorded; retry.");

    public async Task<WebhookReceipt> ReceiveAsync(ReadOnlyMemory<byte> body, string? rtkUuid, string? webhookId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        RtkWebhookPayload? payload = null;
        try
        {
            payload = RtkWebhookPayload.Parse(body.Span);
        }
        catch (JsonException)
        {
        }

        MeetingRef? meeting = null;
        if (payload is not null && WebhookFacts.RtkMeetingId(payload) is { } rtkMeetingId)
        {
            try
            {
                meeting = await meetings.ResolveAsync(rtkMeetingId, cancellationToken);
            }
            catch (RequestFailedException e)
            {
                LogNotRecorded(logger, payload.Event, e);
                return NotRecordedReceipt;
            }
        }

        var delivery = new WebhookDeliveryEntity
        {
            PartitionKey = WebhookLedger.PartitionFor(meeting?.OrgId, now),
            RowKey = WebhookLedger.RowFor(id, now),
            Id = id,
            OrgId = meeting?.OrgId,
            MeetingId = meeting?.MeetingId,
            Event = payload?.Event ?? "(unreadable)",
            RtkUuid = Trim(rtkUuid, 100),
            RtkWebhookId = Trim(webhookId, 100),
            RtkMeetingId = payload is null ? null : Trim(WebhookFacts.RtkMeetingId(payload), 100),
            RtkSessionId = Trim(payload?.EffectiveSessionId, 100),
            BusinessKey = payload is null ? null : Trim(WebhookFacts.BusinessKey(payload, body.Span), 400),
            PayloadSummary = payload is null ? null : WebhookFacts.Describe(payload),
            Status = WebhookDeliveryStatus.Received,
            ReceivedAt = now,
            Body = body.Length <= WebhookLedger.MaxStoredBodyBytes ? body.ToArray() : null,
        };

        // A fact this process already recorded as processed is not applied again: the repeat is recorded as its duplicate.
        if (delivery.BusinessKey is { } settledKey && Settled(settledKey, now) is { } settled)
        {
            Finish(delivery, WebhookDeliveryStatus.Duplicate, settled.RtkUuid == delivery.RtkUuid ? DuplicateDelivery : DuplicateFact, null);
            delivery.DuplicateOf = settled.Id;
            delivery.DurationMs = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            try
            {
                await ledger.AddAsync(delivery, cancellationToken);
            }
            catch (RequestFailedException e)
            {
                LogNotRecorded(logger, delivery.Event, e);
                return NotRecordedReceipt;
            }

            return new WebhookReceipt(200, delivery.Status, delivery.Id, null, delivery.ErrorCode, null);
        }

        // The fact is applied first, then the delivery is recorded once, with its outcome and the claim of its fact in
        // the same transaction: one ledger write per delivery. Applying before knowing whether the fact was claimed is
        // safe because projections are idempotent and order-free (a duplicate applied again changes nothing); the claim
        // still decides which delivery is recorded as processed and wakes post-meeting work. Nothing is lost if Castio
        // stops in between: RTK has no answer yet and retries.
        var (httpStatus, wake) = await ApplyAndFinishAsync(delivery, payload, meeting, cancellationToken);
        delivery.DurationMs = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            if (delivery.Status != WebhookDeliveryStatus.Processed || delivery.BusinessKey is not { } key)
            {
                await ledger.AddAsync(delivery, cancellationToken);
            }
            else if (await ledger.AddClaimedAsync(delivery, key, now, cancellationToken) is { } owner)
            {
                // Another delivery owns the fact (nothing was written): this one is recorded as its duplicate, and wakes nothing.
                MarkDuplicate(delivery, owner);
                wake = null;
                await ledger.AddAsync(delivery, cancellationToken);
            }
            else
            {
                Settle(key, delivery, now);
            }
        }
        catch (RequestFailedException e)
        {
            LogNotRecorded(logger, delivery.Event, e);
            return NotRecordedReceipt;
        }
        return new WebhookReceipt(httpStatus, delivery.Status, delivery.Id, wake, delivery.ErrorCode, delivery.Error);
    }

    /// <summary>
    /// Applies a recorded delivery again (owner/admin replay from diagnostics), with the same dedupe rules: if another
    /// delivery already processed the same fact this one stays a duplicate. Null when the org has no such delivery.
    /// </summary>
    public async Task<WebhookReceipt?> ReplayAsync(Guid? orgId, Guid deliveryId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var delivery = await ledger.FindAsync(orgId, deliveryId, cancellationToken);
        if (delivery is null) return null;
        RtkWebhookPayload? payload = null;
        try
        {
            if (delivery.Body is { } bytes) payload = RtkWebhookPayload.Parse(bytes);
        }
        catch (JsonException)
        {
        }
        var meeting = payload is not null && WebhookFacts.RtkMeetingId(payload) is { } rtkMeetingId ? await meetings.ResolveAsync(rtkMeetingId, cancellationToken) : null;
        delivery.Replays++;
        delivery.Status = WebhookDeliveryStatus.Processing;
        delivery.ProcessedAt = null;
        await ledger.SetOutcomeAsync(delivery, cancellationToken);
        var (httpStatus, wake) = await ApplyAndFinishAsync(delivery, payload, meeting, cancellationToken);
        var owner = delivery.Status == WebhookDeliveryStatus.Processed && delivery.BusinessKey is { } key
            ? await ledger.ClaimAsync(key, delivery, time.GetUtcNow(), cancellationToken)
            : null;
        if (owner is not null)
        {
            MarkDuplicate(delivery, owner);
            wake = null;
        }
        delivery.DurationMs = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await ledger.SetOutcomeAsync(delivery, cancellationToken);
        return new WebhookReceipt(httpStatus, delivery.Status, delivery.Id, wake, delivery.ErrorCode, delivery.Error);
    }

    /// <summary>
    /// Applies the delivery's fact if a Castio meeting owns it, and sets the delivery's outcome (processed or failed;
    /// the claim may still make it a duplicate). Gives the status RTK is answered with and the session to wake.
    /// </summary>
    private async Task<(int HttpStatus, SessionKey? Wake)> ApplyAndFinishAsync(WebhookDeliveryEntity delivery, RtkWebhookPayload? payload, MeetingRef? meeting, CancellationToken cancellationToken)
    {
        if (payload is null)
        {
            // Signed but not an RTK event: retrying the same bytes cannot help, so RTK gets a 4xx; the body is kept.
            Finish(delivery, WebhookDeliveryStatus.Failed, UnreadablePayload, "The body is not an RTK webhook event.");
            return (400, null);
        }
        if (meeting is null)
        {
            // Not a meeting Castio knows (another app's, or deleted): recorded and kept for a replay, not retried by RTK.
            Finish(delivery, WebhookDeliveryStatus.Failed, UnknownMeeting, "No Castio meeting owns this RTK meeting.");
            return (200, null);
        }
        try
        {
            var wake = await ApplyAsync(meeting, payload, cancellationToken);
            Finish(delivery, WebhookDeliveryStatus.Processed, null, null);
            return (200, wake);
        }
        catch (Exception e) when (e is RequestFailedException or InvalidOperationException or FormatException)
        {
            LogApplyFailed(logger, delivery.Event, delivery.Id, e);
            // RTK retries a 5xx; the fact is not claimed, so the retry applies it.
            Finish(delivery, WebhookDeliveryStatus.Failed, ApplyFailed, e.Message.Length > 300 ? e.Message[..300] : e.Message);
            return (500, null);
        }
    }

    // Facts this process recorded as processed (their claim and outcome stored in one transaction), so a repeat (RTK's
    // retry, a duplicate) skips the projection writes. Only this process's own processed owners are kept: an owner seen
    // in flight might still fail. Kept an hour, within the ledger's own duplicate window.
    private const int MaxSettled = 50_000;
    private static readonly TimeSpan SettledFor = TimeSpan.FromHours(1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Guid Id, string? RtkUuid, DateTimeOffset At)> _settled = new(StringComparer.Ordinal);

    private (Guid Id, string? RtkUuid)? Settled(string key, DateTimeOffset now) =>
        _settled.TryGetValue(key, out var s) && now - s.At < SettledFor ? (s.Id, s.RtkUuid) : null;

    private void Settle(string key, WebhookDeliveryEntity owner, DateTimeOffset now)
    {
        if (_settled.Count >= MaxSettled)
        {
            _settled.Clear();
        }

        _settled[key] = (owner.Id, owner.RtkUuid, now);
    }

    private void MarkDuplicate(WebhookDeliveryEntity delivery, WebhookDeliveryEntity owner)
    {
        Finish(delivery, WebhookDeliveryStatus.Duplicate, owner.RtkUuid == delivery.RtkUuid ? DuplicateDelivery : DuplicateFact, null);
        delivery.DuplicateOf = owner.Id;
    }

    private void Finish(WebhookDeliveryEntity delivery, string status, string? code, string? detail)
    {
        delivery.Status = status;
        delivery.ErrorCode = code;
        delivery.Error = detail;
        delivery.ProcessedAt = time.GetUtcNow();
    }

    /// <summary>
    /// Writes one event's fact into the projections. Returns the session to wake when the event ends a session or
    /// brings an artefact; the due index is written first, so the recovery timer finds it even if the wake is lost.
    /// </summary>
    public async Task<SessionKey?> ApplyAsync(MeetingRef meeting, RtkWebhookPayload p, CancellationToken cancellationToken)
    {
        var m = p.Meeting;
        var sessionId = p.EffectiveSessionId;
        var appId = m?.OrganizedBy?.Id ?? p.OrganizedBy?.Id ?? p.Recording?.OrganizationId;
        var title = m?.Title ?? p.Title;
        var startedAt = RtkWebhookPayload.ParseTime(m?.StartedAt ?? p.StartedAt);
        SessionKey? Key() => sessionId is null ? null : new SessionKey(meeting.OrgId, meeting.MeetingId, sessionId);

        switch (p.Event)
        {
            case WebhookFacts.MeetingStarted when sessionId is not null:
                await projections.SessionSeenAsync(meeting, sessionId, startedAt, appId, title, cancellationToken);
                return null;

            case WebhookFacts.MeetingEnded when sessionId is not null:
                var endedAt = RtkWebhookPayload.ParseTime(m?.EndedAt ?? p.EndedAt) ?? time.GetUtcNow();
                // The session's end and its due mark are independent writes: they go together.
                var due = DueAsync(Key()!, cancellationToken);
                await Task.WhenAll(projections.SessionEndedAsync(meeting, sessionId, startedAt, endedAt, p.Reason, appId, title, cancellationToken), due);
                return await due;

            case WebhookFacts.ParticipantJoined or WebhookFacts.ParticipantLeft when sessionId is not null && p.Participant?.PeerId is { } peerId:
                var left = p.Event == WebhookFacts.ParticipantLeft;
                var participant = p.Participant;
                // A join counts nobody into an ended session: whether it ended is read alongside the participant's row.
                var endedForJoin = left ? Task.FromResult(false) : m?.EndedAt is not null ? Task.FromResult(true) : projections.IsEndedAsync(Key()!, cancellationToken);
                await Task.WhenAll(
                    projections.SessionSeenAsync(meeting, sessionId, startedAt, appId, title, cancellationToken),
                    projections.PeerAsync(meeting, sessionId, new PeerFact(peerId, participant.CustomParticipantId ?? participant.ClientSpecificId, participant.UserDisplayName,
                        RtkWebhookPayload.ParseTime(participant.JoinedAt), RtkWebhookPayload.ParseTime(participant.LeftAt), left), endedForJoin, cancellationToken),
                    endedForJoin);
                // Checked after the writes: a participant reported after the session ended changes its totals, so the orchestration recounts.
                return m?.EndedAt is not null || await projections.IsEndedAsync(Key()!, cancellationToken) ? await DueAsync(Key()!, cancellationToken) : null;

            case WebhookFacts.RecordingStatusUpdate when p.Recording is { } r && (r.Id ?? r.RecordingId) is { } recordingId:
                var merging = projections.RecordingAsync(meeting, new RecordingFact(recordingId, r.RoomUuid ?? m?.SessionId, r.Status ?? "",
                    RtkWebhookPayload.ParseTime(r.StartedTime), RtkWebhookPayload.ParseTime(r.StoppedTime), r.FileSize, r.RecordingDuration, r.OutputFileName,
                    r.DownloadUrl, RtkWebhookPayload.ParseTime(r.DownloadUrlExpiry)), cancellationToken);
                await Task.WhenAll(merging, sessionId is null ? Task.CompletedTask : projections.SessionSeenAsync(meeting, sessionId, startedAt, appId, title, cancellationToken));
                var recording = await merging;
                return SessionProjections.IsTerminal(recording.Status) && recording.RtkSessionId is { } recordingSession
                    ? await DueAsync(new SessionKey(meeting.OrgId, meeting.MeetingId, recordingSession), cancellationToken) : null;

            case WebhookFacts.Transcript or WebhookFacts.Summary or WebhookFacts.ChatSynced when sessionId is not null:
                var (kind, url, expiry) = p.Event switch
                {
                    WebhookFacts.Transcript => (ArtefactKinds.Transcript, p.TranscriptDownloadUrl, p.TranscriptDownloadUrlExpiry),
                    WebhookFacts.Summary => (ArtefactKinds.Summary, p.SummaryDownloadUrl, p.SummaryDownloadUrlExpiry),
                    _ => (ArtefactKinds.Chat, p.ChatDownloadUrl, p.ChatDownloadUrlExpiry),
                };
                var artefactDue = DueAsync(Key()!, cancellationToken);
                await Task.WhenAll(
                    projections.SessionSeenAsync(meeting, sessionId, startedAt, appId, title, cancellationToken),
                    projections.ArtefactAsync(meeting, sessionId, kind, url, RtkWebhookPayload.ParseTime(expiry), cancellationToken),
                    artefactDue);
                return await artefactDue;

            case WebhookFacts.LivestreamStatusUpdate when p.StreamId is { } streamId:
                await projections.LivestreamAsync(meeting, streamId, p.Status, p.PlaybackUrl, cancellationToken);
                return null;

            default:
                // An event Castio does not project (or one missing its ids): recorded in the ledger, nothing to apply.
                return null;
        }
    }

    private async Task<SessionKey> DueAsync(SessionKey key, CancellationToken cancellationToken)
    {
        await projections.MarkDueAsync(key, time.GetUtcNow() + options.Value.RecoveryDelay, cancellationToken);
        return key;
    }

    private static string? Trim(string? value, int max) => value is null ? null : value.Length > max ? value[..max] : value;

    [LoggerMessage(EventId = 1301, EventName = "WebhookNotRecorded", Level = LogLevel.Error, Message = "Could not record an RTK webhook ({Event}); answering 503 so RTK retries")]
    private static partial void LogNotRecorded(ILogger logger, string @event, Exception exception);

    [LoggerMessage(EventId = 1302, EventName = "WebhookApplyFailed", Level = LogLevel.Error, Message = "Could not apply RTK webhook {Event} (delivery {DeliveryId}); answering 500 so RTK retries")]
    private static partial void LogApplyFailed(ILogger logger, string @event, Guid deliveryId, Exception exception);

}
