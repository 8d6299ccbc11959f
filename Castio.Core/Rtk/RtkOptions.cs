using Microsoft.Extensions.Options;

namespace Castio.Core.Rtk;

/// <summary>Settings for Cloudflare RealtimeKit, bound from the "Rtk" configuration section.</summary>
public sealed class RtkOptions
{
    public const string SectionName = "Rtk";

    /// <summary>API root; account and app paths are appended below it.</summary>
    public string BaseUrl { get; set; } = "https://api.cloudflare.com/client/v4";

    /// <summary>Cloudflare account id (32 hex chars in production).</summary>
    public string AccountId { get; set; } = "";

    /// <summary>Cloudflare API token with the Realtime (Admin) permission. Never logged.</summary>
    public string ApiToken { get; set; } = "";

    /// <summary>Default RTK app id, used when a call does not name an org's own app.</summary>
    public string AppId { get; set; } = "";

    /// <summary>Where RTK publishes the public key webhook signatures are checked against (an unauthenticated GET).</summary>
    public string WebhookPublicKeyUrl { get; set; } = "https://api.realtime.cloudflare.com/.well-known/webhooks.json";

    /// <summary>How long a fetched webhook public key is trusted before it is fetched again.</summary>
    public TimeSpan WebhookPublicKeyCacheDuration { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Least time between forced key refetches after a failed verification (bounds refetch storms).</summary>
    public TimeSpan WebhookPublicKeyRefetchCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest webhook body accepted, in bytes.</summary>
    public int WebhookMaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Upper bound for one call including retries and waits.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound for one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt (safe calls; any call on 429).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Base of the jittered exponential backoff.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest Retry-After the client waits for; a longer one surfaces as "RTK unavailable".</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Failure ratio within <see cref="CircuitSamplingDuration"/> that opens the circuit.</summary>
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed within the sampling window before the circuit may open (Polly minimum 2).</summary>
    public int CircuitMinimumThroughput { get; set; } = 10;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails fast before a probe call is let through (Polly minimum 0.5 s).</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

public static class RtkOptionsExtensions
{
    public static bool IsConfigured(this RtkOptions options) => !string.IsNullOrWhiteSpace(options.ApiToken);
}

internal sealed class RtkOptionsValidator : IValidateOptions<RtkOptions>
{
    public ValidateOptionsResult Validate(string? name, RtkOptions o)
    {
        var failures = new List<string>();
        if (!IsHttpUrl(o.BaseUrl)) failures.Add("Rtk:BaseUrl must be an absolute http(s) URL.");
        // Both or neither: an operator may deploy first and add RealtimeKit later; until then RTK calls answer 503.
        if (string.IsNullOrWhiteSpace(o.AccountId) != string.IsNullOrWhiteSpace(o.ApiToken))
            failures.Add("Rtk:AccountId and Rtk:ApiToken are set together (or both left empty until RealtimeKit is set up).");
        if (!IsHttpUrl(o.WebhookPublicKeyUrl)) failures.Add("Rtk:WebhookPublicKeyUrl must be an absolute http(s) URL.");
        if (o.RequestTimeout <= TimeSpan.Zero || o.AttemptTimeout <= TimeSpan.Zero)
            failures.Add("Rtk:RequestTimeout and Rtk:AttemptTimeout must be positive.");
        if (o.MaxRetries is < 0 or > 10) failures.Add("Rtk:MaxRetries must be between 0 and 10.");
        if (o.RetryBaseDelay < TimeSpan.Zero || o.MaxRetryAfter < TimeSpan.Zero)
            failures.Add("Rtk:RetryBaseDelay and Rtk:MaxRetryAfter must not be negative.");
        if (o.CircuitFailureRatio is <= 0 or > 1) failures.Add("Rtk:CircuitFailureRatio must be in (0, 1].");
        if (o.CircuitMinimumThroughput < 2) failures.Add("Rtk:CircuitMinimumThroughput must be at least 2.");
        if (o.CircuitSamplingDuration < TimeSpan.FromMilliseconds(500) || o.CircuitBreakDuration < TimeSpan.FromMilliseconds(500))
            failures.Add("Rtk:CircuitSamplingDuration and Rtk:CircuitBreakDuration must be at least 500 ms.");
        if (o.WebhookPublicKeyCacheDuration <= TimeSpan.Zero) failures.Add("Rtk:WebhookPublicKeyCacheDuration must be positive.");
        if (o.WebhookMaxBodyBytes <= 0) failures.Add("Rtk:WebhookMaxBodyBytes must be positive.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
