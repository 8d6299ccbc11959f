using System.Globalization;
using System.Security.Claims;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Users;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Http;

/// <summary>
/// What every HTTP function passes before its body runs, identical under both hosts: the body limit, the bearer
/// token, the route's role rule and its rate limit. Null admits; otherwise the problem to answer with.
/// </summary>
public sealed class HttpGate(AccessTokenService tokens, IServiceProvider services, ClientAddress addresses, IOptions<HttpLimitsOptions> limits)
{
    private const string BearerPrefix = "Bearer ";

    // Resolved on first use: an anonymous, unlimited call (the liveness ping) never builds the storage clients.
    private readonly Lazy<UserStore> _users = new(services.GetRequiredService<UserStore>);
    private readonly Lazy<RateLimiter> _limiter = new(services.GetRequiredService<RateLimiter>);

    public async Task<IResult?> AdmitAsync(HttpContext http, HttpFunction function)
    {
        var maxBody = limits.Value.MaxRequestBodyBytes;
        if (http.Request.ContentLength > maxBody)
        {
            return Problems.Problem(StatusCodes.Status413PayloadTooLarge, ProblemCodes.BodyTooLarge, "Request body too large", $"The limit is {maxBody} bytes.");
        }

        // Bodies without a Content-Length are cut off by the server while they are read.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = maxBody;
        }

        // The token is checked first (no storage), so a refused request never waits on the user row.
        AccessTokenClaims? claims = null;
        if (function.Access.Roles is not null && (claims = await ValidateTokenAsync(http)) is null)
        {
            return Unauthenticated(http);
        }

        Task<UserEntity?>? user = null;
        Task<UserEntity?> ReadUser() => _users.Value.GetAsync(claims!.OrgId, claims.UserId, http.RequestAborted);
        if (function.Rule is { } rule)
        {
            var who = function.Limit!.Key == RateLimitKey.User && claims is not null ? "user:" + claims.UserId.ToString("D") : "ip:" + addresses.Resolve(http);
            var limit = _limiter.Value.AcquireAsync(rule, who, http.RequestAborted);
            // The user row and the limiter's storage call overlap; a refusal answered from memory (a flood) reads nothing.
            if (function.Access.Roles is not null && !limit.IsCompleted)
            {
                user = ReadUser();
            }

            var decision = await limit;
            if (!decision.Allowed)
            {
                // Nobody waits for the user row now; keep its failure, if any, from going unobserved.
                _ = user?.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(decision.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Problems.Problem(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many requests", $"The {rule.Name} limit is {rule.Limit} per {rule.Window.TotalSeconds:0} s.");
            }
        }

        if (function.Access.Roles is { } roles)
        {
            if (SignIn(claims!, await (user ?? ReadUser())) is not { } principal)
            {
                return Unauthenticated(http);
            }

            http.User = principal;
            if (roles.Count > 0 && !roles.Contains(principal.ToCurrentUser()!.Role))
            {
                return Problems.Problem(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "Forbidden", "Your role does not allow this.");
            }
        }

        return null;
    }

    private static IResult Unauthenticated(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = http.Request.Headers.Authorization.Count > 0 ? "Bearer error=\"invalid_token\"" : "Bearer";
        return Problems.Problem(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthenticated, "Unauthorized", "Sign in and send the access token as a bearer token.");
    }

    private async Task<AccessTokenClaims?> ValidateTokenAsync(HttpContext http)
    {
        string? header = http.Request.Headers.Authorization;
        return string.IsNullOrEmpty(header) || !header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? null
            : await tokens.ValidateAsync(header[BearerPrefix.Length..].Trim());
    }

    /// <summary>
    /// The caller as the user row behind a verified token says, read on every request so a deactivation or a role
    /// change applies to the very next request, not at token expiry. The org id comes only from the verified token;
    /// the role, name and e-mail from the row.
    /// </summary>
    private static ClaimsPrincipal? SignIn(AccessTokenClaims claims, UserEntity? user)
    {
        if (user is not { IsActive: true })
        {
            return null;
        }

        var identity = new ClaimsIdentity(
            [
                new Claim("sub", claims.UserId.ToString("D")),
                new Claim(AccessTokenService.OrgClaim, claims.OrgId.ToString("D")),
                new Claim(AccessTokenService.RoleClaim, user.Role),
                new Claim("jti", claims.TokenId),
                new Claim(NameClaim, user.Name),
                new Claim(EmailClaim, user.Email),
            ],
            "Bearer",
            "sub",
            AccessTokenService.RoleClaim);
        return new ClaimsPrincipal(identity);
    }

    internal const string NameClaim = "name", EmailClaim = "email";
}

public static class CallerExtensions
{
    /// <summary>The caller of an authenticated request, from the principal the gate built.</summary>
    public static CurrentUser? ToCurrentUser(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirst("sub")?.Value, out var userId)
        && Guid.TryParse(principal.FindFirst(AccessTokenService.OrgClaim)?.Value, out var orgId)
        && Roles.TryParse(principal.FindFirst(AccessTokenService.RoleClaim)?.Value, out var role)
            ? new CurrentUser(userId, orgId, role) { Name = principal.FindFirst(HttpGate.NameClaim)?.Value ?? "", Email = principal.FindFirst(HttpGate.EmailClaim)?.Value }
            : null;

    /// <summary>The signed-in caller; only valid on functions declared [SignedIn] or [Requires].</summary>
    public static CurrentUser Caller(this HttpRequest request) =>
        request.HttpContext.User.ToCurrentUser() ?? throw new InvalidOperationException("No caller: the function is not declared [SignedIn] or [Requires].");
}
