using System.Security.Claims;
using System.Text.Encodings.Web;
using Castio.Core.Auth;
using Castio.Core.Users;
using Castio.Functions.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Auth;

/// <summary>
/// Verifies the bearer JWT, then reads the user row on every request so a deactivation or a role
/// change applies to the very next request, not at token expiry. The org id comes only from the
/// verified token; the role comes from the row.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AccessTokenService tokens,
    UserStore users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string Prefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Not a bearer token.");
        }

        var claims = await tokens.ValidateAsync(header[Prefix.Length..].Trim());
        if (claims is null)
        {
            return AuthenticateResult.Fail("Invalid token.");
        }

        var user = await users.GetAsync(claims.OrgId, claims.UserId, Context.RequestAborted);
        if (user is not { IsActive: true })
        {
            return AuthenticateResult.Fail("User is not active.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim("sub", claims.UserId.ToString("D")),
                new Claim(AccessTokenService.OrgClaim, claims.OrgId.ToString("D")),
                new Claim(AccessTokenService.RoleClaim, user.Role),
                new Claim("jti", claims.TokenId),
            ],
            Scheme.Name,
            "sub",
            AccessTokenService.RoleClaim);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = Request.Headers.Authorization.Count > 0 ? "Bearer error=\"invalid_token\"" : "Bearer";
        return WriteAsync(Problems.Problem(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthenticated, "Unauthorized", "Sign in and send the access token as a bearer token."));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteAsync(Problems.Problem(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "Forbidden", "Your role does not allow this."));

    private Task WriteAsync(ProblemHttpResult problem) => problem.ExecuteAsync(Context);
}

public static class CurrentUserExtensions
{
    /// <summary>The caller of an authenticated request, from the principal built by <see cref="BearerAuthenticationHandler"/>.</summary>
    public static CurrentUser? ToCurrentUser(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirst("sub")?.Value, out var userId)
        && Guid.TryParse(principal.FindFirst(AccessTokenService.OrgClaim)?.Value, out var orgId)
        && Roles.TryParse(principal.FindFirst(AccessTokenService.RoleClaim)?.Value, out var role)
            ? new CurrentUser(userId, orgId, role)
            : null;
}
