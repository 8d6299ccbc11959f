using System.ComponentModel;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Users;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Users;

/// <summary>The org's users; every route needs "manage users" (owner, admin).</summary>
[Tags("Users"), Requires(Permission.ManageUsers), RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User)]
public sealed class UsersFunctions(UserService users)
{
    [Function("Users_List"), EndpointSummary("List the organization's users, oldest first, a page at a time")]
    public async Task<Results<Ok<UserPage>, ValidationProblem, ProblemHttpResult>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/users")] HttpRequest req,
        [Description("Cursor from the previous page's nextCursor.")] string? cursor,
        [Description("Page size, 1 to 100 (default 50).")] string? limit,
        CancellationToken cancellationToken) =>
        (await users.ListAsync(req.Caller(), cursor, QueryValue.Int(limit), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Users_Invite"), EndpointSummary("Invite a user with a role; returns a one-time invite token"), Consumes(typeof(InviteUserRequest), "application/json")]
    public async Task<Results<Created<InvitedUserResponse>, ValidationProblem, ProblemHttpResult>> Invite(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/users")] HttpRequest req, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<InviteUserRequest>(cancellationToken);
        return (await users.InviteAsync(req.Caller(), new InviteCommand(request.Email, request.Name, request.Role), cancellationToken))
            .ToResult(i => TypedResults.Created($"/api/users/{i.User.Id}", InvitedUserResponse.From(i)), req.HttpContext);
    }

    [Function("Users_Update"), EndpointSummary("Change a user's name or role"), Consumes(typeof(UpdateUserRequest), "application/json")]
    public async Task<Results<Ok<UserView>, ValidationProblem, ProblemHttpResult>> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/users/{userId:guid}")] HttpRequest req, Guid userId, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<UpdateUserRequest>(cancellationToken);
        return (await users.UpdateAsync(req.Caller(), userId, new UserUpdate(request.Name, request.Role), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
    }

    [Function("Users_Deactivate"), EndpointSummary("Deactivate a user; their tokens stop working at once")]
    public async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Deactivate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/users/{userId:guid}")] HttpRequest req, Guid userId, CancellationToken cancellationToken) =>
        (await users.DeactivateAsync(req.Caller(), userId, cancellationToken)).ToResult(_ => TypedResults.NoContent(), req.HttpContext);
}

public sealed record InviteUserRequest(string? Email, string? Name, string? Role);

public sealed record UpdateUserRequest(string? Name, string? Role);

/// <summary>
/// The invite token is shown once. The SPA path keeps it in the URL fragment, which browsers
/// never send to a server, so it stays out of access logs.
/// </summary>
public sealed record InvitedUserResponse(UserView User, string InviteToken, string InvitePath, DateTimeOffset InviteExpiresAt)
{
    public static InvitedUserResponse From(InvitedUser invited) =>
        new(invited.User, invited.InviteToken, "/invite#token=" + invited.InviteToken, invited.InviteExpiresAt);
}
