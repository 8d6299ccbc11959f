namespace Castio.Core.Rtk;

/// <summary>RTK sessions (live and past) and their artefacts: peers, peer report, transcript, summary, chat export.</summary>
public sealed class RtkSessionsClient : RtkApiClient
{
    internal RtkSessionsClient(RtkConnection api) : base(api) { }

    /// <summary>Sessions come under <c>data.sessions</c> with top-level paging.</summary>
    public async Task<RtkPage<RtkSession>> ListAsync(string appId, RtkSessionListQuery? query = null, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        var q = new Query().Add("associated_id", query?.AssociatedId).Add("status", query?.Status).Add("search", query?.Search)
            .Add("start_time", query?.StartTime).Add("end_time", query?.EndTime).Add("page_no", query?.PageNo).Add("per_page", query?.PerPage)
            .Add("sort_by", query?.SortBy).Add("sort_order", query?.SortOrder).Add("participants", query?.Participants);
        var env = await Api.GetAsync(RtkRoutes.Sessions(Acc, appId) + q, Ctx.RtkEnvelopeRtkSessionList, cancellationToken);
        return new(env.Data?.Sessions ?? [], env.Paging);
    }

    public async Task<RtkSession> GetAsync(string appId, string sessionId, bool includeBreakoutRooms = false, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        var q = new Query().Add("include_breakout_rooms", includeBreakoutRooms ? true : null);
        return Required((await Api.GetAsync(RtkRoutes.Session(Acc, appId, sessionId) + q, Ctx.RtkEnvelopeRtkSession, cancellationToken)).Data);
    }

    /// <summary>Peers of a session; RTK's reference puts paging inside <c>data</c> and its SDK at top level, so both are read.</summary>
    public async Task<RtkPage<RtkSessionPeer>> ListParticipantsAsync(string appId, string sessionId, RtkSessionParticipantsQuery? query = null, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        var q = new Query().Add("page_no", query?.PageNo).Add("per_page", query?.PerPage).Add("search", query?.Search)
            .Add("sort_by", query?.SortBy).Add("sort_order", query?.SortOrder).Add("include_peer_events", query?.IncludePeerEvents).Add("view", query?.View);
        var env = await Api.GetAsync(RtkRoutes.SessionParticipants(Acc, appId, sessionId) + q, Ctx.RtkEnvelopeRtkSessionPeerList, cancellationToken);
        return new(env.Data?.Participants ?? [], env.Paging ?? env.Data?.Paging);
    }

    /// <summary>Quality and device report of one peer; <paramref name="filters"/> from <see cref="RtkPeerReportFilters"/>.</summary>
    public async Task<RtkPeerReportParticipant> GetPeerReportAsync(string appId, string peerId, IEnumerable<string>? filters = null, bool? includePeerEvents = null, CancellationToken cancellationToken = default)
    {
        Guard(appId, peerId);
        var joined = filters is null ? null : string.Join(',', filters);
        var q = new Query().Add("filters", string.IsNullOrEmpty(joined) ? null : joined).Add("include_peer_events", includePeerEvents);
        return Required((await Api.GetAsync(RtkRoutes.PeerReport(Acc, appId, peerId) + q, Ctx.RtkEnvelopeRtkPeerReport, cancellationToken)).Data).Participant;
    }

    public async Task<RtkTranscript> GetTranscriptAsync(string appId, string sessionId, string? format = null, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        var q = new Query().Add("format", format);
        return Required((await Api.GetAsync(RtkRoutes.SessionTranscript(Acc, appId, sessionId) + q, Ctx.RtkEnvelopeRtkTranscript, cancellationToken)).Data);
    }

    public async Task<RtkSummary> GetSummaryAsync(string appId, string sessionId, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        return Required((await Api.GetAsync(RtkRoutes.SessionSummary(Acc, appId, sessionId), Ctx.RtkEnvelopeRtkSummary, cancellationToken)).Data);
    }

    /// <summary>Asks RTK to generate the summary (needs a transcript).</summary>
    public async Task<RtkSummaryTrigger> TriggerSummaryAsync(string appId, string sessionId, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.SessionSummary(Acc, appId, sessionId), null, Ctx.RtkEnvelopeRtkSummaryTrigger, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkChatExport> GetChatExportAsync(string appId, string sessionId, CancellationToken cancellationToken = default)
    {
        Guard(appId, sessionId);
        return Required((await Api.GetAsync(RtkRoutes.SessionChat(Acc, appId, sessionId), Ctx.RtkEnvelopeRtkChatExport, cancellationToken)).Data);
    }
}
