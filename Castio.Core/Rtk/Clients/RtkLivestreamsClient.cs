namespace Castio.Core.Rtk;

/// <summary>RTK livestreams of a meeting: <c>/{app}/meetings/{m}/livestreams</c> and <c>active-livestream</c>.</summary>
public sealed class RtkLivestreamsClient : RtkApiClient
{
    internal RtkLivestreamsClient(RtkConnection api) : base(api) { }

    public async Task<RtkLivestream> StartAsync(string appId, string meetingId, RtkStartLivestreamRequest? request = null, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.MeetingLivestreams(Acc, appId, meetingId), Body(request ?? new RtkStartLivestreamRequest(), Ctx.RtkStartLivestreamRequest),
            Ctx.RtkEnvelopeRtkLivestream, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<string?> StopAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.ActiveLivestreamStop(Acc, appId, meetingId), null, Ctx.RtkEnvelopeRtkMessage, idempotent: false, cancellationToken);
        return env.Data?.Message;
    }

    public async Task<RtkLivestream> GetActiveAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        return Required((await Api.GetAsync(RtkRoutes.ActiveLivestream(Acc, appId, meetingId), Ctx.RtkEnvelopeRtkLivestream, cancellationToken)).Data);
    }
}
