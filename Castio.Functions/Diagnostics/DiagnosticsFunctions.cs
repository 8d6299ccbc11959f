using System.ComponentModel;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Diagnostics;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Diagnostics;

/// <summary>Health checks and their snapshots (owner, admin), diagnostics settings and phone-home (owner).</summary>
[Tags("Diagnostics"), RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User)]
public sealed class DiagnosticsFunctions(HealthService health, DiagnosticsSettingsService settings)
{
    [Function("Diagnostics_Health"), Requires(Permission.ViewDiagnostics)]
    [EndpointSummary("Run the health probes now (Table, Blob, Queue, RealtimeKit through the org's app) and store the snapshot")]
    public async Task<Results<Ok<HealthSnapshot>, ValidationProblem, ProblemHttpResult>> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/diagnostics/health")] HttpRequest req, CancellationToken cancellationToken) =>
        (await health.CheckOrgAsync(req.Caller().OrgId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Diagnostics_HealthSnapshots"), Requires(Permission.ViewDiagnostics)]
    [EndpointSummary("Stored health snapshots, newest first: the deployment's scheduled checks and the org's own checks and phone-home records")]
    public async Task<Results<Ok<HealthSnapshotPage>, ValidationProblem, ProblemHttpResult>> Snapshots(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/diagnostics/health/snapshots")] HttpRequest req,
        [Description("Cursor from the previous page's nextCursor.")] string? cursor,
        [Description("Page size, 1 to 100 (default 20).")] string? limit,
        CancellationToken cancellationToken) =>
        (await health.ListAsync(req.Caller().OrgId, cursor, QueryValue.Int(limit), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Diagnostics_GetSettings"), Requires(Permission.ViewDiagnostics), EndpointSummary("The org's diagnostics settings")]
    public async Task<Results<Ok<DiagnosticsSettings>, ValidationProblem, ProblemHttpResult>> GetSettings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/diagnostics/settings")] HttpRequest req, CancellationToken cancellationToken) =>
        (await settings.GetAsync(req.Caller().OrgId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Diagnostics_UpdateSettings"), Requires(Permission.ManageDiagnostics)]
    [EndpointSummary("Switch phone-home on or off, set how long meeting artefacts are kept; omitted fields stay as they are")]
    [Consumes(typeof(DiagnosticsSettingsPatch), "application/json")]
    public async Task<Results<Ok<DiagnosticsSettings>, ValidationProblem, ProblemHttpResult>> UpdateSettings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/diagnostics/settings")] HttpRequest req, CancellationToken cancellationToken)
    {
        var patch = await req.ReadJsonAsync<DiagnosticsSettingsPatch>(cancellationToken);
        return (await settings.UpdateAsync(req.Caller().OrgId, patch, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
    }

    [Function("Diagnostics_PhoneHome"), Requires(Permission.ManageDiagnostics)]
    [EndpointSummary("Run a health check and phone the result home now; answers with the exact report queued")]
    public async Task<Results<Accepted<PhoneHomeReport>, ValidationProblem, ProblemHttpResult>> PhoneHomeNow(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/diagnostics/phone-home")] HttpRequest req, CancellationToken cancellationToken) =>
        (await health.PhoneHomeNowAsync(req.Caller().OrgId, cancellationToken)).ToResult(r => TypedResults.Accepted((string?)null, r), req.HttpContext);
}

public sealed class DiagnosticsTimers(HealthService health)
{
    /// <summary>Every 5 minutes: the deployment-wide health check; degraded or unhealthy is phoned home for each org that allows it.</summary>
    [Function("Diagnostics_HealthCheck")]
    public Task Run([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken cancellationToken) => health.RunScheduledAsync(cancellationToken);
}
