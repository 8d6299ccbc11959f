using Castio.Core.Webhooks;

namespace Castio.Core.Diagnostics;

/// <summary>
/// The webhook failure rate a health check reports, read from the delivery ledger over the last
/// <see cref="Window"/>: failed among those that finished (processed or failed); duplicates and
/// deliveries still in flight do not count. When it is high enough to warn.
/// </summary>
public sealed class WebhookHealth(WebhookLedger ledger, ActiveOrgs activeOrgs)
{
    public const string FailureRateWarning = "webhooks.failure_rate";
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public const double AlarmRate = 0.20;

    /// <summary>Fewer deliveries than this say nothing about a rate (one failure out of two is not an outage).</summary>
    public const int MinimumDeliveries = 5;

    /// <summary>Rows read per org at most; a rate over this many deliveries is as good as over all of them.</summary>
    public const int MaxCounted = 2000;

    public static bool IsAlarming(WebhookFailureRate rate) => rate.Deliveries >= MinimumDeliveries && rate.Rate > AlarmRate;

    /// <summary>One org's deliveries, or (null) the deployment's: every active org's and the unmatched ones.</summary>
    public async Task<WebhookFailureRate> FailureRateAsync(Guid? orgId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - Window;
        var scopes = new List<Guid?>();
        if (orgId is { } one)
        {
            scopes.Add(one);
        }
        else
        {
            scopes.Add(null);
            await foreach (var org in activeOrgs.ListAsync(cancellationToken))
            {
                scopes.Add(org);
            }
        }

        int deliveries = 0, failed = 0;
        foreach (var scope in scopes)
        {
            foreach (var row in await ledger.ListAsync(scope, since, now, MaxCounted, cancellationToken: cancellationToken))
            {
                if (row.Status is WebhookDeliveryStatus.Processed or WebhookDeliveryStatus.Failed)
                {
                    deliveries++;
                    failed += row.Status == WebhookDeliveryStatus.Failed ? 1 : 0;
                }
            }
        }

        return new WebhookFailureRate(deliveries, failed, since);
    }
}
