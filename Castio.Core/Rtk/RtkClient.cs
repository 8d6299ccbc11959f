using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Castio.Core.Rtk;

/// <summary>
/// Typed client for the Cloudflare RealtimeKit REST API (docs/realtimekit.md). Every failure is an
/// <see cref="RtkException"/>; <see cref="RtkException.IsUnavailable"/> marks outages.
/// </summary>
public sealed partial class RtkClient
{
    private const int MaxErrorBodyChars = 2000;
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly RtkJsonContext Ctx = RtkJsonContext.Default;

    private readonly HttpClient _http;
    private readonly RtkOptions _options;
    private readonly RtkResilience _resilience;
    private readonly ILogger _logger;
    private readonly Uri _base;

    public RtkClient(HttpClient http, IOptions<RtkOptions> options, RtkResilience resilience, ILogger<RtkClient> logger)
    {
        _http = http;
        _options = options.Value;
        _resilience = resilience;
        _logger = logger;
        _base = new Uri(_options.BaseUrl.TrimEnd('/') + "/");
    }

    private string Acc => _options.AccountId;

    /// <summary>The configured default app id (<see cref="RtkOptions.AppId"/>).</summary>
    public string DefaultAppId => _options.AppId;

    // ---- Apps

    public async Task<RtkPage<RtkApp>> ListAppsAsync(RtkPageRequest? page = null, string? search = null, CancellationToken cancellationToken = default)
    {
        var q = new Query().Add("page_no", page?.PageNo).Add("per_page", page?.PerPage).Add("search", search);
        var env = await GetAsync(RtkRoutes.Apps(Acc) + q, Ctx.RtkEnvelopeListRtkApp, cancellationToken);
        return new(env.Data ?? [], env.Paging);
    }

