using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Meetings;
using Castio.Core.Orgs;
using Castio.Core.Rtk;
using Castio.Core.Storage;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Core.PostMeeting;

/// <summary>Stable problem codes of the post-meeting routes.</summary>
public static class PostMeetingReadErrors
{
    public const string SessionNotFound = "postmeeting.session_not_found";
    public const string ArtefactNotFound = "postmeeting.artefact_not_found";
    public const string ArtefactNotStored = "postmeeting.artefact_not_stored";
    public const string NoTranscript = "postmeeting.no_transcript";
    public const string RtkUnavailable = "postmeeting.rtk_unavailable";
}

public sealed record SessionParticipantView(string ParticipantId, string? Name, DateTimeOffset? JoinedAt, DateTimeOffset? LeftAt, long DurationSeconds);

/// <summary>A session of a meeting; <see cref="Participants"/> only on the single-session read.</summary>
public sealed record SessionView(
    Guid Id, string RtkSessionId, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, long? DurationSeconds,
    int PeakParticipants, int ParticipantCount, IReadOnlyList<ArtefactState> Artefacts, IReadOnlyList<SessionParticipantView>? Participants);

public sealed record SessionPage(IReadOnlyList<SessionView> Items, string? Continuation);

/// <summary>A recording: <see cref="Status"/> is <c>stored</c> once Castio holds a copy, else RTK's status; the link is to Castio's copy.</summary>
public sealed record RecordingView(
    string Id, Guid? SessionId, string? RtkSessionId, string Status, string? DownloadUrl, DateTimeOffset? DownloadUrlExpiresAt,
    long? SizeBytes, double? DurationSeconds, string? Format, DateTimeOffset? StartedAt);

public sealed record RecordingList(IReadOnlyList<RecordingView> Items);

/// <summary>One final utterance of a transcript, times in milliseconds from the session start.</summary>
public sealed record TranscriptEntry(long StartMs, long? EndMs, string? ParticipantId, string? Name, string Text);

public sealed record TranscriptView(Guid SessionId, string RtkSessionId, IReadOnlyList<TranscriptEntry> Items);

/// <summary>A stored artefact's bytes as Castio keeps them.</summary>
public sealed record ArtefactFile(byte[] Content, string ContentType, string FileName);

public sealed record SummaryTriggered(Guid SessionId, string RtkSessionId, string? Status);

/// <summary>A reconciliation run: how many of RTK's peers filled a gap in Castio's record.</summary>
public sealed record SessionReconciled(Guid SessionId, string RtkSessionId, int PeersFilled);

