using Castio.Core.Retention;
using System.Net;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Castio.Core.Common;
using Castio.Core.Joining;
using Castio.Core.Meetings;
using Castio.Core.Orgs;
using Castio.Core.Rtk;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Castio.Core.PostMeeting;

/// <summary>What the orchestration asks the planner: the session, and its own (replay-safe) clock.</summary>
public sealed record PlanRequest(SessionKey Key, DateTime Now);

/// <summary>One artefact to copy: a kind of <see cref="ArtefactKinds"/>, or <c>recording</c> with its id.</summary>
public sealed record CopyItem(SessionKey Key, string Kind, string? RecordingId = null);

/// <summary>The next step of a session's post-meeting work, worked out from its record (the source of truth).</summary>
public sealed record PostMeetingPlan(
    bool Known, bool Ended, bool CloseMeeting, IReadOnlyList<CopyItem> Copies, bool Reconcile, IReadOnlyList<string> PollArtefacts,
    bool TriggerSummary, IReadOnlyList<string> PollRecordings, bool Analytics, bool Complete, DateTime? WakeAt)
{
    public bool HasWork => CloseMeeting || Copies.Count > 0 || Reconcile || PollArtefacts.Count > 0 || TriggerSummary || PollRecordings.Count > 0;
}

/// <summary>
/// Closes the Castio meeting after its RTK session ended: a meeting → ended; a permanent room → its RTK meeting INACTIVE,
/// still joinable (the next join sets it ACTIVE); an occurrence of a recurring meeting (its own RTK meeting) → ended,
/// giving back its concurrent-meeting slot. Already ended (or cancelled) is fine: RTK already ended the session.
/// </summary>
public sealed class MeetingCloser(MeetingService meetings, ParticipantPresence presence)
{
    public async Task CloseAsync(Guid orgId, Guid meetingId, string? rtkMeetingId, DateTimeOffset? endedAt, CancellationToken cancellationToken)
    {
        var error = await meetings.EndedByRtkAsync(orgId, meetingId, rtkMeetingId, cancellationToken);
        if (error is { Kind: ErrorKind.Unavailable or ErrorKind.TooManyRequests })
            throw new InvalidOperationException($"Could not close meeting {meetingId}: {error.Code}"); // retried by the activity
        // Places whose leave webhook was lost go back with the session, or a permanent room would fill up with them.
        if (rtkMeetingId is not null && endedAt is { } end)
            await presence.SessionEndedAsync(orgId, meetingId, rtkMeetingId, end, cancellationToken);
    }
}

