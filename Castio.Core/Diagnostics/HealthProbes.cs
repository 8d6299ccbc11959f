using System.Diagnostics;
using System.Net.Http;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Castio.Core.Rtk;
using Castio.Core.Storage;
using Microsoft.Extensions.Options;

namespace Castio.Core.Diagnostics;

/// <summary>
/// The probes of a health check, run in parallel: one cheap call each to Table, Blob and Queue storage
/// (through the app's own clients, so they exercise its identity and permissions) and one authenticated
/// GET to RealtimeKit. Each ends healthy, degraded (slower than <see cref="HealthStatus.DegradedAfter"/>)
/// or unhealthy (an error, or <see cref="DiagnosticsOptions.ProbeTimeout"/> passed).
/// </summary>
public sealed class HealthProbes(
    TableServiceClient tables,
    BlobServiceClient blobs,
    QueueServiceClient queues,
    RtkClient rtk,
    IOptions<RtkOptions> rtkOptions,
    IOptions<StorageOptions> storage,
    IOptions<DiagnosticsOptions> options)
{
    /// <summary>Names nothing that exists: a not-found answer proves the service is reachable and lets us in.</summary>
    public const string ProbeName = "healthprobe";

    /// <summary>Runs every probe; <paramref name="rtkAppId"/> is the org's RealtimeKit app, or null for an account-level call.</summary>
    public async Task<IReadOnlyList<ProbeResult>> RunAsync(string? rtkAppId, CancellationToken cancellationToken)
    {
        var prefix = storage.Value.NamePrefix;
        var results = await Task.WhenAll(
            ProbeAsync(ProbeNames.Table, async ct =>
            {
                try
                {
                    await tables.GetTableClient(prefix + ProbeName).GetEntityIfExistsAsync<TableEntity>(ProbeName, ProbeName, ["PartitionKey"], ct);
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                }
            }, cancellationToken),
            ProbeAsync(ProbeNames.Blob, ct => blobs.GetBlobContainerClient(prefix + ProbeName).ExistsAsync(ct), cancellationToken),
            ProbeAsync(ProbeNames.Queue, ct => queues.GetQueueClient(prefix + ProbeName).ExistsAsync(ct), cancellationToken),
            RtkAsync(rtkAppId, cancellationToken));
        return results;
    }

    private Task<ProbeResult> RtkAsync(string? appId, CancellationToken cancellationToken)
    {
        if (!rtkOptions.Value.IsConfigured())
        {
            return Task.FromResult(new ProbeResult(ProbeNames.Rtk, HealthStatus.NotConfigured, 0, "RealtimeKit is not configured (Rtk__AccountId, Rtk__ApiToken)."));
        }

        appId = string.IsNullOrEmpty(appId) ? rtkOptions.Value.AppId : appId;
        return ProbeAsync(ProbeNames.Rtk, string.IsNullOrEmpty(appId)
            ? ct => rtk.Apps.ListAsync(new RtkPageRequest(1, 1), cancellationToken: ct)
            : ct => rtk.Meetings.ListAsync(appId, new RtkMeetingListQuery { PageNo = 1, PerPage = 1 }, ct), cancellationToken);
    }

    private async Task<ProbeResult> ProbeAsync(string name, Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        var timeout = options.Value.ProbeTimeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        // Latency is wall-clock time, whatever clock the app runs on.
        var started = Stopwatch.GetTimestamp();
        try
        {
            await call(limit.Token);
            var elapsed = Stopwatch.GetElapsedTime(started);
            return new ProbeResult(name, elapsed > HealthStatus.DegradedAfter ? HealthStatus.Degraded : HealthStatus.Healthy, (long)elapsed.TotalMilliseconds, null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var error = limit.IsCancellationRequested ? $"No answer within {timeout.TotalSeconds:0.#} s." : Describe(e);
            return new ProbeResult(name, HealthStatus.Unhealthy, (long)elapsed.TotalMilliseconds, error);
        }
    }

    /// <summary>What failed, from status and error codes only: exception messages can carry URLs, account names or keys.</summary>
    public static string Describe(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: > 0 } a => Describe(a.InnerExceptions[^1]),
        RequestFailedException { Status: 0 } r => "No answer from storage" + (r.InnerException is HttpRequestException h ? $" ({h.HttpRequestError})." : "."),
        RequestFailedException r => $"Storage answered {r.Status}" + (string.IsNullOrEmpty(r.ErrorCode) ? "." : $" ({r.ErrorCode})."),
        RtkException { Status: null } => "No answer from RealtimeKit.",
        RtkException r => $"RealtimeKit answered {(int)r.Status!.Value}" + (r.ErrorCode is { } code ? $" (code {code})." : "."),
        HttpRequestException h => $"Connection failed ({h.HttpRequestError}).",
        OperationCanceledException or TimeoutException => "Timed out.",
        _ => "Failed (" + e.GetType().Name + ").",
    };
}