/// <summary>
/// The read side of the post-meeting record: sessions, recordings (links to Castio's own Blob copies), transcripts,
/// summaries and chat exports. Owners and admins read every meeting of their org, hosts their own, everyone else the
/// meetings open to the org; another org's meeting, or one the caller may not read, is a plain 404.
/// </summary>
public sealed class PostMeetingReads(
    MeetingStore meetings, PostMeetingStore store, BlobServiceClient blobs, BlobReadLinks links, OrgStore orgs, RtkClient rtk, TimeProvider time, PostMeetingWork work)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
    public static readonly TimeSpan DownloadLinkLifetime = TimeSpan.FromMinutes(15);

    public static bool CanRead(CurrentUser caller, MeetingEntity meeting) =>
        caller.OrgId == meeting.OrgId
        && (caller.Role.Allows(Permission.ViewAnyAnalytics) || meeting.HostId == caller.UserId
            || (caller.Role is Role.Member or Role.Host && meeting.MemberAccess == MemberAccess.Org));

    public async Task<Outcome<MeetingEntity>> ReadableAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var meeting = await meetings.GetAsync(caller.OrgId, meetingId, cancellationToken);
        return meeting is not null && CanRead(caller, meeting) ? meeting : NotFound();
    }

    public async Task<Outcome<SessionPage>> ListSessionsAsync(CurrentUser caller, Guid meetingId, string? continuation, int? limit, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > MaxPageSize) errors.Add("limit", $"Between 1 and {MaxPageSize}.");
        Guid after = default;
        if (continuation is { Length: > 0 } && !Guid.TryParse(continuation, out after)) errors.Add("continuation", "Use the continuation of the previous page.");
        if (!errors.IsEmpty) return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        var meeting = await ReadableAsync(caller, meetingId, cancellationToken);
        if (meeting.Error is { } error) return error;

        // Newest first; a meeting has few sessions, a permanent room a few a day.
        var sessions = (await store.ListSessionsAsync(caller.OrgId, meetingId, cancellationToken))
            .OrderByDescending(s => s.StartedAt ?? s.EndedAt).ThenBy(s => s.RtkSessionId, StringComparer.Ordinal).ToList();
        var start = 0;
        if (continuation is { Length: > 0 })
        {
            var index = sessions.FindIndex(s => s.Id == after);
            if (index < 0) return Error.Invalid(ValidationCodes.ValidationFailed, new FieldErrors().Add("continuation", "Use the continuation of the previous page."));
            start = index + 1;
        }
        var size = limit ?? DefaultPageSize;
        var page = sessions.Skip(start).Take(size).ToList();
        var artefacts = await store.ListMeetingArtefactsAsync(caller.OrgId, meetingId, cancellationToken);
        var recordings = await store.ListRecordingsAsync(caller.OrgId, meetingId, cancellationToken);
        var views = await Task.WhenAll(page.Select(async s =>
        {
            var peers = await store.ListPeersAsync(s.Key, cancellationToken);
            return View(SessionRecord.From(s, peers, [.. artefacts.Where(a => a.RtkSessionId == s.RtkSessionId)], [.. recordings.Where(r => r.RtkSessionId == s.RtkSessionId)]), withParticipants: false);
        }));
        return new SessionPage(views, start + size < sessions.Count ? page[^1].Id.ToString("D") : null);
    }

    public async Task<Outcome<SessionView>> GetSessionAsync(CurrentUser caller, Guid meetingId, string sessionId, CancellationToken cancellationToken)
    {
        var found = await FindSessionAsync(caller, meetingId, sessionId, cancellationToken);
        if (found.Error is { } error) return error;
        var record = await store.GetSessionRecordAsync(found.Value.Key, cancellationToken);
        return record is null ? SessionNotFound() : View(record, withParticipants: true);
    }

    public async Task<Outcome<RecordingList>> ListRecordingsAsync(CurrentUser caller, Guid meetingId, CancellationToken cancellationToken)
    {
        var meeting = await ReadableAsync(caller, meetingId, cancellationToken);
        if (meeting.Error is { } error) return error;
        var recordings = await store.ListRecordingsAsync(caller.OrgId, meetingId, cancellationToken);
        var container = blobs.GetBlobContainerClient(store.OrgContainerName(caller.OrgId));
        var views = new List<RecordingView>();
        foreach (var r in recordings.OrderByDescending(r => r.StartedTime).ThenBy(r => r.RecordingId, StringComparer.Ordinal))
        {
            var stored = r.CopyState == CopyStates.Stored && r.BlobName is not null;
            Uri? url = stored ? await links.CreateAsync(container.GetBlobClient(r.BlobName), DownloadLinkLifetime, cancellationToken) : null;
            views.Add(new RecordingView(
                r.RecordingId, r.RtkSessionId is { } rs ? PostMeetingStore.SessionId(caller.OrgId, rs) : null, r.RtkSessionId,
                stored ? CopyStates.Stored : r.CopyState == CopyStates.Expired ? CopyStates.Expired : r.Status,
                url?.ToString(), url is null ? null : time.GetUtcNow() + DownloadLinkLifetime, r.StoredBytes ?? r.FileSize, r.DurationSeconds, r.Format, r.StartedTime));
        }
        return new RecordingList(views);
    }

    public async Task<Outcome<TranscriptView>> GetTranscriptAsync(CurrentUser caller, Guid meetingId, string? sessionId, CancellationToken cancellationToken)
    {
        var file = await GetStoredAsync(caller, meetingId, sessionId, ArtefactKinds.Transcript, cancellationToken);
        if (file.Error is { } error) return error;
        var (session, artefact, bytes) = file.Value;
        return new TranscriptView(session.Id, session.RtkSessionId, TranscriptFiles.Parse(bytes, artefact.Format));
    }

    /// <summary>The transcript as WebVTT: the stored file when RTK's copy is VTT, else rendered from the entries.</summary>
    public async Task<Outcome<ArtefactFile>> GetTranscriptVttAsync(CurrentUser caller, Guid meetingId, string? sessionId, CancellationToken cancellationToken)
    {
        var file = await GetStoredAsync(caller, meetingId, sessionId, ArtefactKinds.Transcript, cancellationToken);
        if (file.Error is { } error) return error;
        var (session, artefact, bytes) = file.Value;
        var vtt = artefact.Format == "vtt" ? bytes : Encoding.UTF8.GetBytes(TranscriptFiles.ToVtt(TranscriptFiles.Parse(bytes, artefact.Format)));
        return new ArtefactFile(vtt, "text/vtt", $"transcript-{session.RtkSessionId}.vtt");
    }

    public async Task<Outcome<ArtefactFile>> GetSummaryAsync(CurrentUser caller, Guid meetingId, string? sessionId, CancellationToken cancellationToken)
    {
        var file = await GetStoredAsync(caller, meetingId, sessionId, ArtefactKinds.Summary, cancellationToken);
        if (file.Error is { } error) return error;
        return new ArtefactFile(file.Value.Bytes, "text/markdown", $"summary-{file.Value.Session.RtkSessionId}.md");
    }

    public async Task<Outcome<ArtefactFile>> GetChatExportAsync(CurrentUser caller, Guid meetingId, string? sessionId, CancellationToken cancellationToken)
    {
        var file = await GetStoredAsync(caller, meetingId, sessionId, ArtefactKinds.Chat, cancellationToken);
        if (file.Error is { } error) return error;
        var (session, artefact, bytes) = file.Value;
        var format = artefact.Format ?? "csv";
        return new ArtefactFile(bytes, artefact.ContentType ?? "text/csv", $"chat-{session.RtkSessionId}.{format}");
    }

    /// <summary>
    /// Asks RTK to generate a session's summary (it needs the transcript); the summary webhook then brings it into the
    /// record like any other. Hosts of the meeting, owners and admins.
    /// </summary>
    public async Task<Outcome<SummaryTriggered>> TriggerSummaryAsync(CurrentUser caller, Guid meetingId, string? sessionId, CancellationToken cancellationToken)
    {
        var meeting = await meetings.GetAsync(caller.OrgId, meetingId, cancellationToken);
        if (meeting is null || !MeetingAccess.CanManage(caller, meeting)) return NotFound();
        var session = await PickSessionAsync(caller.OrgId, meetingId, sessionId, s => s.EndedAt is not null, cancellationToken);
        if (session is null) return SessionNotFound();
        var appId = session.RtkAppId is { Length: > 0 } a ? a : (await orgs.GetAsync(caller.OrgId, cancellationToken))?.RtkAppId ?? "";
        try
        {
            var result = await rtk.Sessions.TriggerSummaryAsync(appId, session.RtkSessionId, cancellationToken);
            return new SummaryTriggered(session.Id, session.RtkSessionId, result.Status);
        }
        catch (RtkException e) when (e.IsUnavailable)
        {
            return new Error(ErrorKind.Unavailable, PostMeetingReadErrors.RtkUnavailable, "RealtimeKit is not reachable; try again shortly.", RetryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(30));
        }
        catch (RtkException e) when (e.Status is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.UnprocessableEntity)
        {
            return new Error(ErrorKind.Conflict, PostMeetingReadErrors.NoTranscript, "RealtimeKit refused: a summary needs the session's transcript.");
        }
    }

    /// <summary>Runs the participant reconciliation of one session again (the orchestration runs it once after the end).</summary>
    public async Task<Outcome<SessionReconciled>> ReconcileAsync(CurrentUser caller, Guid meetingId, string sessionId, CancellationToken cancellationToken)
    {
        var meeting = await meetings.GetAsync(caller.OrgId, meetingId, cancellationToken);
        if (meeting is null || !MeetingAccess.CanManage(caller, meeting)) return NotFound();
        var session = await store.FindSessionAsync(caller.OrgId, meetingId, sessionId, cancellationToken);
        if (session is null) return SessionNotFound();
        try
        {
            var filled = await work.ReconcileAsync(new SessionKey(caller.OrgId, meetingId, session.RtkSessionId), cancellationToken);
            return new SessionReconciled(session.Id, session.RtkSessionId, filled);
        }
        catch (RtkException e) when (e.IsUnavailable)
        {
            return new Error(ErrorKind.Unavailable, PostMeetingReadErrors.RtkUnavailable, "RealtimeKit is not reachable; try again shortly.", RetryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(30));
        }
    }

    private async Task<Outcome<(SessionEntity Session, ArtefactEntity Artefact, byte[] Bytes)>> GetStoredAsync(
        CurrentUser caller, Guid meetingId, string? sessionId, string kind, CancellationToken cancellationToken)
    {
        var meeting = await ReadableAsync(caller, meetingId, cancellationToken);
        if (meeting.Error is { } error) return error;
        var artefacts = await store.ListMeetingArtefactsAsync(caller.OrgId, meetingId, cancellationToken);
        SessionEntity? session;
        if (sessionId is { Length: > 0 })
        {
            session = await store.FindSessionAsync(caller.OrgId, meetingId, sessionId, cancellationToken);
            if (session is null) return SessionNotFound();
        }
        else
        {
            // The newest session that has this artefact at all.
            var withKind = artefacts.Where(a => a.Kind == kind).Select(a => a.RtkSessionId).ToHashSet(StringComparer.Ordinal);
            session = (await store.ListSessionsAsync(caller.OrgId, meetingId, cancellationToken)).Where(s => withKind.Contains(s.RtkSessionId)).MaxBy(s => s.StartedAt ?? s.EndedAt);
        }
        var artefact = session is null ? null : artefacts.FirstOrDefault(a => a.RtkSessionId == session.RtkSessionId && a.Kind == kind);
        if (session is null || artefact is null)
            return new Error(ErrorKind.NotFound, PostMeetingReadErrors.ArtefactNotFound, $"This meeting has no {kind} (yet).");
        if (artefact.CopyState != CopyStates.Stored || artefact.BlobName is null)
            return new Error(ErrorKind.NotFound, PostMeetingReadErrors.ArtefactNotStored, $"The {kind} is {artefact.CopyState}: Castio holds no copy of it{(artefact.CopyState == CopyStates.Pending ? " yet" : "")}.");
        try
        {
            var content = await blobs.GetBlobContainerClient(store.OrgContainerName(caller.OrgId)).GetBlobClient(artefact.BlobName).DownloadContentAsync(cancellationToken);
            return (session, artefact, content.Value.Content.ToArray());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return new Error(ErrorKind.NotFound, PostMeetingReadErrors.ArtefactNotStored, $"The {kind}'s copy is gone (retention).");
        }
    }

    private async Task<Outcome<SessionEntity>> FindSessionAsync(CurrentUser caller, Guid meetingId, string sessionId, CancellationToken cancellationToken)
    {
        var meeting = await ReadableAsync(caller, meetingId, cancellationToken);
        if (meeting.Error is { } error) return error;
        var session = await store.FindSessionAsync(caller.OrgId, meetingId, sessionId, cancellationToken);
        return session is null ? SessionNotFound() : session;
    }

    private async Task<SessionEntity?> PickSessionAsync(Guid orgId, Guid meetingId, string? sessionId, Func<SessionEntity, bool> fallback, CancellationToken cancellationToken) =>
        sessionId is { Length: > 0 }
            ? await store.FindSessionAsync(orgId, meetingId, sessionId, cancellationToken)
            : (await store.ListSessionsAsync(orgId, meetingId, cancellationToken)).Where(fallback).MaxBy(s => s.StartedAt ?? s.EndedAt);

    private static SessionView View(SessionRecord r, bool withParticipants) => new(
        r.Id, r.RtkSessionId, r.StartedAt, r.EndedAt, r.DurationSeconds, r.PeakParticipants, r.TotalParticipants, r.Artefacts,
        withParticipants ? [.. r.Participants.Select(p => new SessionParticipantView(p.ParticipantId, p.Name, p.JoinedAt, p.LeftAt, p.DurationSeconds))] : null);

    private static Error NotFound() => new(ErrorKind.NotFound, MeetingErrors.NotFound, "No such meeting.");

    private static Error SessionNotFound() => new(ErrorKind.NotFound, PostMeetingReadErrors.SessionNotFound, "No such session of this meeting.");
}

