using System.ComponentModel;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Invites;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Invites;

/// <summary>Meeting invites (the meeting's host, owners and admins) and the invitee's answers and list.</summary>
[Tags("Invites"), RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User)]
public sealed class InvitesFunctions(InviteService invites)
{
    [Function("Invites_Create"), Requires(Permission.EditOwnMeeting)]
    [EndpointSummary("Invite users of the organization by id, or anyone by e-mail; people already invited are listed apart and left as they were")]
    [Consumes(typeof(CreateInvitesRequest), "application/json")]
    public async Task<Results<Ok<InviteBatch>, ValidationProblem, ProblemHttpResult>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{id:guid}/invites")] HttpRequest req, Guid id, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<CreateInvitesRequest>(cancellationToken);
        return (await invites.InviteAsync(req.Caller(), id, new InviteCommand(request.UserIds, request.Emails), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
    }

    [Function("Invites_List"), Requires(Permission.EditOwnMeeting), EndpointSummary("The meeting's invites with their answers, a page at a time")]
    public async Task<Results<Ok<InvitePage>, ValidationProblem, ProblemHttpResult>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{id:guid}/invites")] HttpRequest req, Guid id,
        [Description("Cursor from the previous page's nextCursor.")] string? cursor,
        [Description("Page size, 1 to 100 (default 50).")] string? limit,
        CancellationToken cancellationToken) =>
        (await invites.ListAsync(req.Caller(), id, cursor, QueryValue.Int(limit), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Invites_Rsvp"), SignedIn, EndpointSummary("Answer an invite of yours: accepted, declined or tentative")]
    [Consumes(typeof(RsvpRequest), "application/json")]
    public async Task<Results<Ok<InviteView>, ValidationProblem, ProblemHttpResult>> Rsvp(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/invites/{inviteId:guid}/rsvp")] HttpRequest req, Guid inviteId, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<RsvpRequest>(cancellationToken);
        return (await invites.RsvpAsync(req.Caller(), inviteId, request.Response, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
    }

    [Function("Invites_Mine"), SignedIn, EndpointSummary("Your invites (by your user id and your e-mail), oldest first, with their meetings")]
    public async Task<Results<Ok<MyInvitePage>, ValidationProblem, ProblemHttpResult>> Mine(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/me/invites")] HttpRequest req,
        [Description("Cursor from the previous page's nextCursor.")] string? cursor,
        [Description("Page size, 1 to 100 (default 50).")] string? limit,
        CancellationToken cancellationToken) =>
        (await invites.ListMineAsync(req.Caller(), cursor, QueryValue.Int(limit), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
}

public sealed record CreateInvitesRequest(IReadOnlyList<string?>? UserIds, IReadOnlyList<string?>? Emails);

public sealed record RsvpRequest(string? Response);
