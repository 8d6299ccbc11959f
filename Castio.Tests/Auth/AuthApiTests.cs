using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Castio.Core.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Castio.Tests.Auth;

public class AuthApiTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    [Fact]
    public async Task RegistrationCreatesOrgOwnerRtkAppWithAllPresetsAndSignsIn()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var slug = AuthTestKit.NewSlug();

        var response = await client.SendAsync(HttpMethod.Post, "/api/auth/register",
            new { email = "Olive@Example.com", password = AuthTestKit.Password, name = "Olive", orgName = "Acme", orgSlug = slug });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("owner", (string?)body["user"]!["role"]);
        Assert.Equal("olive@example.com", (string?)body["user"]!["email"]);
        Assert.Equal(slug, (string?)body["org"]!["slug"]);
        Assert.Equal(900, (int)body["expiresIn"]!);
        var me = await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: (string)body["accessToken"]!);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        var apps = await RtkTestKit.Client(simulator.Sim).Apps.ListAsync(search: "castio-" + slug, cancellationToken: TestContext.Current.CancellationToken);
        var rtkApp = Assert.Single(apps.Items);
        var presets = await RtkTestKit.Client(simulator.Sim).Presets.ListAllAsync(rtkApp.Id, TestContext.Current.CancellationToken);
        Assert.Equal(Castio.Core.Presets.CastioPresets.All.Select(p => p.Name).Order(), presets.Select(p => p.Name).Order());
    }

    [Fact]
    public async Task WithPerOrgAppsOffRegistrationProvisionsTheSharedAppAndCreatesNone()
    {
        var ct = TestContext.Current.CancellationToken;
        var rtk = RtkTestKit.Client(simulator.Sim);
        var shared = await rtk.Apps.CreateAsync("shared-" + Guid.NewGuid().ToString("N")[..8], ct);
        await using var app = NewApp().WithSetting("Rtk:AppId", shared.Id).WithSetting("Orgs:PerOrgRtkApps", "false");
        using var client = app.CreateHttpClient();
        var slug = AuthTestKit.NewSlug();

        await AuthTestKit.RegisterAsync(client, slug);

        Assert.Empty((await rtk.Apps.ListAsync(search: "castio-" + slug, cancellationToken: ct)).Items);
        Assert.Equal(Castio.Core.Presets.CastioPresets.All.Count, (await rtk.Presets.ListAllAsync(shared.Id, ct)).Count);
    }

    [Fact]
    public async Task SharedAppModeWithoutAnAppIdStopsTheAppAtStartup()
    {
        await using var app = NewApp().WithSetting("Rtk:AppId", "").WithSetting("Orgs:PerOrgRtkApps", "false");

        var error = Assert.ThrowsAny<Exception>(() => app.BaseAddress);

        Assert.True(error.ToString().Contains("PerOrgRtkApps") || app.Logs.Any(l => l.Contains("PerOrgRtkApps")), error.ToString());
    }

    [Fact]
    public async Task TakenSlugIsAConflictNamingTheField()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var response = await client.SendAsync(HttpMethod.Post, "/api/auth/register",
            new { email = "second@example.com", password = AuthTestKit.Password, name = "Second", orgName = "Second", orgSlug = owner.OrgSlug.ToUpperInvariant() });

        var problem = await response.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("org.slug_taken", (string?)problem["code"]);
        Assert.NotNull(problem["errors"]!["orgSlug"]);
    }

    [Fact]
    public async Task RegistrationWhileRtkIsDownLeavesNothingAndARetryWorks()
    {
        await using var app = NewApp().WithSetting("Rtk:MaxRetries", "0");
        using var client = app.CreateHttpClient();
        var slug = AuthTestKit.NewSlug();
        var request = new { email = "retry@example.com", password = AuthTestKit.Password, name = "Retry", orgName = "Retry", orgSlug = slug };

        simulator.Sim.State.Faults.Down = true;
        HttpResponseMessage failed;
        try
        {
            failed = await client.SendAsync(HttpMethod.Post, "/api/auth/register", request);
        }
        finally
        {
            simulator.Sim.State.Faults.Down = false;
        }

        var problem = await failed.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("org.rtk_unavailable", (string?)problem["code"]);
        Assert.True(failed.Headers.RetryAfter is not null);
        var login = await client.SendAsync(HttpMethod.Post, "/api/auth/login", new { email = "retry@example.com", password = AuthTestKit.Password, orgSlug = slug });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, "/api/branding/" + slug)).StatusCode);

        var retried = await client.SendAsync(HttpMethod.Post, "/api/auth/register", request);

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [Fact]
    public async Task FailureAfterTheRtkAppExistsRollsBackAndTheRetryReusesThatApp()
    {
        var faults = new PresetFaults();
        await using var app = NewApp()
            .WithSetting("Rtk:MaxRetries", "0")
            .WithServices(s => s.AddHttpClient<Castio.Core.Rtk.RtkClient>().AddHttpMessageHandler(() => new FailPresetCalls(faults)));
        using var client = app.CreateHttpClient();
        var slug = AuthTestKit.NewSlug();
        var request = new { email = "half@example.com", password = AuthTestKit.Password, name = "Half", orgName = "Half", orgSlug = slug };

        faults.Fail = true;
        var failed = await client.SendAsync(HttpMethod.Post, "/api/auth/register", request);
        faults.Fail = false;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        var rtk = RtkTestKit.Client(simulator.Sim);
        var ct = TestContext.Current.CancellationToken;
        var created = Assert.Single((await rtk.Apps.ListAsync(search: "castio-" + slug, cancellationToken: ct)).Items);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Post, "/api/auth/login", new { email = "half@example.com", password = AuthTestKit.Password, orgSlug = slug })).StatusCode);

        var retried = await client.SendAsync(HttpMethod.Post, "/api/auth/register", request);

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(created.Id, Assert.Single((await rtk.Apps.ListAsync(search: "castio-" + slug, cancellationToken: ct)).Items).Id);
        Assert.Equal(Castio.Core.Presets.CastioPresets.All.Count, (await rtk.Presets.ListAllAsync(created.Id, ct)).Count);
    }

    [Fact]
    public async Task RefreshRotatesAndReplayingAnOldTokenEndsTheSession()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var first = await client.SendAsync(HttpMethod.Post, "/api/auth/refresh", new { refreshToken = owner.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var rotated = AuthTestKit.ToCaller(await first.JsonAsync());
        Assert.NotEqual(owner.RefreshToken, rotated.RefreshToken);

        // A second tab presenting the old token at the same moment gets the same new pair.
        var sibling = await client.SendAsync(HttpMethod.Post, "/api/auth/refresh", new { refreshToken = owner.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, sibling.StatusCode);
        Assert.Equal(rotated.RefreshToken, AuthTestKit.ToCaller(await sibling.JsonAsync()).RefreshToken);

        app.Clock.Advance(TimeSpan.FromSeconds(6));
        var replay = await client.SendAsync(HttpMethod.Post, "/api/auth/refresh", new { refreshToken = owner.RefreshToken });
        Assert.Equal("auth.refresh_token_reused", (string?)(await replay.ProblemAsync(HttpStatusCode.Unauthorized))["code"]);

        var afterReplay = await client.SendAsync(HttpMethod.Post, "/api/auth/refresh", new { refreshToken = rotated.RefreshToken });
        Assert.Equal("auth.invalid_refresh_token", (string?)(await afterReplay.ProblemAsync(HttpStatusCode.Unauthorized))["code"]);
    }

    [Fact]
    public async Task LogoutRevokesTheRefreshToken()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Post, "/api/auth/logout", new { refreshToken = owner.RefreshToken })).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Post, "/api/auth/refresh", new { refreshToken = owner.RefreshToken })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Post, "/api/auth/logout", new { refreshToken = owner.RefreshToken })).StatusCode);
    }

    [Fact]
    public async Task LoginNeverRevealsWhetherTheEmailExists()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var wrongPassword = await client.SendAsync(HttpMethod.Post, "/api/auth/login", new { email = owner.Email, password = "definitely not it", orgSlug = owner.OrgSlug });
        var unknownEmail = await client.SendAsync(HttpMethod.Post, "/api/auth/login", new { email = "ghost@example.com", password = "definitely not it", orgSlug = owner.OrgSlug });
        var unknownOrg = await client.SendAsync(HttpMethod.Post, "/api/auth/login", new { email = owner.Email, password = "definitely not it", orgSlug = "no-such-org-x" });

        var bodies = new List<string>();
        foreach (var response in new[] { wrongPassword, unknownEmail, unknownOrg })
        {
            var problem = await response.ProblemAsync(HttpStatusCode.Unauthorized);
            problem.Remove("traceId");
            bodies.Add(problem.ToJsonString());
        }

        Assert.Single(bodies.Distinct());
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Post, "/api/auth/login", new { email = owner.Email, password = AuthTestKit.Password, orgSlug = owner.OrgSlug })).StatusCode);
    }

    [Fact]
    public async Task ExpiredTamperedForeignKeyAndUnsignedTokensAreRefused()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var parts = owner.AccessToken.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        payload["role"] = "admin";
        payload["sub"] = Guid.CreateVersion7().ToString();
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";
        var unsigned = $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{parts[1]}.";
        var otherKey = new AccessTokenService(
            Options.Create(new AuthOptions { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }), app.Clock)
            .Issue(owner.UserId, owner.OrgId, Role.Owner).Token;

        foreach (var token in new[] { tampered, unsigned, otherKey, "garbage", parts[0] + "." + parts[1] })
        {
            var response = await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: token);
            Assert.Equal("auth.unauthenticated", (string?)(await response.ProblemAsync(HttpStatusCode.Unauthorized))["code"]);
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
        }

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: owner.AccessToken)).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: owner.AccessToken)).StatusCode);
    }

    [Theory]
    [InlineData("too-short-key", false)]
    [InlineData("", true)]
    public async Task WeakOrMissingSigningKeyStopsTheAppAtStartup(string key, bool inAzure)
    {
        await using var app = NewApp().WithSetting("Auth:SigningKey", key);
        if (inAzure)
        {
            // App Service sets this on every instance; there a missing key is an error, never replaced by a random one.
            app.WithSetting("WEBSITE_INSTANCE_ID", "test-instance");
        }

        var error = Assert.ThrowsAny<Exception>(() => app.BaseAddress);

        // WebApplicationFactory may mask the start-up exception while cleaning up; the log keeps the original.
        Assert.True(error.ToString().Contains("SigningKey") || app.Logs.Any(l => l.Contains("SigningKey")), error.ToString());
    }

    [Fact]
    public async Task MissingTokenIsUnauthorizedWithBearerChallenge()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();

        var response = await client.SendAsync(HttpMethod.Get, "/api/auth/me");

        Assert.Equal("auth.unauthenticated", (string?)(await response.ProblemAsync(HttpStatusCode.Unauthorized))["code"]);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task DeactivationStopsTheUsersTokensOnTheNextRequest()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: member.AccessToken)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, $"/api/users/{member.UserId}", token: owner.AccessToken)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: member.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Post, "/api/auth/refresh", new { refreshToken = member.RefreshToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Post, "/api/auth/login", new { email = member.Email, password = AuthTestKit.Password, orgSlug = member.OrgSlug })).StatusCode);
    }

    [Fact]
    public async Task DemotionTakesEffectOnTheNextRequest()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var admin = await AuthTestKit.AddUserAsync(client, owner, "admin");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/users", token: admin.AccessToken)).StatusCode);

        var demote = await client.SendAsync(HttpMethod.Patch, $"/api/users/{admin.UserId}", new { role = "member" }, owner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, demote.StatusCode);

        // Same (unexpired) token, which still says "admin".
        Assert.Equal("auth.forbidden", (string?)(await (await client.SendAsync(HttpMethod.Get, "/api/users", token: admin.AccessToken)).ProblemAsync(HttpStatusCode.Forbidden))["code"]);
        var me = await (await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: admin.AccessToken)).JsonAsync();
        Assert.Equal("member", (string?)me["user"]!["role"]);
    }

    [Fact]
    public async Task LoginRateLimitAnswers429WithRetryAfterAndRecovers()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var address = AuthTestKit.NextAddress();
        object Body() => new { email = owner.Email, password = AuthTestKit.Password, orgSlug = owner.OrgSlug };
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Post, "/api/auth/login", Body(), address: address)).StatusCode);
        }

        var limited = await client.SendAsync(HttpMethod.Post, "/api/auth/login", Body(), address: address);

        Assert.Equal("request.rate_limited", (string?)(await limited.ProblemAsync(HttpStatusCode.TooManyRequests))["code"]);
        var retryAfter = limited.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Post, "/api/auth/login", Body())).StatusCode);
        app.Clock.Advance(retryAfter);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Post, "/api/auth/login", Body(), address: address)).StatusCode);
    }

    [Fact]
    public async Task RegistrationRateLimitIsThreePerHourPerAddress()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var address = AuthTestKit.NextAddress();
        object Body() => new { email = "x@example.com", password = "short", name = "", orgName = "", orgSlug = "" };
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(HttpMethod.Post, "/api/auth/register", Body(), address: address)).StatusCode);
        }

        var limited = await client.SendAsync(HttpMethod.Post, "/api/auth/register", Body(), address: address);

        await limited.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter!.Delta > TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task GeneralApiLimitIsAHundredPerMinutePerUser()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 101; i++)
        {
            statuses.Add((await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: owner.AccessToken)).StatusCode);
        }

        Assert.All(statuses.Take(100), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[100]);
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: owner.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task RefusalsOfASignedInCallerOverTheLimitMakeNoStorageRequest()
    {
        var log = new StorageRequestLog();
        await using var app = NewApp().WithoutTimers().WithStorageRequestLog(log, azurite.ConnectionString);
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: owner.AccessToken)).StatusCode);
        }

        log.Reset();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: owner.AccessToken)).StatusCode);
        }

        // Neither the limiter nor the user row: a flood over the limit costs storage nothing.
        Assert.Empty(log.Requests);
    }

    [Fact]
    public async Task RepeatedFailuresFromManyAddressesThrottleTheAccount()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Post, "/api/auth/login", new { email = owner.Email, password = "guess number " + i, orgSlug = owner.OrgSlug })).StatusCode);
        }

        var throttled = await client.SendAsync(HttpMethod.Post, "/api/auth/login", new { email = owner.Email, password = AuthTestKit.Password, orgSlug = owner.OrgSlug });

        Assert.Equal("auth.account_throttled", (string?)(await throttled.ProblemAsync(HttpStatusCode.TooManyRequests))["code"]);
        Assert.NotNull(throttled.Headers.RetryAfter);
    }

    [Theory]
    [InlineData("/api/auth/register", """{"email":"nope","password":"short","name":"","orgName":"","orgSlug":"-bad-"}""", "email,name,orgName,orgSlug,password")]
    [InlineData("/api/auth/register", """{}""", "email,name,orgName,orgSlug,password")]
    [InlineData("/api/auth/login", """{"email":"","password":"","orgSlug":""}""", "email,orgSlug,password")]
    [InlineData("/api/auth/accept-invite", """{"token":"","password":"short"}""", "password,token")]
    [InlineData("/api/auth/refresh", """{}""", "refreshToken")]
    [InlineData("/api/auth/logout", """{"refreshToken":""}""", "refreshToken")]
    public async Task BadInputIsAValidationProblemNamingEachField(string path, string json, string fields)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();

        var response = await client.SendAsync(HttpMethod.Post, path, JsonNode.Parse(json));

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("request.validation_failed", (string?)problem["code"]);
        Assert.Equal(fields.Split(','), problem["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Theory]
    [InlineData("/api/auth/register")]
    [InlineData("/api/auth/login")]
    [InlineData("/api/auth/refresh")]
    [InlineData("/api/auth/logout")]
    [InlineData("/api/auth/accept-invite")]
    public async Task MalformedOrMissingBodiesAreProblemsNotServerErrors(string path)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();

        foreach (var body in new HttpContent[]
        {
            new StringContent("{not json", Encoding.UTF8, "application/json"),
            new StringContent("""{"email":42,"refreshToken":{}}""", Encoding.UTF8, "application/json"),
            new StringContent("", Encoding.UTF8, "application/json"),
            new StringContent("email=x", Encoding.UTF8, "text/plain"),
        })
        {
            var response = await client.SendAsync(HttpMethod.Post, path, body);
            Assert.InRange((int)response.StatusCode, 400, 499);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task RefreshWithGarbageTokenIsUnauthorized()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();

        var response = await client.SendAsync(HttpMethod.Post, "/api/auth/refresh", new { refreshToken = new string('x', 5000) });

        Assert.Equal("auth.invalid_refresh_token", (string?)(await response.ProblemAsync(HttpStatusCode.Unauthorized))["code"]);
    }

    private sealed class PresetFaults
    {
        public volatile bool Fail;
    }

    /// <summary>Fault injection at the HTTP seam: RTK answers 503 to preset calls while <see cref="PresetFaults.Fail"/> is set.</summary>
    private sealed class FailPresetCalls(PresetFaults faults) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            faults.Fail && request.RequestUri!.AbsolutePath.Contains("/presets", StringComparison.Ordinal)
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("""{"success":false,"errors":[{"code":503,"message":"down"}]}""", Encoding.UTF8, "application/json") })
                : base.SendAsync(request, cancellationToken);
    }
}
