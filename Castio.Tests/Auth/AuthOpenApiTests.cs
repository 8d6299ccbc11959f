using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Auth;

public class AuthOpenApiTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task EveryAuthUserAndOrgRouteIsDocumentedWithItsAuthRule()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();

        var document = (await client.GetFromJsonAsync<JsonNode>("/api/openapi.json", TestContext.Current.CancellationToken))!;

        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["Bearer"]!["scheme"]);
        var expected = new (string Path, string Method, string? Roles)[]
        {
            ("/api/auth/register", "post", null),
            ("/api/auth/login", "post", null),
            ("/api/auth/refresh", "post", null),
            ("/api/auth/logout", "post", null),
            ("/api/auth/accept-invite", "post", null),
            ("/api/auth/me", "get", "owner,admin,host,member"),
            ("/api/users", "get", "owner,admin"),
            ("/api/users", "post", "owner,admin"),
            ("/api/users/{userId}", "patch", "owner,admin"),
            ("/api/users/{userId}", "delete", "owner,admin"),
            ("/api/org/settings", "get", "owner,admin,host,member"),
            ("/api/org/settings", "patch", "owner,admin"),
            ("/api/org/branding", "post", "owner,admin"),
            ("/api/branding/{orgSlug}", "get", null),
            ("/api/branding/{orgSlug}/{kind}", "get", null),
        };
        foreach (var (path, method, roles) in expected)
        {
            var operation = document["paths"]![path]?[method];
            Assert.True(operation is not null, $"{method} {path} is missing from the OpenAPI document");
            if (roles is null)
            {
                Assert.Null(operation["security"]);
            }
            else
            {
                Assert.NotNull(operation["security"]);
                Assert.Equal(roles, string.Join(",", operation["x-castio-roles"]!.AsArray().Select(r => (string?)r)));
            }
        }
    }
}
