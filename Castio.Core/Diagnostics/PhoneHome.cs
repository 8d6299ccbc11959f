using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Castio.Core.Orgs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Castio.Core.Diagnostics;

/// <summary>
/// Vendor phone-home. Callers queue a report and go on (<see cref="TryQueue"/> does no I/O, so no request
/// waits on it); a background loop checks the org's switch at send time (switching it off stops what is
/// still queued), POSTs the report to <see cref="DiagnosticsOptions.PhoneHomeEndpoint"/>, logs the outcome
/// and records it, report included, as a <c>phone_home</c> snapshot the org can list. Failures are logged, never thrown.
/// </summary>
public sealed partial class PhoneHome(
    IHttpClientFactory httpClients,
    IOptions<DiagnosticsOptions> options,
    OrgStore orgs,
    HealthSnapshotStore snapshots,
    TimeProvider time,
    ILogger<PhoneHome> logger) : BackgroundService
{
    public const string HttpClientName = "castio-phone-home";
    private const int QueueCapacity = 256;

    private readonly Channel<(Guid OrgId, PhoneHomeReport Report)> _queue = Channel.CreateBounded<(Guid, PhoneHomeReport)>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public static string Version { get; } =
        (typeof(PhoneHome).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>The only form of the org id that leaves: SHA-256 of its canonical text, lowercase hex.</summary>
    public static string HashOrg(Guid orgId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(orgId.ToString("D"))));

    public static PhoneHomeReport HealthReport(Guid orgId, HealthSnapshot snapshot, DateTimeOffset now) => new(
        Kind: PhoneHomeKinds.Health,
        OrgHash: HashOrg(orgId),
        Timestamp: now,
        Version: Version,
        Status: snapshot.Status,
        CheckType: snapshot.CheckType,
        Probes: [.. snapshot.Probes.Select(p => new PhoneHomeProbe(p.Name, p.Status, p.LatencyMs))],
        Warnings: [.. snapshot.Warnings.Select(w => w.Code)],
        WebhookDeliveries: snapshot.Webhooks?.Deliveries,
        WebhookFailures: snapshot.Webhooks?.Failed);

    /// <summary>A fatal error: the component and the exception's type name only, never its message.</summary>
    public static PhoneHomeReport AlertReport(Guid orgId, string component, string errorType, DateTimeOffset now) => new(
        Kind: PhoneHomeKinds.Alert,
        OrgHash: HashOrg(orgId),
        Timestamp: now,
        Version: Version,
        Severity: "fatal",
        Component: component,
        ErrorType: errorType);

    /// <summary>Queues a report without waiting; false when the queue is full (the report is dropped and logged).</summary>
    public bool TryQueue(Guid orgId, PhoneHomeReport report)
    {
        if (_queue.Writer.TryWrite((orgId, report)))
        {
            return true;
        }

        LogDropped(logger, report.Kind, report.OrgHash);
        return false;
    }

    /// <summary>Queues an alert for a fatal error in <paramref name="component"/> (for the error-capture pipeline).</summary>
    public bool TryQueueFatal(Guid orgId, string component, Exception exception) =>
        TryQueue(orgId, AlertReport(orgId, component, exception.GetType().Name, time.GetUtcNow()));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (orgId, report) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await SendAsync(orgId, report, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, report.Kind, report.OrgHash, e);
            }
        }
    }

    /// <summary>Sends one report now, if the org still allows it, and records what happened.</summary>
    public async Task<PhoneHomeDelivery?> SendAsync(Guid orgId, PhoneHomeReport report, CancellationToken cancellationToken)
    {
        var org = await orgs.GetAsync(orgId, cancellationToken);
        if (org is not { PhoneHomeEnabled: true })
        {
            LogSkipped(logger, report.Kind, report.OrgHash);
            return null;
        }

        var delivery = await PostAsync(report, cancellationToken);
        LogSent(logger, report.Kind, report.OrgHash, delivery.Outcome, delivery.HttpStatus);
        await snapshots.AddAsync(orgId, new HealthSnapshot(
            Guid.CreateVersion7(time.GetUtcNow()),
            "org",
            CheckTypes.PhoneHome,
            report.Status ?? HealthStatus.Unhealthy,
            time.GetUtcNow(),
            [],
            [],
            null,
            delivery), cancellationToken);
        return delivery;
    }

    private async Task<PhoneHomeDelivery> PostAsync(PhoneHomeReport report, CancellationToken cancellationToken)
    {
        var endpoint = options.Value.PhoneHomeEndpoint;
        if (string.IsNullOrEmpty(endpoint))
        {
            return new PhoneHomeDelivery(PhoneHomeOutcomes.NotConfigured, null, null, report);
        }

        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).PostAsJsonAsync(endpoint, report, DiagnosticsJsonContext.Default.PhoneHomeReport, cancellationToken);
            return new PhoneHomeDelivery(
                response.IsSuccessStatusCode ? PhoneHomeOutcomes.Delivered : PhoneHomeOutcomes.Failed, (int)response.StatusCode, null, report);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new PhoneHomeDelivery(PhoneHomeOutcomes.Failed, null, HealthProbes.Describe(e), report);
        }
    }

    [LoggerMessage(EventId = 4500, Level = LogLevel.Information, Message = "Phone-home {Kind} report for org {OrgHash}: {Outcome} (HTTP {Status})")]
    private static partial void LogSent(ILogger logger, string kind, string orgHash, string outcome, int? status);

    [LoggerMessage(EventId = 4501, Level = LogLevel.Information, Message = "Phone-home {Kind} report for org {OrgHash} not sent: the org has phone-home switched off")]
    private static partial void LogSkipped(ILogger logger, string kind, string orgHash);

    [LoggerMessage(EventId = 4502, Level = LogLevel.Warning, Message = "Phone-home {Kind} report for org {OrgHash} dropped: the send queue is full")]
    private static partial void LogDropped(ILogger logger, string kind, string orgHash);

    [LoggerMessage(EventId = 4503, Level = LogLevel.Warning, Message = "Phone-home {Kind} report for org {OrgHash} failed")]
    private static partial void LogFailed(ILogger logger, string kind, string orgHash, Exception exception);
}

public static class PhoneHomeOutcomes
{
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    /// <summary>No <see cref="DiagnosticsOptions.PhoneHomeEndpoint"/>: nothing left the deployment.</summary>
    public const string NotConfigured = "not_configured";
}
