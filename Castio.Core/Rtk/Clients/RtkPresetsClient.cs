namespace Castio.Core.Rtk;

/// <summary>RTK presets (role templates): <c>/{app}/presets</c>.</summary>
public sealed class RtkPresetsClient : RtkApiClient
{
    internal RtkPresetsClient(RtkConnection api) : base(api) { }

    public async Task<RtkPreset> CreateAsync(string appId, RtkPreset preset, CancellationToken cancellationToken = default)
    {
        Guard(appId); ArgumentNullException.ThrowIfNull(preset);
        var body = preset with { Id = null, CreatedAt = null, UpdatedAt = null };
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.Presets(Acc, appId), Body(body, Ctx.RtkPreset),
            Ctx.RtkEnvelopeRtkPreset, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkPage<RtkPresetSummary>> ListAsync(string appId, RtkPageRequest? page = null, string? search = null, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        var q = new Query().Add("page_no", page?.PageNo).Add("per_page", page?.PerPage).Add("search", search);
        var env = await Api.GetAsync(RtkRoutes.Presets(Acc, appId) + q, Ctx.RtkEnvelopeListRtkPresetSummary, cancellationToken);
        return new(env.Data ?? [], env.Paging);
    }

    /// <summary>Every preset of the app, walking all pages.</summary>
    public async Task<IReadOnlyList<RtkPresetSummary>> ListAllAsync(string appId, CancellationToken cancellationToken = default)
    {
        const int perPage = 100;
        var all = new List<RtkPresetSummary>();
        for (var pageNo = 1; ; pageNo++)
        {
            var page = await ListAsync(appId, new RtkPageRequest(pageNo, perPage), null, cancellationToken);
            all.AddRange(page.Items);
            var total = page.Paging?.TotalCount ?? all.Count;
            if (page.Items.Count == 0 || all.Count >= total || page.Items.Count < perPage) return all;
        }
    }

    public async Task<RtkPreset> GetAsync(string appId, string presetId, CancellationToken cancellationToken = default)
    {
        Guard(appId, presetId);
        return Required((await Api.GetAsync(RtkRoutes.Preset(Acc, appId, presetId), Ctx.RtkEnvelopeRtkPreset, cancellationToken)).Data);
    }

    public async Task<RtkPreset> UpdateAsync(string appId, string presetId, RtkPresetUpdate update, CancellationToken cancellationToken = default)
    {
        Guard(appId, presetId); ArgumentNullException.ThrowIfNull(update);
        var env = await Api.SendAsync(HttpMethod.Patch, RtkRoutes.Preset(Acc, appId, presetId), Body(update, Ctx.RtkPresetUpdate),
            Ctx.RtkEnvelopeRtkPreset, idempotent: true, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkPreset> DeleteAsync(string appId, string presetId, CancellationToken cancellationToken = default)
    {
        Guard(appId, presetId);
        var env = await Api.SendAsync(HttpMethod.Delete, RtkRoutes.Preset(Acc, appId, presetId), null, Ctx.RtkEnvelopeRtkPreset, idempotent: true, cancellationToken);
        return Required(env.Data);
    }
}