    /// <summary>Creates an app; unlike other creates, RTK nests the result one level down, in <c>data.app</c>.</summary>
    public async Task<RtkApp> CreateAppAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.Apps(Acc), Body(new RtkCreateAppRequest(name), Ctx.RtkCreateAppRequest),
            Ctx.RtkEnvelopeRtkCreateAppResult, idempotent: false, cancellationToken);
        return Required(env.Data?.App);
    }

    // ---- Meetings

    public async Task<RtkMeeting> CreateMeetingAsync(string appId, RtkMeetingRequest request, CancellationToken cancellationToken = default)
    {
        Guard(appId); ArgumentNullException.ThrowIfNull(request);
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.Meetings(Acc, appId), Body(request, Ctx.RtkMeetingRequest),
            Ctx.RtkEnvelopeRtkMeeting, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkMeeting> GetMeetingAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        return Required((await GetAsync(RtkRoutes.Meeting(Acc, appId, meetingId), Ctx.RtkEnvelopeRtkMeeting, cancellationToken)).Data);
    }

    public async Task<RtkPage<RtkMeeting>> ListMeetingsAsync(string appId, RtkMeetingListQuery? query = null, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        var q = new Query().Add("page_no", query?.PageNo).Add("per_page", query?.PerPage).Add("search", query?.Search)
            .Add("start_time", query?.StartTime).Add("end_time", query?.EndTime).Add("status", query?.Status);
        var env = await GetAsync(RtkRoutes.Meetings(Acc, appId) + q, Ctx.RtkEnvelopeListRtkMeeting, cancellationToken);
        return new(env.Data ?? [], env.Paging);
    }

    /// <summary>PATCH; the only way to set <c>status</c> ACTIVE/INACTIVE.</summary>
    public async Task<RtkMeeting> UpdateMeetingAsync(string appId, string meetingId, RtkMeetingUpdate update, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId); ArgumentNullException.ThrowIfNull(update);
        var env = await SendAsync(HttpMethod.Patch, RtkRoutes.Meeting(Acc, appId, meetingId), Body(update, Ctx.RtkMeetingUpdate),
            Ctx.RtkEnvelopeRtkMeeting, idempotent: true, cancellationToken);
        return Required(env.Data);
    }

    // ---- Participants

    /// <summary>Adds a participant; the answer carries the participant <c>token</c>.</summary>
    public async Task<RtkParticipant> AddParticipantAsync(string appId, string meetingId, RtkAddParticipantRequest request, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId); ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.CustomParticipantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.PresetName);
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.Participants(Acc, appId, meetingId), Body(request, Ctx.RtkAddParticipantRequest),
            Ctx.RtkEnvelopeRtkParticipant, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkParticipant> GetParticipantAsync(string appId, string meetingId, string participantId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId, participantId);
        return Required((await GetAsync(RtkRoutes.Participant(Acc, appId, meetingId, participantId), Ctx.RtkEnvelopeRtkParticipant, cancellationToken)).Data);
    }

    public async Task<RtkPage<RtkParticipant>> ListParticipantsAsync(string appId, string meetingId, RtkPageRequest? page = null, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var q = new Query().Add("page_no", page?.PageNo).Add("per_page", page?.PerPage);
        var env = await GetAsync(RtkRoutes.Participants(Acc, appId, meetingId) + q, Ctx.RtkEnvelopeListRtkParticipant, cancellationToken);
        return new(env.Data ?? [], env.Paging);
    }

    /// <summary>PATCH name/picture/preset (promote or demote); the answer carries a fresh token.</summary>
    public async Task<RtkParticipant> UpdateParticipantAsync(string appId, string meetingId, string participantId, RtkParticipantUpdate update, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId, participantId); ArgumentNullException.ThrowIfNull(update);
        var env = await SendAsync(HttpMethod.Patch, RtkRoutes.Participant(Acc, appId, meetingId, participantId), Body(update, Ctx.RtkParticipantUpdate),
            Ctx.RtkEnvelopeRtkParticipant, idempotent: true, cancellationToken);
        return Required(env.Data);
    }

    public Task<RtkParticipant> UpdateParticipantPresetAsync(string appId, string meetingId, string participantId, string presetName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(presetName);
        return UpdateParticipantAsync(appId, meetingId, participantId, new RtkParticipantUpdate { PresetName = presetName }, cancellationToken);
    }

    public async Task<RtkDeletedParticipant> DeleteParticipantAsync(string appId, string meetingId, string participantId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId, participantId);
        var env = await SendAsync(HttpMethod.Delete, RtkRoutes.Participant(Acc, appId, meetingId, participantId), null,
            Ctx.RtkEnvelopeRtkDeletedParticipant, idempotent: true, cancellationToken);
        return Required(env.Data);
    }

    /// <summary>Issues a new token for the same participant.</summary>
    public async Task<string> RefreshParticipantTokenAsync(string appId, string meetingId, string participantId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId, participantId);
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.ParticipantToken(Acc, appId, meetingId, participantId), null,
            Ctx.RtkEnvelopeRtkParticipantToken, idempotent: false, cancellationToken);
        return Required(env.Data).Token;
    }

    // ---- Active session

    /// <summary>The live session; an <see cref="RtkException"/> with 404 when none is live.</summary>
    public async Task<RtkSession> GetActiveSessionAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        return Required((await GetAsync(RtkRoutes.ActiveSession(Acc, appId, meetingId), Ctx.RtkEnvelopeRtkSession, cancellationToken)).Data);
    }

    /// <summary>Kicks by participant ids and/or custom ids; both keys are always sent, as the current schema requires both arrays.</summary>
    public async Task<RtkKickResult> KickParticipantsAsync(string appId, string meetingId, IEnumerable<string>? participantIds, IEnumerable<string>? customParticipantIds, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var body = new RtkKickRequest([.. participantIds ?? []], [.. customParticipantIds ?? []]);
        if (body.ParticipantIds.Count == 0 && body.CustomParticipantIds.Count == 0)
            throw new ArgumentException("Name at least one participant to kick.", nameof(participantIds));
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.ActiveSessionKick(Acc, appId, meetingId), Body(body, Ctx.RtkKickRequest),
            Ctx.RtkEnvelopeRtkKickResult, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkKickAllResult> KickAllAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.ActiveSessionKickAll(Acc, appId, meetingId), null,
            Ctx.RtkEnvelopeRtkKickAllResult, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkMuteAllResult> MuteAllAsync(string appId, string meetingId, bool allowUnmute, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.ActiveSessionMuteAll(Acc, appId, meetingId), Body(new RtkMuteAllRequest(allowUnmute), Ctx.RtkMuteAllRequest),
            Ctx.RtkEnvelopeRtkMuteAllResult, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    // ---- Presets

    public async Task<RtkPreset> CreatePresetAsync(string appId, RtkPreset preset, CancellationToken cancellationToken = default)
    {
        Guard(appId); ArgumentNullException.ThrowIfNull(preset);
        var body = preset with { Id = null, CreatedAt = null, UpdatedAt = null };
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.Presets(Acc, appId), Body(body, Ctx.RtkPreset),
            Ctx.RtkEnvelopeRtkPreset, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkPage<RtkPresetSummary>> ListPresetsAsync(string appId, RtkPageRequest? page = null, string? search = null, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        var q = new Query().Add("page_no", page?.PageNo).Add("per_page", page?.PerPage).Add("search", search);
        var env = await GetAsync(RtkRoutes.Presets(Acc, appId) + q, Ctx.RtkEnvelopeListRtkPresetSummary, cancellationToken);
        return new(env.Data ?? [], env.Paging);
    }

    /// <summary>Every preset of the app, walking all pages.</summary>
    public async Task<IReadOnlyList<RtkPresetSummary>> ListAllPresetsAsync(string appId, CancellationToken cancellationToken = default)
    {
        const int perPage = 100;
        var all = new List<RtkPresetSummary>();
        for (var pageNo = 1; ; pageNo++)
        {
            var page = await ListPresetsAsync(appId, new RtkPageRequest(pageNo, perPage), null, cancellationToken);
            all.AddRange(page.Items);
            var total = page.Paging?.TotalCount ?? all.Count;
            if (page.Items.Count == 0 || all.Count >= total || page.Items.Count < perPage) return all;
        }
    }

    public async Task<RtkPreset> GetPresetAsync(string appId, string presetId, CancellationToken cancellationToken = default)
    {
        Guard(appId, presetId);
        return Required((await GetAsync(RtkRoutes.Preset(Acc, appId, presetId), Ctx.RtkEnvelopeRtkPreset, cancellationToken)).Data);
    }

    public async Task<RtkPreset> UpdatePresetAsync(string appId, string presetId, RtkPresetUpdate update, CancellationToken cancellationToken = default)
    {
        Guard(appId, presetId); ArgumentNullException.ThrowIfNull(update);
        var env = await SendAsync(HttpMethod.Patch, RtkRoutes.Preset(Acc, appId, presetId), Body(update, Ctx.RtkPresetUpdate),
            Ctx.RtkEnvelopeRtkPreset, idempotent: true, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkPreset> DeletePresetAsync(string appId, string presetId, CancellationToken cancellationToken = default)
    {
        Guard(appId, presetId);
        var env = await SendAsync(HttpMethod.Delete, RtkRoutes.Preset(Acc, appId, presetId), null, Ctx.RtkEnvelopeRtkPreset, idempotent: true, cancellationToken);
        return Required(env.Data);
    }

    // ---- Sessions

    /// <summary>Sessions come under <c>data.sessions</c> with top-level paging.</summary>
    public async Task<RtkPage<RtkSession>> ListSessionsAsync(string appId, RtkSessionListQuery? query = null, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        var q = new Query().Add("associated_id", query?.AssociatedId).Add("status", query?.Status).Add("search", query?.Search)
            .Add("start_time", query?.StartTime).Add("end_time", query?.EndTime).Add("page_no", query?.PageNo).Add("per_page", query?.PerPage)
            .Add("sort_by", query?.SortBy).Add("sort_order", query?.SortOrder).Add("participants", query?.Participants);
        var env = await GetAsync(RtkRoutes.Sessions(Acc, appId) + q, Ctx.RtkEnvelopeRtkSessionList, cancellationToken);
        return new(env.Data?.Sessions ?? [], env.Paging);
    }

    public async Task<RtkSession> GetSessionAsync(string appId, string sessionId, bool includeBreakoutRooms = false, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        var q = new Query().Add("include_breakout_rooms", includeBreakoutRooms ? true : null);
        return Required((await GetAsync(RtkRoutes.Session(Acc, appId, sessionId) + q, Ctx.RtkEnvelopeRtkSession, cancellationToken)).Data);
    }

    /// <summary>Peers of a session; RTK's reference puts paging inside <c>data</c> and its SDK at top level, so both are read.</summary>
    public async Task<RtkPage<RtkSessionPeer>> ListSessionParticipantsAsync(string appId, string sessionId, RtkSessionParticipantsQuery? query = null, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        var q = new Query().Add("page_no", query?.PageNo).Add("per_page", query?.PerPage).Add("search", query?.Search)
            .Add("sort_by", query?.SortBy).Add("sort_order", query?.SortOrder).Add("include_peer_events", query?.IncludePeerEvents).Add("view", query?.View);
        var env = await GetAsync(RtkRoutes.SessionParticipants(Acc, appId, sessionId) + q, Ctx.RtkEnvelopeRtkSessionPeerList, cancellationToken);
        return new(env.Data?.Participants ?? [], env.Paging ?? env.Data?.Paging);
    }

    /// <summary>Quality and device report of one peer; <paramref name="filters"/> from <see cref="RtkPeerReportFilters"/>.</summary>
    public async Task<RtkPeerReportParticipant> GetPeerReportAsync(string appId, string peerId, IEnumerable<string>? filters = null, bool? includePeerEvents = null, CancellationToken cancellationToken = default)
    {
        Guard(appId, peerId);
        var joined = filters is null ? null : string.Join(',', filters);
        var q = new Query().Add("filters", string.IsNullOrEmpty(joined) ? null : joined).Add("include_peer_events", includePeerEvents);
        return Required((await GetAsync(RtkRoutes.PeerReport(Acc, appId, peerId) + q, Ctx.RtkEnvelopeRtkPeerReport, cancellationToken)).Data).Participant;
    }

    public async Task<RtkTranscript> GetTranscriptAsync(string appId, string sessionId, string? format = null, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        var q = new Query().Add("format", format);
        return Required((await GetAsync(RtkRoutes.SessionTranscript(Acc, appId, sessionId) + q, Ctx.RtkEnvelopeRtkTranscript, cancellationToken)).Data);
    }

    public async Task<RtkSummary> GetSummaryAsync(string appId, string sessionId, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        return Required((await GetAsync(RtkRoutes.SessionSummary(Acc, appId, sessionId), Ctx.RtkEnvelopeRtkSummary, cancellationToken)).Data);
    }

    /// <summary>Asks RTK to generate the summary (needs a transcript).</summary>
    public async Task<RtkSummaryTrigger> TriggerSummaryAsync(string appId, string sessionId, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.SessionSummary(Acc, appId, sessionId), null, Ctx.RtkEnvelopeRtkSummaryTrigger, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkChatExport> GetChatExportAsync(string appId, string sessionId, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        return Required((await GetAsync(RtkRoutes.SessionChat(Acc, appId, sessionId), Ctx.RtkEnvelopeRtkChatExport, cancellationToken)).Data);
    }

    // ---- Recordings

    public async Task<RtkRecording> StartRecordingAsync(string appId, RtkStartRecordingRequest request, CancellationToken cancellationToken = default)
    {
        Guard(appId); ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.MeetingId);
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.Recordings(Acc, appId), Body(request, Ctx.RtkStartRecordingRequest),
            Ctx.RtkEnvelopeRtkRecording, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public Task<RtkRecording> StopRecordingAsync(string appId, string recordingId, CancellationToken cancellationToken = default) =>
        RecordingActionAsync(appId, recordingId, RtkRecordingActions.Stop, cancellationToken);

    public Task<RtkRecording> PauseRecordingAsync(string appId, string recordingId, CancellationToken cancellationToken = default) =>
        RecordingActionAsync(appId, recordingId, RtkRecordingActions.Pause, cancellationToken);

    public Task<RtkRecording> ResumeRecordingAsync(string appId, string recordingId, CancellationToken cancellationToken = default) =>
        RecordingActionAsync(appId, recordingId, RtkRecordingActions.Resume, cancellationToken);

    /// <summary>RTK has no stop path or DELETE: it is <c>PUT /recordings/{r}</c> with <c>{"action": ...}</c>. Not retried: a repeated stop or pause fails.</summary>
    public async Task<RtkRecording> RecordingActionAsync(string appId, string recordingId, string action, CancellationToken cancellationToken = default)
    {
        Guard(appId, recordingId);
        if (action is not (RtkRecordingActions.Stop or RtkRecordingActions.Pause or RtkRecordingActions.Resume))
            throw new ArgumentOutOfRangeException(nameof(action), action, "Use stop, pause or resume.");
        var env = await SendAsync(HttpMethod.Put, RtkRoutes.Recording(Acc, appId, recordingId), Body(new RtkRecordingActionRequest(action), Ctx.RtkRecordingActionRequest),
            Ctx.RtkEnvelopeRtkRecording, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkRecording> GetRecordingAsync(string appId, string recordingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, recordingId);
        return Required((await GetAsync(RtkRoutes.Recording(Acc, appId, recordingId), Ctx.RtkEnvelopeRtkRecording, cancellationToken)).Data);
    }

    /// <summary>Recordings; <c>status</c> is sent comma-joined (Dyte's <c>explode: false</c>).</summary>
    public async Task<RtkPage<RtkRecording>> ListRecordingsAsync(string appId, RtkRecordingListQuery? query = null, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        var status = query?.Status is { Count: > 0 } s ? string.Join(',', s) : null;
        var q = new Query().Add("meeting_id", query?.MeetingId).Add("status", status).Add("expired", query?.Expired).Add("search", query?.Search)
            .Add("start_time", query?.StartTime).Add("end_time", query?.EndTime).Add("sort_by", query?.SortBy).Add("sort_order", query?.SortOrder)
            .Add("page_no", query?.PageNo).Add("per_page", query?.PerPage);
        var env = await GetAsync(RtkRoutes.Recordings(Acc, appId) + q, Ctx.RtkEnvelopeListRtkRecording, cancellationToken);
        return new(env.Data ?? [], env.Paging);
    }

    public async Task<RtkRecording> GetActiveRecordingAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        return Required((await GetAsync(RtkRoutes.ActiveRecording(Acc, appId, meetingId), Ctx.RtkEnvelopeRtkRecording, cancellationToken)).Data);
    }

    // ---- Livestreams

    public async Task<RtkLivestream> StartLivestreamAsync(string appId, string meetingId, RtkStartLivestreamRequest? request = null, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.MeetingLivestreams(Acc, appId, meetingId), Body(request ?? new RtkStartLivestreamRequest(), Ctx.RtkStartLivestreamRequest),
            Ctx.RtkEnvelopeRtkLivestream, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<string?> StopLivestreamAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.ActiveLivestreamStop(Acc, appId, meetingId), null, Ctx.RtkEnvelopeRtkMessage, idempotent: false, cancellationToken);
        return env.Data?.Message;
    }

    public async Task<RtkLivestream> GetActiveLivestreamAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        return Required((await GetAsync(RtkRoutes.ActiveLivestream(Acc, appId, meetingId), Ctx.RtkEnvelopeRtkLivestream, cancellationToken)).Data);
    }

    // ---- Webhooks

    public async Task<RtkWebhook> CreateWebhookAsync(string appId, RtkWebhookRequest request, CancellationToken cancellationToken = default)
    {
        Guard(appId); ArgumentNullException.ThrowIfNull(request);
        var env = await SendAsync(HttpMethod.Post, RtkRoutes.Webhooks(Acc, appId), Body(request, Ctx.RtkWebhookRequest), Ctx.RtkEnvelopeRtkWebhook, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    /// <summary>All webhooks of the app (RTK does not page this list).</summary>
    public async Task<IReadOnlyList<RtkWebhook>> ListWebhooksAsync(string appId, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        return (await GetAsync(RtkRoutes.Webhooks(Acc, appId), Ctx.RtkEnvelopeListRtkWebhook, cancellationToken)).Data ?? [];
    }

    public async Task<RtkWebhook> UpdateWebhookAsync(string appId, string webhookId, RtkWebhookUpdate update, CancellationToken cancellationToken = default)
    {
        Guard(appId, webhookId); ArgumentNullException.ThrowIfNull(update);
        var env = await SendAsync(HttpMethod.Patch, RtkRoutes.Webhook(Acc, appId, webhookId), Body(update, Ctx.RtkWebhookUpdate), Ctx.RtkEnvelopeRtkWebhook, idempotent: true, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkWebhook> DeleteWebhookAsync(string appId, string webhookId, CancellationToken cancellationToken = default)
    {
        Guard(appId, webhookId);
        var env = await SendAsync(HttpMethod.Delete, RtkRoutes.Webhook(Acc, appId, webhookId), null, Ctx.RtkEnvelopeRtkWebhook, idempotent: true, cancellationToken);
        return Required(env.Data);
    }

    // ---- Analytics

    public async Task<RtkDaywiseAnalytics> GetDaywiseAnalyticsAsync(string appId, DateOnly startDate, DateOnly endDate, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        if (endDate < startDate) throw new ArgumentOutOfRangeException(nameof(endDate), "endDate is before startDate.");
        var q = new Query().Add("start_date", startDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Add("end_date", endDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return Required((await GetAsync(RtkRoutes.DaywiseAnalytics(Acc, appId) + q, Ctx.RtkEnvelopeRtkDaywiseAnalytics, cancellationToken)).Data);
    }

    // ---- Transport

    private Task<RtkEnvelope<T>> GetAsync<T>(string path, JsonTypeInfo<RtkEnvelope<T>> typeInfo, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, typeInfo, idempotent: true, cancellationToken);

    private static byte[] Body<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    private async Task<RtkEnvelope<T>> SendAsync<T>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<RtkEnvelope<T>> typeInfo, bool idempotent, CancellationToken cancellationToken)
    {
        if (!_options.IsConfigured())
        {
            LogUnavailable(_logger, method.Method, Redact(path), "not configured");
            throw new RtkUnavailableException("RealtimeKit is not configured: set Rtk:AccountId and Rtk:ApiToken.");
        }

        var uri = new Uri(_base, path);
        var pipeline = idempotent ? _resilience.Safe : _resilience.Unsafe;
        HttpResponseMessage response;
        try
        {
            response = await pipeline.ExecuteAsync(async token =>
            {
                // A request message cannot be sent twice, so each attempt builds its own.
                using var request = new HttpRequestMessage(method, uri);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiToken);
                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.ContentType = Json;
                }
                return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            }, cancellationToken);
        }
        catch (BrokenCircuitException ex)
        {
            LogUnavailable(_logger, method.Method, Redact(path), "circuit open");
            throw new RtkUnavailableException("RTK is unavailable: the circuit is open after repeated failures.", inner: ex, retryAfter: ex.RetryAfter);
        }
        catch (TimeoutRejectedException ex)
        {
            LogUnavailable(_logger, method.Method, Redact(path), "timeout");
            throw new RtkUnavailableException("RTK did not answer in time.", inner: ex);
        }
        catch (HttpRequestException ex)
        {
            LogUnavailable(_logger, method.Method, Redact(path), "network error");
            throw new RtkUnavailableException("RTK could not be reached.", inner: ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode) throw await ToExceptionAsync(method, path, response, cancellationToken);
            RtkEnvelope<T>? envelope;
            try
            {
                envelope = await JsonSerializer.DeserializeAsync(await response.Content.ReadAsStreamAsync(cancellationToken), typeInfo, cancellationToken);
            }
            catch (JsonException ex)
            {
                throw new RtkException("RTK answered with a body that is not the expected JSON.", response.StatusCode, null, isUnavailable: false, ex);
            }
            return envelope ?? throw new RtkException("RTK answered with an empty body.", response.StatusCode, null, isUnavailable: false);
        }
    }

    private async Task<RtkException> ToExceptionAsync(HttpMethod method, string path, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var (code, message) = ParseError(text);
        var status = response.StatusCode;
        message ??= $"RTK answered {(int)status} {response.ReasonPhrase}";
        LogFailure(_logger, method.Method, Redact(path), (int)status, code, message.Length > 300 ? message[..300] : message);
        var unavailable = (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
        return unavailable
            ? new RtkUnavailableException(message, status, code, retryAfter: _resilience.RetryAfterOf(response))
            : new RtkException(message, status, code, isUnavailable: false);
    }

    /// <summary>Reads <c>{"error":{code,message}}</c> (RTK) or <c>{"errors":[{code,message}]}</c> (Cloudflare gateway).</summary>
    internal static (int? Code, string? Message) ParseError(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        if (text.Length > MaxErrorBodyChars) text = text[..MaxErrorBodyChars];
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            if (root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object) return (IntOf(error, "code"), StringOf(error, "message"));
                if (error.ValueKind == JsonValueKind.String) return (null, error.GetString());
            }
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                && errors[0].ValueKind == JsonValueKind.Object)
                return (IntOf(errors[0], "code"), StringOf(errors[0], "message"));
            return (null, StringOf(root, "message"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static int? IntOf(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static string? StringOf(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    // Paths carry ids only; the query may carry search text, which stays out of logs.
    private static string Redact(string path) => path.Split('?', 2)[0];

    private static T Required<T>(T? value) where T : class =>
        value ?? throw new RtkException("RTK answered success without data.", HttpStatusCode.OK, null, isUnavailable: false);

    private static void Guard(params ReadOnlySpan<string> ids)
    {
        foreach (var id in ids) ArgumentException.ThrowIfNullOrWhiteSpace(id);
    }

    [LoggerMessage(EventId = 1100, EventName = "RtkCallFailed", Level = LogLevel.Warning,
        Message = "RTK {Method} {Path} failed with {Status} (code {ErrorCode}): {RtkMessage}")]
    private static partial void LogFailure(ILogger logger, string method, string path, int status, int? errorCode, string rtkMessage);

    [LoggerMessage(EventId = 1104, EventName = "RtkUnavailable", Level = LogLevel.Error,
        Message = "RTK {Method} {Path} unavailable: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reason);

    /// <summary>Builds a query string, skipping empty values.</summary>
    private sealed class Query
    {
        private readonly StringBuilder _sb = new();

        public Query Add(string name, string? value)
        {
            if (string.IsNullOrEmpty(value)) return this;
            _sb.Append(_sb.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            return this;
        }

        public Query Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));
        public Query Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");
        public Query Add(string name, DateTimeOffset? value) =>
            Add(name, value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

        public override string ToString() => _sb.ToString();
    }
}
