using Castio.Core.Signals;

namespace Castio.Core.Diagnostics;

/// <summary>The webhook failure rate a health check reports, and when it is high enough to warn.</summary>
public sealed class WebhookHealth(WebhookOutcomes outcomes)
{
    public const string FailureRateWarning = "webhooks.failure_rate";
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public const double AlarmRate = 0.20;

    /// <summary>Fewer deliveries than this say nothing about a rate (one failure out of two is not an outage).</summary>
    public const int MinimumDeliveries = 5;

    public static bool IsAlarming(WebhookFailureRate rate) => rate.Deliveries >= MinimumDeliveries && rate.Rate > AlarmRate;

    public async Task<WebhookFailureRate> FailureRateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - Window;
        var (deliveries, failed) = await outcomes.CountSinceAsync(since, cancellationToken);
        return new WebhookFailureRate(deliveries, failed, since);
    }
}
