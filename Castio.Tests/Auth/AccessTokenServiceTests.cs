using Microsoft.Extensions.Time.Testing;
using System.Security.Cryptography;
using System.Text;
using Castio.Core.Auth;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Castio.Tests.Auth;

public class AccessTokenServiceTests
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly FakeTimeProvider _clock = new(TestClock.Start);
    private readonly AccessTokenService _tokens;
    private readonly Guid _user = Guid.CreateVersion7();
    private readonly Guid _org = Guid.CreateVersion7();

    public AccessTokenServiceTests() => _tokens = Create(Key);

    private AccessTokenService Create(string key, string issuer = "castio", string audience = "castio-api", TimeProvider? clock = null) =>
        new(Options.Create(new AuthOptions { SigningKey = key, Issuer = issuer, Audience = audience }), clock ?? _clock);

    [Fact]
    public async Task IssuedTokenValidatesWithItsClaims()
    {
        var issued = _tokens.Issue(_user, _org, Role.Admin);

        var claims = await _tokens.ValidateAsync(issued.Token);

        Assert.NotNull(claims);
        Assert.Equal(_user, claims.UserId);
        Assert.Equal(_org, claims.OrgId);
        Assert.Equal(Role.Admin, claims.Role);
        Assert.Equal(issued.TokenId, claims.TokenId);
        Assert.Equal(_clock.GetUtcNow().AddMinutes(15), issued.ExpiresAt);
    }

    [Fact]
    public async Task TokenExpiresAfterFifteenMinutes()
    {
        var issued = _tokens.Issue(_user, _org, Role.Member);

        _clock.Advance(TimeSpan.FromMinutes(14));
        Assert.NotNull(await _tokens.ValidateAsync(issued.Token));

        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await _tokens.ValidateAsync(issued.Token));
    }

    [Fact]
    public async Task TokenFromTheFutureIsRefused()
    {
        var ahead = new FakeTimeProvider(_clock.GetUtcNow().AddMinutes(5));

        var issued = Create(Key, clock: ahead).Issue(_user, _org, Role.Member);

        Assert.Null(await _tokens.ValidateAsync(issued.Token));
    }

    [Fact]
    public async Task TokenSignedWithAnotherKeyIsRefused()
    {
        var other = Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

        Assert.Null(await _tokens.ValidateAsync(other.Issue(_user, _org, Role.Owner).Token));
    }

    [Fact]
    public async Task TokenWithAnotherIssuerOrAudienceIsRefused()
    {
        Assert.Null(await _tokens.ValidateAsync(Create(Key, issuer: "evil").Issue(_user, _org, Role.Owner).Token));
        Assert.Null(await _tokens.ValidateAsync(Create(Key, audience: "other").Issue(_user, _org, Role.Owner).Token));
    }

    [Fact]
    public async Task TamperedPayloadIsRefused()
    {
        var parts = _tokens.Issue(_user, _org, Role.Member).Token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"member\"", "\"owner\"");
        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";

        Assert.Null(await _tokens.ValidateAsync(forged));
    }

    [Fact]
    public async Task UnsignedAlgNoneTokenIsRefused()
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var payload = Base64UrlEncoder.Encode(
            $$"""{"sub":"{{_user}}","org":"{{_org}}","role":"owner","jti":"x","iss":"castio","aud":"castio-api","iat":{{now}},"nbf":{{now}},"exp":{{now + 600}}}""");

        Assert.Null(await _tokens.ValidateAsync($"{header}.{payload}."));
    }

    [Fact]
    public async Task TokenSignedWithSameKeyButOtherAlgorithmIsRefused()
    {
        // HS512 needs a 512-bit key; the verifier holds the same key but accepts only HS256.
        var keyBytes = RandomNumberGenerator.GetBytes(64);
        var verifier = Create(Convert.ToBase64String(keyBytes));
        var handler = new JsonWebTokenHandler();
        var key = new SymmetricSecurityKey(keyBytes);
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "castio",
            Audience = "castio-api",
            Expires = _clock.GetUtcNow().AddMinutes(10).UtcDateTime,
            IssuedAt = _clock.GetUtcNow().UtcDateTime,
            NotBefore = _clock.GetUtcNow().UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha512),
            Claims = new Dictionary<string, object> { ["sub"] = _user.ToString(), ["org"] = _org.ToString(), ["role"] = "owner", ["jti"] = "x" },
        });

        Assert.Null(await verifier.ValidateAsync(token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    public async Task GarbageIsRefused(string token)
    {
        Assert.Null(await _tokens.ValidateAsync(token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 !!")]
    [InlineData("c2hvcnQta2V5")]
    [InlineData("thirty-one characters of text!!")]
    public void ShortOrMissingKeyFailsOptionsValidation(string key)
    {
        var result = new AuthOptions.Validator().Validate(null, new AuthOptions { SigningKey = key });

        Assert.True(result.Failed);
    }

    [Theory]
    [InlineData("base64")]
    [InlineData("text")]
    public void KeyOf256BitsPassesOptionsValidation(string form)
    {
        var key = form == "base64" ? Key : "k7Qv9xZ2mPw4Lr8Tn6Yc1Hs5Jd3Fb0Ga";

        Assert.True(new AuthOptions.Validator().Validate(null, new AuthOptions { SigningKey = key }).Succeeded);
        Assert.NotNull(Create(key).Issue(_user, _org, Role.Member).Token);
    }

    [Fact]
    public void OpaqueTokensAreLongRandomAndStoredOnlyAsHash()
    {
        var a = OpaqueToken.Create();
        var b = OpaqueToken.Create();

        Assert.NotEqual(a, b);
        Assert.True(OpaqueToken.LooksValid(a));
        Assert.Equal(64, OpaqueToken.Hash(a).Length);
        Assert.NotEqual(OpaqueToken.Hash(a), OpaqueToken.Hash(b));
        Assert.False(OpaqueToken.LooksValid("short"));
        Assert.False(OpaqueToken.LooksValid(a[..42] + "!"));
    }
}
