using Castio.Core.Webhooks;
using Castio.Functions.Http;
using Castio.Functions.PostMeeting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Castio.Functions.Webhooks;

/// <summary>
/// RTK's webhook receiver. Anonymous, but nothing happens before the RSA signature over the raw body checks out.
/// RTK retries only 5xx, so a 4xx goes only to what must not come again (bad signature, unreadable body).
/// </summary>
[Tags("Webhooks")]
public sealed class WebhookFunctions(RtkWebhookVerifier verifier, WebhookService webhooks, PostMeetingStarter starter)
{
    [Function("Webhooks_Rtk"), Anonymous, EndpointSummary("Receive an RTK webhook (rtk-signature verified; recorded, deduplicated, applied)")]
    [Consumes(typeof(RtkWebhookPayload), "application/json")]
    [ProducesResponseType<WebhookAck>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status500InternalServerError, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public async Task<Results<Ok<WebhookAck>, ProblemHttpResult>> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/rtk")] HttpRequest req,
        [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var delivery = await verifier.ReadAndVerifyAsync(req, cancellationToken);
        if (!delivery.Verification.IsValid)
            return TypedResults.Problem(delivery.Verification.ToProblemDetails());
        var receipt = await webhooks.ReceiveAsync(delivery.Body, delivery.DeliveryId, delivery.WebhookId, cancellationToken);
        if (receipt.Wake is { } session)
            starter.WakeInBackground(durable, session);
        return receipt.StatusCode == StatusCodes.Status200OK
            ? TypedResults.Ok(new WebhookAck(receipt.DeliveryId, receipt.Status, receipt.ErrorCode))
            : Problems.Problem(receipt.StatusCode, receipt.ErrorCode ?? WebhookService.ApplyFailed, "Webhook not processed", receipt.Detail);
    }
}

/// <summary>What RTK is answered: the ledger row and its status (processed, duplicate, or failed for an unknown meeting).</summary>
public sealed record WebhookAck(Guid? DeliveryId, string Status, string? Code);
