namespace Castio.Core.Rtk;

/// <summary>RTK webhook subscriptions: <c>/{app}/webhooks</c>.</summary>
public sealed class RtkWebhooksClient : RtkApiClient
{
    internal RtkWebhooksClient(RtkConnection api) : base(api) { }

    public async Task<RtkWebhook> CreateAsync(string appId, RtkWebhookRequest request, CancellationToken cancellationToken = default)
    {
        Guard(appId); ArgumentNullException.ThrowIfNull(request);
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.Webhooks(Acc, appId), Body(request, Ctx.RtkWebhookRequest), Ctx.RtkEnvelopeRtkWebhook, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    /// <summary>All webhooks of the app (RTK does not page this list).</summary>
    public async Task<IReadOnlyList<RtkWebhook>> ListAsync(string appId, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        return (await Api.GetAsync(RtkRoutes.Webhooks(Acc, appId), Ctx.RtkEnvelopeListRtkWebhook, cancellationToken)).Data ?? [];
    }

    public async Task<RtkWebhook> UpdateAsync(string appId, string webhookId, RtkWebhookUpdate update, CancellationToken cancellationToken = default)
    {
        Guard(appId, webhookId); ArgumentNullException.ThrowIfNull(update);
        var env = await Api.SendAsync(HttpMethod.Patch, RtkRoutes.Webhook(Acc, appId, webhookId), Body(update, Ctx.RtkWebhookUpdate), Ctx.RtkEnvelopeRtkWebhook, idempotent: true, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkWebhook> DeleteAsync(string appId, string webhookId, CancellationToken cancellationToken = default)
    {
        Guard(appId, webhookId);
        var env = await Api.SendAsync(HttpMethod.Delete, RtkRoutes.Webhook(Acc, appId, webhookId), null, Ctx.RtkEnvelopeRtkWebhook, idempotent: true, cancellationToken);
        return Required(env.Data);
    }
}