/// <summary>
/// The post-meeting orchestration's activities: each reads the record, does one idempotent thing, and writes the
/// record. The orchestrator only sequences them and waits; nothing it holds is needed to resume.
/// </summary>
public sealed partial class PostMeetingWork(
    PostMeetingStore store, SessionProjections projections, SessionAnalytics analytics, RtkClient rtk, OrgStore orgs,
    MeetingCloser meetings, BlobServiceClient blobs, IHttpClientFactory http, IOptions<PostMeetingOptions> options,
    ExpiryStore expiries, RetentionPolicy retention, TimeProvider time, ILogger<PostMeetingWork> logger)
{
    public const string DownloadClient = "PostMeetingDownloads";
    public const string Stalled = "stalled";

    private PostMeetingOptions Options => options.Value;

    public async Task<PostMeetingPlan> PlanAsync(PlanRequest request, CancellationToken cancellationToken)
    {
        var key = request.Key;
        var now = new DateTimeOffset(DateTime.SpecifyKind(request.Now, DateTimeKind.Utc));
        var session = await store.GetSessionAsync(key, cancellationToken);
        if (session is null)
            return new PostMeetingPlan(false, false, false, [], false, [], false, [], false, false, null);

        var artefacts = (await store.ListArtefactsAsync(key, cancellationToken)).ToDictionary(a => a.Kind, StringComparer.Ordinal);
        var recordings = (await store.ListRecordingsAsync(key.OrgId, key.MeetingId, cancellationToken)).Where(r => r.RtkSessionId == key.RtkSessionId).ToList();
        var ended = session.EndedAt is not null;
        var wakes = new List<DateTimeOffset>();

        // "Seen" times are the orchestration's clock, kept on the row so a restarted orchestration keeps its deadlines.
        var seen = new Dictionary<string, object?>();
        if (ended && session.EndSeenAt is null) seen[nameof(SessionEntity.EndSeenAt)] = session.EndSeenAt = now;
        var transcript = artefacts.GetValueOrDefault(ArtefactKinds.Transcript);
        var summary = artefacts.GetValueOrDefault(ArtefactKinds.Summary);
        var hasTranscript = transcript is { DownloadUrl: not null } or { CopyState: CopyStates.Stored };
        if (hasTranscript && session.TranscriptSeenAt is null) seen[nameof(SessionEntity.TranscriptSeenAt)] = session.TranscriptSeenAt = now;
        if (seen.Count > 0)
            await PostMeetingStore.MergeAsync(store.Sessions, PostMeetingStore.Org(key.OrgId), session.RowKey, seen, cancellationToken);

        var copies = artefacts.Values.Where(a => a.CopyState == CopyStates.Pending && a.DownloadUrl is not null).Select(a => new CopyItem(key, a.Kind))
            .Concat(recordings.Where(r => r.Status == "UPLOADED" && r.CopyState == CopyStates.Pending).Select(r => new CopyItem(key, "recording", r.RecordingId)))
            .OrderBy(c => c.Kind, StringComparer.Ordinal).ThenBy(c => c.RecordingId, StringComparer.Ordinal).ToList();

        var poll = new List<string>();
        if (ended && session.ArtefactsPolledAt is null)
        {
            var missing = new[] { ArtefactKinds.Chat, ArtefactKinds.Transcript }.Where(k => !artefacts.ContainsKey(k)).ToList();
            var due = session.EndSeenAt!.Value + Options.ArtefactGrace;
            if (missing.Count > 0 && now >= due) poll.AddRange(missing);
            else if (missing.Count > 0) wakes.Add(due);
        }

        var triggerSummary = false;
        if (hasTranscript && summary is null)
        {
            if (session.SummaryTriggeredAt is null)
            {
                var due = session.TranscriptSeenAt!.Value + Options.SummaryGrace;
                if (now >= due) triggerSummary = true;
                else wakes.Add(due);
            }
            else if (session.SummaryPolledAt is null)
            {
                var due = session.SummaryTriggeredAt.Value + Options.SummaryGrace;
                if (now >= due) poll.Add(ArtefactKinds.Summary);
                else wakes.Add(due);
            }
        }

        var pollRecordings = new List<string>();
        if (ended)
        {
            foreach (var r in recordings.Where(r => !SessionProjections.IsTerminal(r.Status) && r.CopyNote != Stalled))
            {
                var due = session.EndSeenAt!.Value + (Options.RecordingStallAfter * (r.Polls + 1));
                if (now >= due) pollRecordings.Add(r.RecordingId);
                else wakes.Add(due);
            }
        }

        var closeMeeting = ended && session.MeetingClosedAt is null;
        var reconcile = ended && session.ReconciledAt is null;
        var plan = new PostMeetingPlan(true, ended, closeMeeting, copies, reconcile, poll, triggerSummary, pollRecordings, ended, false,
            wakes.Count > 0 ? wakes.Min().UtcDateTime : null);
        return plan with { Complete = ended && !plan.HasWork && wakes.Count == 0 };
    }

    public async Task CloseMeetingAsync(SessionKey key, CancellationToken cancellationToken)
    {
        var session = await store.GetSessionAsync(key, cancellationToken);
        if (session is null || session.MeetingClosedAt is not null) return;
        // A later session of the same RTK meeting may already be live (a permanent room rejoined): then it is not closed.
        // Another occurrence's RTK meeting is another meeting to close.
        var sessions = await store.ListSessionsAsync(key.OrgId, key.MeetingId, cancellationToken);
        var laterLive = sessions.Any(s => s.RtkSessionId != key.RtkSessionId && s.RtkMeetingId == session.RtkMeetingId && s.EndedAt is null && s.StartedAt >= session.StartedAt);
        if (!laterLive) await meetings.CloseAsync(key.OrgId, key.MeetingId, session.RtkMeetingId, session.EndedAt, cancellationToken);
        await Mark(key, nameof(SessionEntity.MeetingClosedAt), time.GetUtcNow(), cancellationToken);
    }

    /// <summary>Copies one artefact from RTK's short-lived link into the org's container; an expired link is asked for again once, then recorded as expired.</summary>
    public async Task<string> CopyAsync(CopyItem item, CancellationToken cancellationToken)
    {
        var key = item.Key;
        var isRecording = item.RecordingId is not null;
        var recording = isRecording ? await store.GetRecordingAsync(key.OrgId, key.MeetingId, item.RecordingId!, cancellationToken) : null;
        var artefact = isRecording ? null : await store.GetArtefactAsync(key, item.Kind, cancellationToken);
        var state = recording?.CopyState ?? artefact?.CopyState;
        if (state is null || CopyStates.IsFinal(state)) return state ?? CopyStates.None;

        var url = recording?.DownloadUrl ?? artefact?.DownloadUrl;
        var now = time.GetUtcNow();
        var download = Live(url, recording?.DownloadUrlExpiry ?? artefact?.DownloadUrlExpiry, now) ? await DownloadAsync(url!, cancellationToken) : null;
        if (download is null)
        {
            // RTK's links are short-lived; the REST API hands out a fresh one while the artefact itself is kept.
            var fresh = await FreshLinkAsync(key, item, cancellationToken);
            // A link already past its expiry is not tried: a bucket that keeps failing would keep the copy retrying forever.
            download = Live(fresh.Url, fresh.Expiry, now) ? await DownloadAsync(fresh.Url!, cancellationToken) : null;
            url = fresh.Url ?? url;
        }

        var (table, row) = isRecording
            ? (store.Recordings, PostMeetingStore.RecordingRow(key.MeetingId, item.RecordingId!))
            : (store.Artefacts, PostMeetingStore.ArtefactRow(key.MeetingId, key.RtkSessionId, item.Kind));
        if (download is null)
        {
            await UpdateAsync(table, key.OrgId, row, new()
            {
                [nameof(ArtefactEntity.CopyState)] = CopyStates.Expired,
                [nameof(ArtefactEntity.CopyNote)] = "RTK's link expired (or the file was gone) before Castio copied it.",
            }, cancellationToken);
            LogExpired(logger, item.Kind, key.RtkSessionId);
            return CopyStates.Expired;
        }

        using (download)
        {
            var container = blobs.GetBlobContainerClient(store.OrgContainerName(key.OrgId));
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            var contentType = download.Content.Headers.ContentType?.MediaType ?? "application/octet-stream";
            var format = Format(url!, contentType);
            var name = isRecording
                ? $"{key.MeetingId:N}/{key.RtkSessionId}/recording-{item.RecordingId}.{format}"
                : $"{key.MeetingId:N}/{key.RtkSessionId}/{item.Kind}.{format}";
            var blob = container.GetBlobClient(name);
            var bytes = await download.Content.ReadAsByteArrayAsync(cancellationToken);

            // Filed before the upload, so a crash in between leaves a pointer to nothing, never a copy nothing removes.
            var dueAt = await retention.ArtefactDueAtAsync(key.OrgId, time.GetUtcNow(), cancellationToken);
            await expiries.AddAsync(dueAt, key.OrgId.ToString("N"), [ExpiryTarget.Blob(PostMeetingStore.OrgContainerBaseName(key.OrgId), name)], cancellationToken);
            await blob.UploadAsync(new BinaryData(bytes), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken);
            await UpdateAsync(table, key.OrgId, row, new()
            {
                [nameof(ArtefactEntity.CopyState)] = CopyStates.Stored,
                [nameof(ArtefactEntity.BlobName)] = name,
                [nameof(ArtefactEntity.StoredBytes)] = (long)bytes.Length,
                [nameof(ArtefactEntity.ContentType)] = contentType,
                [nameof(ArtefactEntity.Format)] = format,
                [nameof(ArtefactEntity.StoredAt)] = time.GetUtcNow(),
            }, cancellationToken);
            return CopyStates.Stored;
        }
    }

    /// <summary>The download, or null when the link is dead (403/404/410: expired or gone). Other failures throw, for the activity's retry.</summary>
    private async Task<HttpResponseMessage?> DownloadAsync(string url, CancellationToken cancellationToken)
    {
        var response = await http.CreateClient(DownloadClient).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode) return response;
        var status = response.StatusCode;
        response.Dispose();
        if (status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Gone) return null;
        throw new HttpRequestException($"Downloading an RTK artefact answered {(int)status}.", null, status);
    }

    private static bool Live(string? url, DateTimeOffset? expiry, DateTimeOffset now) => url is not null && (expiry is null || expiry > now);

    private async Task<(string? Url, DateTimeOffset? Expiry)> FreshLinkAsync(SessionKey key, CopyItem item, CancellationToken cancellationToken)
    {
        var appId = await AppIdAsync(key, cancellationToken);
        try
        {
            return item.Kind switch
            {
                "recording" => await rtk.Recordings.GetAsync(appId, item.RecordingId!, cancellationToken) is var r ? (r.DownloadUrl, r.DownloadUrlExpiry) : default,
                ArtefactKinds.Transcript => await rtk.Sessions.GetTranscriptAsync(appId, key.RtkSessionId, null, cancellationToken) is var t ? (t.TranscriptDownloadUrl, t.TranscriptDownloadUrlExpiry) : default,
                ArtefactKinds.Summary => await rtk.Sessions.GetSummaryAsync(appId, key.RtkSessionId, cancellationToken) is var s ? (s.SummaryDownloadUrl, s.SummaryDownloadUrlExpiry) : default,
                _ => await rtk.Sessions.GetChatExportAsync(appId, key.RtkSessionId, cancellationToken) is var c ? (c.ChatDownloadUrl, c.ChatDownloadUrlExpiry) : default,
            };
        }
        catch (RtkException e) when (!e.IsUnavailable)
        {
            return default;
        }
    }

    private static string Format(string url, string contentType)
    {
        var path = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.AbsolutePath : url;
        var ext = Path.GetExtension(Uri.UnescapeDataString(path)).TrimStart('.').ToLowerInvariant();
        if (ext.Length is > 0 and <= 5 && ext.All(char.IsLetterOrDigit)) return ext;
        return contentType switch
        {
            "text/csv" => "csv",
            "text/markdown" => "md",
            "text/vtt" => "vtt",
            "application/json" => "json",
            "video/mp4" => "mp4",
            _ => "bin",
        };
    }

    /// <summary>Fills peers Castio missed from RTK's session participants (all pages).</summary>
    public async Task<int> ReconcileAsync(SessionKey key, CancellationToken cancellationToken)
    {
        var appId = await AppIdAsync(key, cancellationToken);
        var facts = new List<PeerFact>();
        for (var page = 1; page <= 50; page++)
        {
            var result = await rtk.Sessions.ListParticipantsAsync(appId, key.RtkSessionId, new RtkSessionParticipantsQuery { PageNo = page, PerPage = 100 }, cancellationToken);
            facts.AddRange(result.Items.Select(p => new PeerFact(p.Id, p.CustomParticipantId, p.DisplayName, p.JoinedAt, p.LeftAt, p.LeftAt is not null)));
            if (result.Items.Count < 100 || result.Paging is { } paging && paging.EndOffset >= paging.TotalCount) break;
        }
        var changed = await projections.ReconcilePeersAsync(key, facts, cancellationToken);
        await PostMeetingStore.MergeAsync(store.Sessions, PostMeetingStore.Org(key.OrgId), PostMeetingStore.SessionRow(key.MeetingId, key.RtkSessionId),
            [new(nameof(SessionEntity.ReconciledAt), time.GetUtcNow()), new(nameof(SessionEntity.ReconciledPeers), changed)], cancellationToken);
        if (changed > 0) LogReconciled(logger, key.RtkSessionId, changed);
        return changed;
    }

    /// <summary>Asks RTK for artefacts no webhook brought; what RTK does not have is recorded as none.</summary>
    public async Task PollArtefactsAsync(PollArtefactsRequest request, CancellationToken cancellationToken)
    {
        var key = request.Key;
        var appId = await AppIdAsync(key, cancellationToken);
        var meeting = new MeetingRef(key.OrgId, key.MeetingId, "");
        foreach (var kind in request.Kinds)
        {
            (string? Url, DateTimeOffset? Expiry)? found;
            try
            {
                found = kind switch
                {
                    ArtefactKinds.Transcript => await rtk.Sessions.GetTranscriptAsync(appId, key.RtkSessionId, null, cancellationToken) is var t ? (t.TranscriptDownloadUrl, t.TranscriptDownloadUrlExpiry) : null,
                    ArtefactKinds.Summary => await rtk.Sessions.GetSummaryAsync(appId, key.RtkSessionId, cancellationToken) is var s ? (s.SummaryDownloadUrl, s.SummaryDownloadUrlExpiry) : null,
                    _ => await rtk.Sessions.GetChatExportAsync(appId, key.RtkSessionId, cancellationToken) is var c ? (c.ChatDownloadUrl, c.ChatDownloadUrlExpiry) : null,
                };
            }
            catch (RtkException e) when (!e.IsUnavailable)
            {
                found = null;
            }
            if (found is { Url: not null } f)
            {
                await projections.ArtefactAsync(meeting, key.RtkSessionId, kind, f.Url, f.Expiry, cancellationToken);
            }
            else
            {
                await PostMeetingStore.MergeAsync(store.Artefacts, PostMeetingStore.Org(key.OrgId), PostMeetingStore.ArtefactRow(key.MeetingId, key.RtkSessionId, kind),
                [
                    new(nameof(ArtefactEntity.MeetingId), key.MeetingId), new(nameof(ArtefactEntity.RtkSessionId), key.RtkSessionId),
                    new(nameof(ArtefactEntity.Kind), kind), new(nameof(ArtefactEntity.CopyState), CopyStates.None),
                    new(nameof(ArtefactEntity.CopyNote), "RTK had none when asked after the grace period."),
                ], cancellationToken);
            }
        }
        if (request.Kinds.Any(k => k != ArtefactKinds.Summary)) await Mark(key, nameof(SessionEntity.ArtefactsPolledAt), time.GetUtcNow(), cancellationToken);
        if (request.Kinds.Contains(ArtefactKinds.Summary)) await Mark(key, nameof(SessionEntity.SummaryPolledAt), time.GetUtcNow(), cancellationToken);
    }

    /// <summary>A transcript with no summary: ask RTK to generate one (its webhook, or the later poll, brings it).</summary>
    public async Task TriggerSummaryAsync(SessionKey key, CancellationToken cancellationToken)
    {
        var appId = await AppIdAsync(key, cancellationToken);
        try
        {
            await rtk.Sessions.TriggerSummaryAsync(appId, key.RtkSessionId, cancellationToken);
        }
        catch (RtkException e) when (!e.IsUnavailable)
        {
            LogSummaryRefused(logger, key.RtkSessionId, e);
        }
        await Mark(key, nameof(SessionEntity.SummaryTriggeredAt), time.GetUtcNow(), cancellationToken);
    }

    /// <summary>A recording that did not finish after the session: ask RTK where it is; after the last poll the record says it stalled.</summary>
    public async Task PollRecordingAsync(PollRecordingRequest request, CancellationToken cancellationToken)
    {
        var key = request.Key;
        var appId = await AppIdAsync(key, cancellationToken);
        var meeting = new MeetingRef(key.OrgId, key.MeetingId, "");
        var current = await store.GetRecordingAsync(key.OrgId, key.MeetingId, request.RecordingId, cancellationToken);
        var polls = (current?.Polls ?? 0) + 1;
        try
        {
            var r = await rtk.Recordings.GetAsync(appId, request.RecordingId, cancellationToken);
            await projections.RecordingAsync(meeting, new RecordingFact(r.Id, r.SessionId ?? key.RtkSessionId, r.Status ?? "", r.StartedTime, r.StoppedTime,
                r.FileSize, r.RecordingDuration, r.OutputFileName, r.DownloadUrl, r.DownloadUrlExpiry), cancellationToken);
        }
        catch (RtkException e) when (!e.IsUnavailable)
        {
            LogRecordingPollRefused(logger, request.RecordingId, e);
        }
        Dictionary<string, object?> values = new() { [nameof(RecordingEntity.Polls)] = polls };
        if (polls >= PostMeetingOptions.MaxRecordingPolls) values[nameof(RecordingEntity.CopyNote)] = Stalled;
        await UpdateAsync(store.Recordings, key.OrgId, PostMeetingStore.RecordingRow(key.MeetingId, request.RecordingId), values, cancellationToken);
    }

    public async Task UpdateAnalyticsAsync(SessionKey key, CancellationToken cancellationToken)
    {
        await analytics.UpdateAsync(key, cancellationToken);
        await Mark(key, nameof(SessionEntity.AnalyticsAt), time.GetUtcNow(), cancellationToken);
    }

    public Task CompleteAsync(SessionKey key, CancellationToken cancellationToken) =>
        Mark(key, nameof(SessionEntity.CompletedAt), time.GetUtcNow(), cancellationToken);

    private async Task<string> AppIdAsync(SessionKey key, CancellationToken cancellationToken)
    {
        var session = await store.GetSessionAsync(key, cancellationToken);
        if (session?.RtkAppId is { Length: > 0 } appId) return appId;
        var org = await orgs.GetAsync(key.OrgId, cancellationToken) ?? throw new InvalidOperationException($"Org {key.OrgId} is gone.");
        return org.RtkAppId;
    }

    private Task Mark(SessionKey key, string property, DateTimeOffset at, CancellationToken cancellationToken) =>
        PostMeetingStore.MergeAsync(store.Sessions, PostMeetingStore.Org(key.OrgId), PostMeetingStore.SessionRow(key.MeetingId, key.RtkSessionId), [new(property, at)], cancellationToken);

    private static async Task UpdateAsync(TableClient table, Guid orgId, string row, Dictionary<string, object?> values, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(PostMeetingStore.Org(orgId), row);
        foreach (var (name, value) in values) entity[name] = value;
        await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    [LoggerMessage(EventId = 1401, EventName = "PostMeetingArtefactExpired", Level = LogLevel.Warning, Message = "The {Kind} of RTK session {SessionId} expired before Castio copied it")]
    private static partial void LogExpired(ILogger logger, string kind, string sessionId);

    [LoggerMessage(EventId = 1402, EventName = "PostMeetingReconciled", Level = LogLevel.Information, Message = "Reconciliation of RTK session {SessionId} filled {Count} peer(s) Castio had missed")]
    private static partial void LogReconciled(ILogger logger, string sessionId, int count);

    [LoggerMessage(EventId = 1403, EventName = "PostMeetingSummaryRefused", Level = LogLevel.Warning, Message = "RTK refused to generate a summary for session {SessionId}")]
    private static partial void LogSummaryRefused(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 1404, EventName = "PostMeetingRecordingPollRefused", Level = LogLevel.Warning, Message = "RTK refused the status of recording {RecordingId}")]
    private static partial void LogRecordingPollRefused(ILogger logger, string recordingId, Exception exception);
}

public sealed record PollArtefactsRequest(SessionKey Key, IReadOnlyList<string> Kinds);

public sealed record PollRecordingRequest(SessionKey Key, string RecordingId);
