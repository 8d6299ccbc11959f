using Azure.Data.Tables;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Diagnostics;

/// <summary>
/// Health checks: the timer's deployment-wide check and an org's own on-demand check, both stored as
/// snapshots; a degraded or unhealthy result is phoned home for each org that allows it.
/// </summary>
public sealed partial class HealthService(
    HealthProbes probes,
    HealthSnapshotStore snapshots,
    WebhookHealth webhooks,
    OrgStore orgs,
    ActiveOrgs activeOrgs,
    PhoneHome phoneHome,
    TimeProvider time,
    ILogger<HealthService> logger)
{
    /// <summary>The timer's check: shared storage and RealtimeKit at account level, stored under the deployment.</summary>
    public async Task<HealthSnapshot> RunScheduledAsync(CancellationToken cancellationToken)
    {
        var snapshot = await CheckAsync(CheckTypes.Scheduled, null, null, cancellationToken);
        await TryStoreAsync(null, snapshot, cancellationToken);
        LogChecked(logger, snapshot.CheckType, snapshot.Status);
        if (HealthStatus.NeedsAttention(snapshot.Status))
        {
            try
            {
                // Every org that has not switched phone-home off hears about the shared infrastructure; the sender checks each switch.
                await foreach (var orgId in activeOrgs.ListAsync(cancellationToken))
                {
                    phoneHome.TryQueue(orgId, PhoneHome.HealthReport(orgId, snapshot, time.GetUtcNow()));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogStorageFailed(logger, "list orgs", e);
            }
        }

        return snapshot;
    }

    /// <summary>An owner's or admin's check, RealtimeKit through the org's own app, stored under the org.</summary>
    public async Task<Outcome<HealthSnapshot>> CheckOrgAsync(Guid orgId, CancellationToken cancellationToken)
    {
        var org = await orgs.GetAsync(orgId, cancellationToken);
        if (org is null)
        {
            return new Error(ErrorKind.NotFound, DiagnosticsErrors.OrgNotFound, "The organization does not exist.");
        }

        var snapshot = await CheckAsync(CheckTypes.Manual, orgId, org.RtkAppId, cancellationToken);
        await TryStoreAsync(orgId, snapshot, cancellationToken);
        if (HealthStatus.NeedsAttention(snapshot.Status) && org.PhoneHomeEnabled)
        {
            phoneHome.TryQueue(orgId, PhoneHome.HealthReport(orgId, snapshot, time.GetUtcNow()));
        }

        return snapshot;
    }

    /// <summary>"Send now": a fresh check, phoned home whatever its status.</summary>
    public async Task<Outcome<PhoneHomeReport>> PhoneHomeNowAsync(Guid orgId, CancellationToken cancellationToken)
    {
        var org = await orgs.GetAsync(orgId, cancellationToken);
        if (org is null)
        {
            return new Error(ErrorKind.NotFound, DiagnosticsErrors.OrgNotFound, "The organization does not exist.");
        }

        if (!org.PhoneHomeEnabled)
        {
            return new Error(ErrorKind.Conflict, DiagnosticsErrors.PhoneHomeDisabled, "Phone-home is switched off for this organization (PATCH /api/diagnostics/settings).");
        }

        var snapshot = await CheckAsync(CheckTypes.Manual, orgId, org.RtkAppId, cancellationToken);
        await TryStoreAsync(orgId, snapshot, cancellationToken);
        var report = PhoneHome.HealthReport(orgId, snapshot, time.GetUtcNow());
        phoneHome.TryQueue(orgId, report);
        return report;
    }

    public async Task<Outcome<HealthSnapshotPage>> ListAsync(Guid orgId, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Check(cursor, HealthSnapshotStore.IsCursor, limit, HealthSnapshotStore.MaxPageSize);

        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        return await snapshots.ListAsync(orgId, string.IsNullOrEmpty(cursor) ? null : cursor, limit ?? 20, cancellationToken);
    }

    private async Task<HealthSnapshot> CheckAsync(string checkType, Guid? orgId, string? rtkAppId, CancellationToken cancellationToken)
    {
        var checkedAt = time.GetUtcNow();
        var probing = probes.RunAsync(rtkAppId, cancellationToken);
        WebhookFailureRate? rate = null;
        try
        {
            rate = await webhooks.FailureRateAsync(orgId, checkedAt, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The table probe reports the storage failure; the rate is simply unknown this time.
            LogStorageFailed(logger, "count webhook deliveries", e);
        }

        var results = await probing;
        var warnings = new List<HealthWarning>();
        if (rate is not null && WebhookHealth.IsAlarming(rate))
        {
            warnings.Add(new HealthWarning(
                WebhookHealth.FailureRateWarning,
                $"{rate.Failed} of {rate.Deliveries} webhook deliveries failed in the last {WebhookHealth.Window.TotalMinutes:0} minutes (over {WebhookHealth.AlarmRate:P0})."));
            LogWebhookFailureRate(logger, rate.Failed, rate.Deliveries);
        }

        if (results.FirstOrDefault(p => p.Status == HealthStatus.NotConfigured) is { } missing)
        {
            warnings.Add(new HealthWarning("rtk.not_configured", missing.Error ?? "RealtimeKit is not configured."));
        }

        var worst = results.Select(p => HealthStatus.Severity(p.Status)).Append(warnings.Count > 0 ? 1 : 0).Max();
        var status = worst switch { 0 => HealthStatus.Healthy, 1 => HealthStatus.Degraded, _ => HealthStatus.Unhealthy };
        return new HealthSnapshot(Guid.CreateVersion7(checkedAt), checkType == CheckTypes.Scheduled ? "deployment" : "org",
            checkType, status, checkedAt, results, warnings, rate, null);
    }

    /// <summary>A check still answers when storage is what failed; the snapshot is then only logged.</summary>
    private async Task TryStoreAsync(Guid? orgId, HealthSnapshot snapshot, CancellationToken cancellationToken)
    {
        try
        {
            await snapshots.AddAsync(orgId, snapshot, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStorageFailed(logger, "store the snapshot", e);
        }
    }

    [LoggerMessage(EventId = 4512, Level = LogLevel.Warning, Message = "Health check could not {Step}")]
    private static partial void LogStorageFailed(ILogger logger, string step, Exception exception);

    [LoggerMessage(EventId = 4510, Level = LogLevel.Information, Message = "Health check ({CheckType}): {Status}")]
    private static partial void LogChecked(ILogger logger, string checkType, string status);

    [LoggerMessage(EventId = 4511, Level = LogLevel.Warning, Message = "Webhook failure rate is high: {Failed} of {Deliveries} deliveries failed in the last 15 minutes")]
    private static partial void LogWebhookFailureRate(ILogger logger, int failed, int deliveries);
}

/// <summary>
/// The orgs a deployment-wide report concerns: active orgs from the slug index (one row per org, so the
/// read grows with the number of orgs, and happens only when a scheduled check needs attention).
/// </summary>
public sealed class ActiveOrgs(TableServiceClient tables, string namePrefix = "")
{
    private readonly TableClient _slugs = tables.GetTableClient(namePrefix + OrgStore.SlugsTable);

    public async IAsyncEnumerable<Guid> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"State eq {OrgSlugEntity.Active}");
        var seen = new HashSet<Guid>();
        await using var rows = _slugs.QueryAsync<OrgSlugEntity>(filter, select: ["OrgId"], cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await rows.MoveNextAsync())
                {
                    break;
                }
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
                break;
            }

            if (Guid.TryParse(rows.Current.OrgId, out var id) && seen.Add(id))
            {
                yield return id;
            }
        }
    }
}
