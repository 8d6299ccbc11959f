using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Orgs;
using Castio.Core.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Castio.Functions.Auth;

/// <summary>Seed §2.2 auth routes plus invite acceptance.</summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Auth");

        api.MapPost("/register", Register).WithName("Register").WithSummary("Create an organization, its owner and its RTK app; sign in")
            .AllowAnonymous().RequireRateLimit(RateLimitRules.AuthRegister, RateLimitKey.ClientAddress);
        api.MapPost("/login", Login).WithName("Login").WithSummary("Sign in with e-mail, password and organization slug")
            .AllowAnonymous().RequireRateLimit(RateLimitRules.AuthLogin, RateLimitKey.ClientAddress);
        api.MapPost("/refresh", Refresh).WithName("Refresh").WithSummary("Trade a refresh token for a new token pair (rotation)")
            .AllowAnonymous().RequireRateLimit(RateLimitRules.ApiGeneral, RateLimitKey.ClientAddress);
        api.MapPost("/logout", Logout).WithName("Logout").WithSummary("End the session a refresh token belongs to")
            .AllowAnonymous().RequireRateLimit(RateLimitRules.ApiGeneral, RateLimitKey.ClientAddress);
        api.MapPost("/accept-invite", AcceptInvite).WithName("AcceptInvite").WithSummary("Set a password with a one-time invite token; sign in")
            .AllowAnonymous().RequireRateLimit(RateLimitRules.AuthLogin, RateLimitKey.ClientAddress);
        api.MapGet("/me", Me).WithName("Me").WithSummary("The signed-in user and organization")
            .RequireAuthorization().RequireRateLimit(RateLimitRules.ApiGeneral, RateLimitKey.User);
        return api;
    }

    public static async Task<Results<Ok<SignInResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest request, RegistrationService registration, HttpContext http, CancellationToken cancellationToken) =>
        (await registration.RegisterAsync(new RegisterCommand(request.Email, request.Password, request.Name, request.OrgName, request.OrgSlug), cancellationToken))
            .ToResult(r => TypedResults.Ok(SignInResponse.From(r)), http);

    public static async Task<Results<Ok<SignInResponse>, ValidationProblem, ProblemHttpResult>> Login(
        LoginRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken) =>
        (await auth.LoginAsync(new LoginCommand(request.Email, request.Password, request.OrgSlug), cancellationToken))
            .ToResult(r => TypedResults.Ok(SignInResponse.From(r)), http);

    public static async Task<Results<Ok<SignInResponse>, ValidationProblem, ProblemHttpResult>> Refresh(
        RefreshRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken) =>
        (await auth.RefreshAsync(request.RefreshToken, cancellationToken))
            .ToResult(r => TypedResults.Ok(SignInResponse.From(r)), http);

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Logout(
        RefreshRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken) =>
        (await auth.LogoutAsync(request.RefreshToken, cancellationToken)).ToResult(_ => TypedResults.NoContent(), http);

    public static async Task<Results<Ok<SignInResponse>, ValidationProblem, ProblemHttpResult>> AcceptInvite(
        AcceptInviteRequest request, AuthService auth, HttpContext http, CancellationToken cancellationToken) =>
        (await auth.AcceptInviteAsync(request.Token, request.Password, cancellationToken))
            .ToResult(r => TypedResults.Ok(SignInResponse.From(r)), http);

    public static async Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> Me(
        CurrentUser caller, AuthService auth, HttpContext http, CancellationToken cancellationToken) =>
        (await auth.GetMeAsync(caller, cancellationToken))
            .ToResult(r => TypedResults.Ok(new MeResponse(r.User, r.Org)), http);
}

public sealed record RegisterRequest(string? Email, string? Password, string? Name, string? OrgName, string? OrgSlug);

public sealed record LoginRequest(string? Email, string? Password, string? OrgSlug);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record AcceptInviteRequest(string? Token, string? Password);

public sealed record SignInResponse(
    string AccessToken,
    string TokenType,
    int ExpiresIn,
    DateTimeOffset AccessTokenExpiresAt,
    string RefreshToken,
    DateTimeOffset RefreshTokenExpiresAt,
    UserView User,
    OrgView Org)
{
    public static SignInResponse From(SignInResult result)
    {
        var s = result.Session;
        return new SignInResponse(s.AccessToken, "Bearer", s.ExpiresIn, s.AccessTokenExpiresAt, s.RefreshToken, s.RefreshTokenExpiresAt, result.User, result.Org);
    }
}

public sealed record MeResponse(UserView User, OrgView Org);
