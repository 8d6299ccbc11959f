using Castio.Core.Abuse;
using Castio.Core.Scheduling;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Scheduling;

/// <summary>Recurrence preview, the org's schedule, and one occurrence's override or cancellation.</summary>
[Tags("Scheduling"), RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User)]
public sealed class ScheduleFunctions
{
    [Function("Schedule_Preview"), SignedIn, EndpointSummary("Expand an RRULE from a local dtstart in an IANA time zone (limit 1–500, default 50)")]
    [Consumes(typeof(SchedulePreviewRequest), "application/json")]
    public async Task<Results<Ok<SchedulePreviewResult>, ValidationProblem, ProblemHttpResult>> Preview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/schedule/preview")] HttpRequest req, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<SchedulePreviewRequest>(cancellationToken);
        return SchedulePreview.Run(request).ToResult(TypedResults.Ok, req.HttpContext);
    }
}