/// <summary>Reads RTK's transcript files (CSV without header, or JSON) into entries, and writes WebVTT.</summary>
public static class TranscriptFiles
{
    /// <summary>A cue with no end time lasts until the next one starts, or this long.</summary>
    public const int LastCueMs = 3000;

    public static IReadOnlyList<TranscriptEntry> Parse(byte[] bytes, string? format)
    {
        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        return format == "json" || text.TrimStart().StartsWith('[') ? ParseJson(text) : ParseCsv(text);
    }

    // RTK's CSV: start ms, peer id, user id, custom participant id, name, text (no header row).
    private static List<TranscriptEntry> ParseCsv(string text)
    {
        var entries = new List<TranscriptEntry>();
        using var reader = new CsvReader(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = false, BadDataFound = null, MissingFieldFound = null });
        while (reader.Read())
        {
            if (!long.TryParse(reader.GetField(0), NumberStyles.Integer, CultureInfo.InvariantCulture, out var start)) continue;
            var cpi = reader.GetField(3);
            entries.Add(new TranscriptEntry(start, null, string.IsNullOrEmpty(cpi) ? reader.GetField(2) : cpi, reader.GetField(4), reader.GetField(5) ?? ""));
        }
        return entries;
    }

    private static List<TranscriptEntry> ParseJson(string text)
    {
        var entries = new List<TranscriptEntry>();
        using var doc = JsonDocument.Parse(text);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var start = e.TryGetProperty("startTime", out var s) && s.TryGetInt64(out var sv) ? sv : 0;
            long? end = e.TryGetProperty("endTime", out var en) && en.TryGetInt64(out var ev) ? ev : null;
            var sentence = e.TryGetProperty("sentence", out var t) ? t.GetString() ?? "" : "";
            string? cpi = null, name = null;
            if (e.TryGetProperty("peerData", out var peer) && peer.ValueKind == JsonValueKind.Object)
            {
                cpi = peer.TryGetProperty("cpi", out var c) ? c.GetString() : null;
                name = peer.TryGetProperty("displayName", out var d) ? d.GetString() : null;
            }
            entries.Add(new TranscriptEntry(start, end, cpi, name, sentence));
        }
        return entries;
    }

    public static string ToVtt(IReadOnlyList<TranscriptEntry> entries)
    {
        var ordered = entries.OrderBy(e => e.StartMs).ToList();
        var vtt = new StringBuilder("WEBVTT\n");
        for (var i = 0; i < ordered.Count; i++)
        {
            var e = ordered[i];
            var end = e.EndMs ?? (i + 1 < ordered.Count ? Math.Max(ordered[i + 1].StartMs, e.StartMs + 1) : e.StartMs + LastCueMs);
            var speaker = string.IsNullOrEmpty(e.Name) ? "" : e.Name.Replace("-->", "->", StringComparison.Ordinal) + ": ";
            vtt.Append(CultureInfo.InvariantCulture, $"\n{i + 1}\n{Time(e.StartMs)} --> {Time(end)}\n{speaker}{e.Text.Replace("-->", "->", StringComparison.Ordinal).ReplaceLineEndings(" ")}\n");
        }
        return vtt.ToString();
    }

    private static string Time(long ms) => TimeSpan.FromMilliseconds(ms).ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
}

public static class PostMeetingReadsServiceCollectionExtensions
{
    public static IServiceCollection AddPostMeetingReads(this IServiceCollection services) => services.AddTransient<PostMeetingReads>();
}
