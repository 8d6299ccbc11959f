using System.ComponentModel;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Users;
using Castio.Functions.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Castio.Functions.Users;

/// <summary>Seed §2.2 user routes; every one needs "manage users" (owner, admin; seed §4.5).</summary>
public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/users").WithTags("Users")
            .RequirePermission(Permission.ManageUsers)
            .RequireRateLimit(RateLimitRules.ApiGeneral, RateLimitKey.User);

        api.MapGet("/", ListUsers).WithName("ListUsers").WithSummary("List the organization's users, oldest first, a page at a time");
        api.MapPost("/", InviteUser).WithName("InviteUser").WithSummary("Invite a user with a role; returns a one-time invite token");
        api.MapPatch("/{userId:guid}", UpdateUser).WithName("UpdateUser").WithSummary("Change a user's name or role");
        api.MapDelete("/{userId:guid}", DeactivateUser).WithName("DeactivateUser").WithSummary("Deactivate a user; their tokens stop working at once");
        return api;
    }

    public static async Task<Results<Ok<UserPage>, ValidationProblem, ProblemHttpResult>> ListUsers(
        [Description("Cursor from the previous page's nextCursor.")] string? cursor,
        [Description("Page size, 1 to 100 (default 50).")] int? limit,
        CurrentUser caller, UserService users, HttpContext http, CancellationToken cancellationToken) =>
        (await users.ListAsync(caller, cursor, limit, cancellationToken)).ToResult(TypedResults.Ok, http);

    public static async Task<Results<Created<InvitedUserResponse>, ValidationProblem, ProblemHttpResult>> InviteUser(
        InviteUserRequest request, CurrentUser caller, UserService users, HttpContext http, CancellationToken cancellationToken) =>
        (await users.InviteAsync(caller, new InviteCommand(request.Email, request.Name, request.Role), cancellationToken))
            .ToResult(i => TypedResults.Created($"/api/users/{i.User.Id}", InvitedUserResponse.From(i)), http);

    public static async Task<Results<Ok<UserView>, ValidationProblem, ProblemHttpResult>> UpdateUser(
        Guid userId, UpdateUserRequest request, CurrentUser caller, UserService users, HttpContext http, CancellationToken cancellationToken) =>
        (await users.UpdateAsync(caller, userId, new UserUpdate(request.Name, request.Role), cancellationToken)).ToResult(TypedResults.Ok, http);

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeactivateUser(
        Guid userId, CurrentUser caller, UserService users, HttpContext http, CancellationToken cancellationToken) =>
        (await users.DeactivateAsync(caller, userId, cancellationToken)).ToResult(_ => TypedResults.NoContent(), http);
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
