namespace Castio.Core.Rtk;

/// <summary>RTK apps (account level): <c>/accounts/{acc}/realtime/kit/apps</c>.</summary>
public sealed class RtkAppsClient : RtkApiClient
{
    internal RtkAppsClient(RtkConnection api) : base(api) { }

    public async Task<RtkPage<RtkApp>> ListAsync(RtkPageRequest? page = null, string? search = null, CancellationToken cancellationToken = default)
    {
        var q = new Query().Add("page_no", page?.PageNo).Add("per_page", page?.PerPage).Add("search", search);
        var env = await Api.GetAsync(RtkRoutes.Apps(Acc) + q, Ctx.RtkEnvelopeListRtkApp, cancellationToken);
        return new(env.Data ?? [], env.Paging);
    }

    /// <summary>Creates an app; unlike other creates, RTK nests the result one level down, in <c>data.app</c>.</summary>
    public async Task<RtkApp> CreateAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.Apps(Acc), Body(new RtkCreateAppRequest(name), Ctx.RtkCreateAppRequest),
            Ctx.RtkEnvelopeRtkCreateAppResult, idempotent: false, cancellationToken);
        return Required(env.Data?.App);
    }
}
