using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Diagnostics.Investigate;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Diagnostics;

/// <summary>Live meetings, and for "my meeting was laggy", "I couldn't join": one meeting, everything Castio and RTK know about it, and verdicts.</summary>
[Tags("Diagnostics"), RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User), Requires(Permission.ViewAnyAnalytics)]
public sealed class InvestigateFunctions(InvestigateService investigate, ActiveMeetings active)
{
    [Function("Diagnostics_ActiveMeetings"), EndpointSummary("Meetings live right now (RTK's LIVE sessions) with their participant counts")]
    public async Task<Results<Ok<ActiveMeetingList>, ValidationProblem, ProblemHttpResult>> ActiveMeetings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/diagnostics/active-meetings")] HttpRequest req, CancellationToken cancellationToken) =>
        (await active.ListAsync(req.Caller(), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Diagnostics_Investigate"), EndpointSummary("Sessions, participants (join/leave, device, network, quality, TURN), token issuance, webhook history and verdicts of one meeting")]
    public async Task<Results<Ok<InvestigationReport>, ValidationProblem, ProblemHttpResult>> Investigate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/diagnostics/meetings/{meetingId:guid}/investigate")] HttpRequest req, Guid meetingId,
        CancellationToken cancellationToken) =>
        (await investigate.InvestigateAsync(req.Caller(), meetingId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
}
