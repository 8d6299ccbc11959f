using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Castio.Core.Auth;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Orgs;
using Castio.Tests.Rtk;
using Microsoft.Extensions.Options;

namespace Castio.Tests.Users;

public class UsersApiTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    /// <summary>One org with a signed-in user of every role, and spare users to act on.</summary>
    private sealed record Org(Caller Owner, Caller Admin, Caller Host, Caller Member)
    {
        public IEnumerable<Caller> All => [Owner, Admin, Host, Member];
    }

    private static async Task<Org> NewOrgAsync(HttpClient client)
    {
        var owner = await AuthTestKit.RegisterAsync(client);
        return new Org(owner,
            await AuthTestKit.AddUserAsync(client, owner, "admin"),
            await AuthTestKit.AddUserAsync(client, owner, "host"),
            await AuthTestKit.AddUserAsync(client, owner, "member"));
    }

    private static HttpContent Logo()
    {
        var form = new MultipartFormDataContent { { new StringContent("logo"), "kind" } };
        var file = new ByteArrayContent(Images.Png);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "logo.bin");
        return form;
    }

    [Fact]
    public async Task EveryRoleGetsExactlyWhatTheSeedMatrixAllowsOnEveryRoute()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await NewOrgAsync(client);
        var failures = new List<string>();

        foreach (var caller in org.All)
        {
            var manages = caller.Role is "owner" or "admin";
            // A fresh member to act on, so each caller's writes are independent.
            var target = await AuthTestKit.AddUserAsync(client, org.Owner, "member");
            var routes = new (HttpMethod Method, string Path, Func<object?> Body, HttpStatusCode Allowed, bool Everyone)[]
            {
                (HttpMethod.Get, "/api/auth/me", () => null, HttpStatusCode.OK, true),
                (HttpMethod.Get, "/api/org/settings", () => null, HttpStatusCode.OK, true),
                (HttpMethod.Get, "/api/users", () => null, HttpStatusCode.OK, false),
                (HttpMethod.Post, "/api/users", () => new { email = $"new-{Guid.NewGuid():N}@example.com", name = "New", role = "member" }, HttpStatusCode.Created, false),
                (HttpMethod.Patch, $"/api/users/{target.UserId}", () => new { name = "Renamed by " + caller.Role }, HttpStatusCode.OK, false),
                (HttpMethod.Patch, "/api/org/settings", () => new { brandColor = "#123456" }, HttpStatusCode.OK, false),
                (HttpMethod.Post, "/api/org/branding", Logo, HttpStatusCode.OK, false),
                (HttpMethod.Delete, $"/api/users/{target.UserId}", () => null, HttpStatusCode.NoContent, false),
            };
            foreach (var (method, path, body, allowed, everyone) in routes)
            {
                var expected = everyone || manages ? allowed : HttpStatusCode.Forbidden;
                var actual = (await client.SendAsync(method, path, body(), caller.AccessToken)).StatusCode;
                if (actual != expected)
                {
                    failures.Add($"{caller.Role} {method} {path}: expected {(int)expected}, got {(int)actual}");
                }

                var anonymous = (await client.SendAsync(method, path, body())).StatusCode;
                if (anonymous != HttpStatusCode.Unauthorized)
                {
                    failures.Add($"anonymous {method} {path}: expected 401, got {(int)anonymous}");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task AnotherOrgsUsersAreInvisibleOnEveryRoute()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var a = await AuthTestKit.RegisterAsync(client);
        var b = await AuthTestKit.RegisterAsync(client);
        var bMember = await AuthTestKit.AddUserAsync(client, b, "member");

        var list = await (await client.SendAsync(HttpMethod.Get, "/api/users", token: a.AccessToken)).JsonAsync();
        Assert.DoesNotContain(list["users"]!.AsArray(), u => (string?)u!["id"] == bMember.UserId.ToString());
        foreach (var (method, body) in new (HttpMethod, object?)[] { (HttpMethod.Patch, new { role = "host" }), (HttpMethod.Patch, new { name = "x" }), (HttpMethod.Delete, null) })
        {
            var response = await client.SendAsync(method, $"/api/users/{bMember.UserId}", body, a.AccessToken);
            Assert.Equal("user.not_found", (string?)(await response.ProblemAsync(HttpStatusCode.NotFound))["code"]);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, "/api/org/settings", new { guestAccessDefault = "open" }, a.AccessToken)).StatusCode);
        var bSettings = await (await client.SendAsync(HttpMethod.Get, "/api/org/settings", token: b.AccessToken)).JsonAsync();
        Assert.Equal("link_only", (string?)bSettings["settings"]!["guestAccessDefault"]);
        Assert.Equal(b.OrgId.ToString(), (string?)bSettings["id"]);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/auth/me", token: bMember.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task ValidlySignedTokenNamingAnotherOrgIsRefused()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var a = await AuthTestKit.RegisterAsync(client);
        var b = await AuthTestKit.RegisterAsync(client);
        var minter = new AccessTokenService(Options.Create(new AuthOptions { SigningKey = app.SigningKey }), app.Clock);

        var crossed = minter.Issue(a.UserId, b.OrgId, Role.Owner).Token;

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Get, "/api/org/settings", token: crossed)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/api/org/settings", token: minter.Issue(a.UserId, a.OrgId, Role.Owner).Token)).StatusCode);
    }

    [Fact]
    public async Task OwnerIsNeverDemotedOrRemovedAndAdminsCannotRaiseAnyoneToAdmin()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await NewOrgAsync(client);

        async Task<string?> CodeAsync(HttpMethod method, string path, object? body, Caller by) =>
            (string?)(await (await client.SendAsync(method, path, body, by.AccessToken)).ProblemAsync(HttpStatusCode.Forbidden))["code"];

        Assert.Equal("user.role_forbidden", await CodeAsync(HttpMethod.Patch, $"/api/users/{org.Owner.UserId}", new { role = "admin" }, org.Owner));
        Assert.Equal("user.change_forbidden", await CodeAsync(HttpMethod.Patch, $"/api/users/{org.Owner.UserId}", new { role = "member" }, org.Admin));
        Assert.Equal("user.change_forbidden", await CodeAsync(HttpMethod.Delete, $"/api/users/{org.Owner.UserId}", null, org.Owner));
        Assert.Equal("user.change_forbidden", await CodeAsync(HttpMethod.Delete, $"/api/users/{org.Owner.UserId}", null, org.Admin));
        Assert.Equal("user.role_forbidden", await CodeAsync(HttpMethod.Patch, $"/api/users/{org.Host.UserId}", new { role = "admin" }, org.Admin));
        Assert.Equal("user.role_forbidden", await CodeAsync(HttpMethod.Post, "/api/users", new { email = "a2@example.com", name = "A2", role = "admin" }, org.Admin));
        Assert.Equal("user.role_forbidden", await CodeAsync(HttpMethod.Patch, $"/api/users/{org.Host.UserId}", new { role = "owner" }, org.Owner));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, $"/api/users/{org.Host.UserId}", new { role = "admin" }, org.Owner.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Patch, $"/api/users/{org.Member.UserId}", new { role = "host" }, org.Admin.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task InviteLinkWorksOnceAndListsTheUserAsInvitedUntilThen()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var invite = await (await client.SendAsync(HttpMethod.Post, "/api/users", new { email = "Ivy@Example.com", name = "Ivy", role = "host" }, owner.AccessToken)).JsonAsync();
        var token = (string)invite["inviteToken"]!;
        Assert.Equal("/invite#token=" + token, (string?)invite["invitePath"]);
        var listed = await (await client.SendAsync(HttpMethod.Get, "/api/users", token: owner.AccessToken)).JsonAsync();
        Assert.Contains(listed["users"]!.AsArray(), u => (string?)u!["email"] == "ivy@example.com" && (string?)u["status"] == "invited");

        var accepted = await client.SendAsync(HttpMethod.Post, "/api/auth/accept-invite", new { token, password = AuthTestKit.Password });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var again = await client.SendAsync(HttpMethod.Post, "/api/auth/accept-invite", new { token, password = "another password please" });
        Assert.Equal("auth.invalid_invite", (string?)(await again.ProblemAsync(HttpStatusCode.NotFound))["code"]);
        var ivy = await AuthTestKit.LoginAsync(client, "ivy@example.com", owner.OrgSlug);
        Assert.Equal("host", ivy.Role);
    }

    [Fact]
    public async Task ListPagesWithACursor()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var org = await NewOrgAsync(client);

        var first = await (await client.SendAsync(HttpMethod.Get, "/api/users?limit=3", token: org.Owner.AccessToken)).JsonAsync();
        var cursor = (string)first["nextCursor"]!;
        var second = await (await client.SendAsync(HttpMethod.Get, $"/api/users?limit=3&cursor={cursor}", token: org.Owner.AccessToken)).JsonAsync();

        Assert.Equal(3, first["users"]!.AsArray().Count);
        Assert.Single(second["users"]!.AsArray());
        Assert.Null(second["nextCursor"]);
    }

    [Theory]
    [InlineData("POST", "/api/users", """{"email":"bad","name":"","role":"guest"}""", "email,name,role")]
    [InlineData("POST", "/api/users", """{}""", "email,name,role")]
    [InlineData("PATCH", "/api/users/{member}", """{"name":"","role":"superuser"}""", "name,role")]
    [InlineData("GET", "/api/users?limit=0&cursor=zzz", null, "cursor,limit")]
    public async Task BadInputIsAValidationProblemNamingEachField(string method, string path, string? json, string fields)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var member = await AuthTestKit.AddUserAsync(client, owner, "member");

        var response = await client.SendAsync(new HttpMethod(method), path.Replace("{member}", member.UserId.ToString()), json is null ? null : JsonNode.Parse(json), owner.AccessToken);

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(fields.Split(','), problem["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Fact]
    public async Task MalformedIdsAndBodiesAreClientErrors()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Patch, "/api/users/not-a-guid", new { name = "x" }),
            (HttpMethod.Delete, "/api/users/123", null),
            (HttpMethod.Patch, $"/api/users/{Guid.CreateVersion7()}", new { name = "x" }),
            (HttpMethod.Post, "/api/users", new StringContent("{oops", System.Text.Encoding.UTF8, "application/json")),
            (HttpMethod.Get, "/api/users?limit=abc", null),
        })
        {
            var response = await client.SendAsync(method, path, body, owner.AccessToken);
            Assert.InRange((int)response.StatusCode, 400, 499);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
