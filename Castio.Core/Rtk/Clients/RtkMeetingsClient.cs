namespace Castio.Core.Rtk;

/// <summary>RTK meetings: <c>/{app}/meetings</c>.</summary>
public sealed class RtkMeetingsClient : RtkApiClient
{
    internal RtkMeetingsClient(RtkConnection api) : base(api) { }

    public async Task<RtkMeeting> CreateAsync(string appId, RtkMeetingRequest request, CancellationToken cancellationToken = default)
    {
        Guard(appId); ArgumentNullException.ThrowIfNull(request);
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.Meetings(Acc, appId), Body(request, Ctx.RtkMeetingRequest),
            Ctx.RtkEnvelopeRtkMeeting, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkMeeting> GetAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        return Required((await Api.GetAsync(RtkRoutes.Meeting(Acc, appId, meetingId), Ctx.RtkEnvelopeRtkMeeting, cancellationToken)).Data);
    }

    public async Task<RtkPage<RtkMeeting>> ListAsync(string appId, RtkMeetingListQuery? query = null, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        var q = new Query().Add("page_no", query?.PageNo).Add("per_page", query?.PerPage).Add("search", query?.Search)
            .Add("start_time", query?.StartTime).Add("end_time", query?.EndTime).Add("status", query?.Status);
        var env = await Api.GetAsync(RtkRoutes.Meetings(Acc, appId) + q, Ctx.RtkEnvelopeListRtkMeeting, cancellationToken);
        return new(env.Data ?? [], env.Paging);
    }

    /// <summary>PATCH; the only way to set <c>status</c> ACTIVE/INACTIVE.</summary>
    public async Task<RtkMeeting> UpdateAsync(string appId, string meetingId, RtkMeetingUpdate update, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId); ArgumentNullException.ThrowIfNull(update);
        var env = await Api.SendAsync(HttpMethod.Patch, RtkRoutes.Meeting(Acc, appId, meetingId), Body(update, Ctx.RtkMeetingUpdate),
            Ctx.RtkEnvelopeRtkMeeting, idempotent: true, cancellationToken);
        return Required(env.Data);
    }
}
