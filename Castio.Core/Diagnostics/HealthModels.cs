namespace Castio.Core.Diagnostics;

public static class HealthStatus
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Unhealthy = "unhealthy";

    /// <summary>A probe that cannot run because its dependency is not set up (RealtimeKit without credentials).</summary>
    public const string NotConfigured = "not_configured";

    /// <summary>Slower than this is degraded.</summary>
    public static readonly TimeSpan DegradedAfter = TimeSpan.FromSeconds(2);

    public static int Severity(string status) => status switch
    {
        Healthy => 0,
        Degraded => 1,
        NotConfigured => 1,
        _ => 2,
    };

    public static bool NeedsAttention(string status) => status is Degraded or Unhealthy;
}

public static class CheckTypes
{
    /// <summary>The timer's deployment-wide check.</summary>
    public const string Scheduled = "scheduled";

    /// <summary>An owner or admin asked (<c>GET /api/diagnostics/health</c>).</summary>
    public const string Manual = "manual";

    /// <summary>The record of one phone-home report: what was sent and what came of it.</summary>
    public const string PhoneHome = "phone_home";
}

public static class ProbeNames
{
    public const string Table = "table";
    public const string Blob = "blob";
    public const string Queue = "queue";
    public const string Rtk = "rtk";
}

/// <summary>One probe: its status, how long it took, and what went wrong (redacted: status and error codes, never a message).</summary>
public sealed record ProbeResult(string Name, string Status, long LatencyMs, string? Error);

/// <summary>Something to look at that no single probe shows, e.g. a high webhook failure rate.</summary>
public sealed record HealthWarning(string Code, string Detail);

/// <summary>Webhook deliveries over the trailing window, and how many failed.</summary>
public sealed record WebhookFailureRate(int Deliveries, int Failed, DateTimeOffset Since)
{
    public double Rate => Deliveries == 0 ? 0 : (double)Failed / Deliveries;
}

/// <summary>What a phone-home send did: <c>delivered</c>, <c>failed</c> or <c>not_configured</c>, and the exact report.</summary>
public sealed record PhoneHomeDelivery(string Outcome, int? HttpStatus, string? Error, PhoneHomeReport Report);

/// <summary>
/// One stored health check. <paramref name="Scope"/> is <c>deployment</c> for the timer's checks (shared
/// storage and RealtimeKit) or <c>org</c> for the org's own manual checks and phone-home records.
/// </summary>
public sealed record HealthSnapshot(
    Guid Id,
    string Scope,
    string CheckType,
    string Status,
    DateTimeOffset CheckedAt,
    IReadOnlyList<ProbeResult> Probes,
    IReadOnlyList<HealthWarning> Warnings,
    WebhookFailureRate? Webhooks,
    PhoneHomeDelivery? PhoneHome);

public sealed record HealthSnapshotPage(IReadOnlyList<HealthSnapshot> Snapshots, string? NextCursor);

/// <summary>
/// Exactly what leaves the deployment: the org id hashed, statuses, latencies and counts. No names,
/// e-mails, addresses, meeting content or error text.
/// </summary>
public sealed record PhoneHomeReport(
    string Kind,
    string OrgHash,
    DateTimeOffset Timestamp,
    string Version,
    string? Status = null,
    string? CheckType = null,
    IReadOnlyList<PhoneHomeProbe>? Probes = null,
    IReadOnlyList<string>? Warnings = null,
    int? WebhookDeliveries = null,
    int? WebhookFailures = null,
    string? Severity = null,
    string? Component = null,
    string? ErrorType = null);

public sealed record PhoneHomeProbe(string Name, string Status, long LatencyMs);

public static class PhoneHomeKinds
{
    /// <summary>A health check's result (degraded or unhealthy, or sent on request).</summary>
    public const string Health = "health";

    /// <summary>A fatal error in a component.</summary>
    public const string Alert = "alert";
}

/// <summary>An org's diagnostics settings.</summary>
public sealed record DiagnosticsSettings(bool PhoneHomeEnabled, bool PhoneHomeEndpointConfigured, int ArtefactRetentionDays);

/// <summary>A partial update: null leaves a field as it is.</summary>
public sealed record DiagnosticsSettingsPatch(bool? PhoneHomeEnabled = null, int? ArtefactRetentionDays = null);
