using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Orgs;
using Castio.Core.Users;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Auth;

/// <summary>Sign-up, sign-in, token rotation, invites and the caller's own record.</summary>
[Tags("Auth")]
public sealed class AuthFunctions(RegistrationService registration, AuthService auth)
{
    [Function("Auth_Register"), Anonymous, RateLimit(nameof(RateLimitRules.AuthRegister), RateLimitKey.ClientAddress)]
    [EndpointSummary("Create an organization, its owner and its RTK app; sign in"), Microsoft.AspNetCore.Mvc.Consumes(typeof(RegisterRequest), "application/json")]
    public async Task<Results<Ok<SignInResponse>, ValidationProblem, ProblemHttpResult>> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/auth/register")] HttpRequest req, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<RegisterRequest>(cancellationToken);
        return (await registration.RegisterAsync(new RegisterCommand(request.Email, request.Password, request.Name, request.OrgName, request.OrgSlug), cancellationToken))
            .ToResult(r => TypedResults.Ok(SignInResponse.From(r)), req.HttpContext);
    }

    [Function("Auth_Login"), Anonymous, RateLimit(nameof(RateLimitRules.AuthLogin), RateLimitKey.ClientAddress)]
    [EndpointSummary("Sign in with e-mail, password and organization slug"), Microsoft.AspNetCore.Mvc.Consumes(typeof(LoginRequest), "application/json")]
    public async Task<Results<Ok<SignInResponse>, ValidationProblem, ProblemHttpResult>> Login(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/auth/login")] HttpRequest req, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<LoginRequest>(cancellationToken);
        return (await auth.LoginAsync(new LoginCommand(request.Email, request.Password, request.OrgSlug), cancellationToken))
            .ToResult(r => TypedResults.Ok(SignInResponse.From(r)), req.HttpContext);
    }

    [Function("Auth_Refresh"), Anonymous, RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.ClientAddress)]
    [EndpointSummary("Trade a refresh token for a new token pair (rotation)"), Microsoft.AspNetCore.Mvc.Consumes(typeof(RefreshRequest), "application/json")]
    public async Task<Results<Ok<SignInResponse>, ValidationProblem, ProblemHttpResult>> Refresh(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/auth/refresh")] HttpRequest req, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<RefreshRequest>(cancellationToken);
        return (await auth.RefreshAsync(request.RefreshToken, cancellationToken)).ToResult(r => TypedResults.Ok(SignInResponse.From(r)), req.HttpContext);
    }

    [Function("Auth_Logout"), Anonymous, RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.ClientAddress)]
    [EndpointSummary("End the session a refresh token belongs to"), Microsoft.AspNetCore.Mvc.Consumes(typeof(RefreshRequest), "application/json")]
    public async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Logout(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/auth/logout")] HttpRequest req, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<RefreshRequest>(cancellationToken);
        return (await auth.LogoutAsync(request.RefreshToken, cancellationToken)).ToResult(_ => TypedResults.NoContent(), req.HttpContext);
    }

    [Function("Auth_AcceptInvite"), Anonymous, RateLimit(nameof(RateLimitRules.AuthLogin), RateLimitKey.ClientAddress)]
    [EndpointSummary("Set a password with a one-time invite token; sign in"), Microsoft.AspNetCore.Mvc.Consumes(typeof(AcceptInviteRequest), "application/json")]
    public async Task<Results<Ok<SignInResponse>, ValidationProblem, ProblemHttpResult>> AcceptInvite(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/auth/accept-invite")] HttpRequest req, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<AcceptInviteRequest>(cancellationToken);
        return (await auth.AcceptInviteAsync(request.Token, request.Password, cancellationToken)).ToResult(r => TypedResults.Ok(SignInResponse.From(r)), req.HttpContext);
    }

    [Function("Auth_Me"), SignedIn, RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User)]
    [EndpointSummary("The signed-in user and organization")]
    public async Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> Me(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/auth/me")] HttpRequest req, CancellationToken cancellationToken) =>
        (await auth.GetMeAsync(req.Caller(), cancellationToken)).ToResult(r => TypedResults.Ok(new MeResponse(r.User, r.Org)), req.HttpContext);
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
