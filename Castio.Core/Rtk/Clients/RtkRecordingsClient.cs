namespace Castio.Core.Rtk;

/// <summary>RTK recordings: <c>/{app}/recordings</c>.</summary>
public sealed class RtkRecordingsClient : RtkApiClient
{
    internal RtkRecordingsClient(RtkConnection api) : base(api) { }

    public async Task<RtkRecording> StartAsync(string appId, RtkStartRecordingRequest request, CancellationToken cancellationToken = default)
    {
        Guard(appId); ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.MeetingId);
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.Recordings(Acc, appId), Body(request, Ctx.RtkStartRecordingRequest),
            Ctx.RtkEnvelopeRtkRecording, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public Task<RtkRecording> StopAsync(string appId, string recordingId, CancellationToken cancellationToken = default) =>
        ActionAsync(appId, recordingId, RtkRecordingActions.Stop, cancellationToken);

    public Task<RtkRecording> PauseAsync(string appId, string recordingId, CancellationToken cancellationToken = default) =>
        ActionAsync(appId, recordingId, RtkRecordingActions.Pause, cancellationToken);

    public Task<RtkRecording> ResumeAsync(string appId, string recordingId, CancellationToken cancellationToken = default) =>
        ActionAsync(appId, recordingId, RtkRecordingActions.Resume, cancellationToken);

    /// <summary>RTK has no stop path or DELETE: it is <c>PUT /recordings/{r}</c> with <c>{"action": ...}</c>. Not retried: a repeated stop or pause fails.</summary>
    public async Task<RtkRecording> ActionAsync(string appId, string recordingId, string action, CancellationToken cancellationToken = default)
    {
        Guard(appId, recordingId);
        if (action is not (RtkRecordingActions.Stop or RtkRecordingActions.Pause or RtkRecordingActions.Resume))
            throw new ArgumentOutOfRangeException(nameof(action), action, "Use stop, pause or resume.");
        var env = await Api.SendAsync(HttpMethod.Put, RtkRoutes.Recording(Acc, appId, recordingId), Body(new RtkRecordingActionRequest(action), Ctx.RtkRecordingActionRequest),
            Ctx.RtkEnvelopeRtkRecording, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkRecording> GetAsync(string appId, string recordingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, recordingId);
        return Required((await Api.GetAsync(RtkRoutes.Recording(Acc, appId, recordingId), Ctx.RtkEnvelopeRtkRecording, cancellationToken)).Data);
    }

    /// <summary>Recordings; <c>status</c> is sent comma-joined (Dyte's <c>explode: false</c>).</summary>
    public async Task<RtkPage<RtkRecording>> ListAsync(string appId, RtkRecordingListQuery? query = null, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        var status = query?.Status is { Count: > 0 } s ? string.Join(',', s) : null;
        var q = new Query().Add("meeting_id", query?.MeetingId).Add("status", status).Add("expired", query?.Expired).Add("search", query?.Search)
            .Add("start_time", query?.StartTime).Add("end_time", query?.EndTime).Add("sort_by", query?.SortBy).Add("sort_order", query?.SortOrder)
            .Add("page_no", query?.PageNo).Add("per_page", query?.PerPage);
        var env = await Api.GetAsync(RtkRoutes.Recordings(Acc, appId) + q, Ctx.RtkEnvelopeListRtkRecording, cancellationToken);
        return new(env.Data ?? [], env.Paging);
    }

    public async Task<RtkRecording> GetActiveAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        return Required((await Api.GetAsync(RtkRoutes.ActiveRecording(Acc, appId, meetingId), Ctx.RtkEnvelopeRtkRecording, cancellationToken)).Data);
    }
}
