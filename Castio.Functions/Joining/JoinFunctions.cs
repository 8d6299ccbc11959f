using Castio.Core.Abuse;
using Castio.Core.Common;
using Castio.Core.Joining;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Joining;

/// <summary>Joining a meeting: members with their access token, guests by meeting link.</summary>
[Tags("Joining")]
public sealed class JoinFunctions(JoinService joins, ClientAddress addresses)
{
    [Function("Joining_Join"), SignedIn, RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User)]
    [EndpointSummary("Join a meeting: the RTK token, meeting and preset to start the client SDK with (who may join: see README, Joining a meeting)")]
    public async Task<Results<Ok<JoinResult>, ValidationProblem, ProblemHttpResult>> Join(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{id}/join")] HttpRequest req, string id, CancellationToken cancellationToken) =>
        MeetingId(id) is not { } meetingId
            ? BadId()
            : (await joins.JoinAsync(req.Caller(), meetingId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Joining_GuestJoin"), Anonymous, RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.ClientAddress)]
    [EndpointSummary("Join a meeting as a guest (display name, optional e-mail); send the guest token back to rejoin")]
    [Consumes(typeof(GuestJoinRequest), "application/json")]
    public async Task<Results<Ok<GuestJoinResult>, ValidationProblem, ProblemHttpResult>> GuestJoin(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{id}/guest-join")] HttpRequest req, string id, CancellationToken cancellationToken)
    {
        if (MeetingId(id) is not { } meetingId)
        {
            return BadId();
        }

        var request = await req.ReadJsonAsync<GuestJoinRequest>(cancellationToken);
        return (await joins.GuestJoinAsync(meetingId, request, addresses.Resolve(req.HttpContext), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
    }

    private static Guid? MeetingId(string id) => Guid.TryParse(id, out var meetingId) ? meetingId : null;

    private static ValidationProblem BadId() =>
        Problems.Validation(new FieldErrors().Add("id", "The meeting id must be a UUID.").ToDictionary());
}
