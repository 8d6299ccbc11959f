using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Castio.Core.Auth;

/// <summary>Claims carried by a verified access token.</summary>
public sealed record AccessTokenClaims(Guid UserId, Guid OrgId, Role Role, string TokenId, DateTimeOffset ExpiresAt);

public sealed record IssuedAccessToken(string Token, string TokenId, DateTimeOffset ExpiresAt);

/// <summary>
/// HS256 JWT access tokens: 15 minutes by default, claims sub, org, role, jti. Validation pins
/// the algorithm, issuer, audience, lifetime and key, so <c>alg: none</c>, other algorithms and
/// other keys are refused.
/// </summary>
public sealed class AccessTokenService
{
    public const string OrgClaim = "org";
    public const string RoleClaim = "role";

    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly SymmetricSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, SetDefaultTimesOnTokenCreation = false };
    private readonly TokenValidationParameters _validation;

    public AccessTokenService(IOptions<AuthOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _key = new SymmetricSecurityKey(_options.SigningKeyBytes());
        if (_key.KeySize < AuthOptions.MinSigningKeyBytes * 8)
        {
            throw new InvalidOperationException("Auth:SigningKey is shorter than 256 bits.");
        }

        _validation = new TokenValidationParameters
        {
            ValidIssuer = _options.Issuer,
            ValidAudience = _options.Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidTypes = ["JWT"],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            // Issuer and verifier are the same process family on synced clocks.
            ClockSkew = TimeSpan.FromSeconds(30),
            // The library's own lifetime check reads the system clock; ours reads TimeProvider.
            LifetimeValidator = ValidateLifetime,
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = RoleClaim,
        };
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var skew = parameters.ClockSkew;
        return expires is { } exp && now < exp.ToUniversalTime() + skew
            && (notBefore is not { } nbf || now >= nbf.ToUniversalTime() - skew);
    }

    public IssuedAccessToken Issue(Guid userId, Guid orgId, Role role)
    {
        var now = _time.GetUtcNow();
        var expires = now + _options.AccessTokenLifetime;
        var tokenId = Guid.CreateVersion7().ToString("N");
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = "JWT",
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId.ToString(),
                [OrgClaim] = orgId.ToString(),
                [RoleClaim] = role.ToWire(),
                [JwtRegisteredClaimNames.Jti] = tokenId,
            },
        };
        return new IssuedAccessToken(_handler.CreateToken(descriptor), tokenId, expires);
    }

    /// <summary>Returns the claims of a valid token, or null for anything else.</summary>
    public async Task<AccessTokenClaims?> ValidateAsync(string token)
    {
        // Bearer tokens are small; refuse junk before parsing it.
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, _validation);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        var claims = result.ClaimsIdentity;
        if (!Guid.TryParse(claims.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var userId)
            || !Guid.TryParse(claims.FindFirst(OrgClaim)?.Value, out var orgId)
            || !Roles.TryParse(claims.FindFirst(RoleClaim)?.Value, out var role)
            || claims.FindFirst(JwtRegisteredClaimNames.Jti)?.Value is not { Length: > 0 } jti)
        {
            return null;
        }

        return new AccessTokenClaims(userId, orgId, role, jti, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }
}
