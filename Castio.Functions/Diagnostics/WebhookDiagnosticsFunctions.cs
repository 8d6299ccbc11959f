using System.ComponentModel;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Diagnostics.Investigate;
using Castio.Functions.Http;
using Castio.Functions.PostMeeting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Castio.Functions.Diagnostics;

/// <summary>The webhook delivery ledger for owners and admins: list, one delivery, replay.</summary>
[Tags("Diagnostics"), RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User), Requires(Permission.ViewAnyAnalytics)]
public sealed class WebhookDiagnosticsFunctions(WebhookDiagnostics diagnostics, PostMeetingStarter starter)
{
    [Function("Diagnostics_ListWebhooks"), EndpointSummary("Webhook deliveries, newest first (default the last 7 days; a window of at most 31)")]
    public async Task<Results<Ok<WebhookDeliveryPage>, ValidationProblem, ProblemHttpResult>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/diagnostics/webhooks")] HttpRequest req,
        [Description("received, processing, processed, failed or duplicate.")] string? status,
        [Description("RTK event name, e.g. meeting.participantJoined.")] string? @event,
        [Description("Only deliveries of this meeting.")] string? meetingId,
        [Description("Oldest receipt time (ISO 8601).")] string? since,
        [Description("Newest receipt time (ISO 8601, default now).")] string? until,
        [Description("The previous page's continuation.")] string? continuation,
        [Description("Page size, 1 to 200 (default 50).")] string? limit,
        CancellationToken cancellationToken) =>
        (await diagnostics.ListAsync(req.Caller(), status, @event, meetingId, since, until, continuation, QueryValue.Int(limit), cancellationToken))
            .ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Diagnostics_GetWebhook"), EndpointSummary("One webhook delivery (without its body)")]
    public async Task<Results<Ok<WebhookDeliveryView>, ValidationProblem, ProblemHttpResult>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/diagnostics/webhooks/{deliveryId:guid}")] HttpRequest req, Guid deliveryId,
        CancellationToken cancellationToken) =>
        (await diagnostics.GetAsync(req.Caller(), deliveryId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Diagnostics_ReplayWebhook"), EndpointSummary("Apply a recorded delivery again, with the same dedupe rules")]
    public async Task<Results<Ok<WebhookReplayResult>, ValidationProblem, ProblemHttpResult>> Replay(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/diagnostics/webhooks/{deliveryId:guid}/replay")] HttpRequest req, Guid deliveryId,
        [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var outcome = await diagnostics.ReplayAsync(req.Caller(), deliveryId, cancellationToken);
        if (outcome.Succeeded && outcome.Value.Receipt.Wake is { } session)
            await starter.WakeAsync(durable, session, cancellationToken);
        return outcome.ToResult(r => TypedResults.Ok(r.Result), req.HttpContext);
    }
}
