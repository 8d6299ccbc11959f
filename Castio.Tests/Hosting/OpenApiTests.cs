using System.Diagnostics;
using System.Text.Json.Nodes;
using Castio.LocalHost;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Hosting;

/// <summary>
/// Castio.Functions/openapi.json is generated from the functions (through LocalHost's endpoints), checked in, and
/// served by the OpenApi function. Regenerate it with <c>CASTIO_UPDATE_OPENAPI=1 dotnet test --filter OpenApiTests</c>.
/// </summary>
public class OpenApiTests(AzuriteFixture azurite)
{
    private static readonly string Root = AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("Repository root not found.");

    private static readonly string CheckedIn = Path.Combine(Root, "Castio.Functions", "openapi.json");

    [Fact]
    public async Task CheckedInDocumentMatchesTheFunctions()
    {
        await using var app = new CastioApplication(azurite);
        _ = app.BaseAddress;
        var generated = await OpenApiDocument.GenerateAsync(app.Services, TestContext.Current.CancellationToken);
        if (Environment.GetEnvironmentVariable("CASTIO_UPDATE_OPENAPI") == "1")
            await File.WriteAllTextAsync(CheckedIn, generated, TestContext.Current.CancellationToken);

        Assert.True(generated == await File.ReadAllTextAsync(CheckedIn, TestContext.Current.CancellationToken),
            "Castio.Functions/openapi.json is stale: run CASTIO_UPDATE_OPENAPI=1 dotnet test Castio.Tests --filter OpenApiTests and commit it.");
    }

    [Fact]
    public async Task TheOpenApiFunctionServesTheCheckedInDocument()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var response = await client.GetAsync("/api/openapi.json", TestContext.Current.CancellationToken);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllTextAsync(CheckedIn, TestContext.Current.CancellationToken), await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void EveryRouteIsDocumentedWithItsAuthRule()
    {
        var document = JsonNode.Parse(File.ReadAllText(CheckedIn))!;
        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["Bearer"]!["scheme"]);
        var expected = new (string Path, string Method, string? Roles)[]
        {
            ("/api/ping", "get", null),
            ("/api/openapi.json", "get", null),
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
            ("/api/meetings", "post", "owner,admin,host"),
            ("/api/meetings", "get", "owner,admin,host,member"),
            ("/api/diagnostics/health", "get", "owner,admin"),
            ("/api/diagnostics/health/snapshots", "get", "owner,admin"),
            ("/api/diagnostics/settings", "get", "owner,admin"),
            ("/api/diagnostics/settings", "patch", "owner"),
            ("/api/diagnostics/phone-home", "post", "owner"),
            ("/api/meetings/{meetingId}", "get", "owner,admin,host,member"),
            ("/api/meetings/{meetingId}", "patch", "owner,admin,host"),
            ("/api/meetings/{meetingId}", "delete", "owner,admin,host"),
            ("/api/meetings/{meetingId}/start", "post", "owner,admin,host"),
            ("/api/meetings/{meetingId}/end", "post", "owner,admin,host"),
            ("/api/public/{orgSlug}/m/{slug}", "get", null),
            ("/api/schedule/preview", "post", "owner,admin,host,member"),
            ("/api/meetings/{id}/occurrences", "get", "owner,admin,host,member"),
            ("/api/meetings/{id}/calendar.ics", "get", "owner,admin,host,member"),
            ("/api/schedule", "get", "owner,admin,host,member"),
            ("/api/schedule/{occurrenceId}", "patch", "owner,admin,host,member"),
            ("/api/schedule/{occurrenceId}", "delete", "owner,admin,host,member"),
            ("/api/meetings/{id}/invites", "post", "owner,admin,host"),
            ("/api/meetings/{id}/invites", "get", "owner,admin,host"),
            ("/api/invites/{inviteId}/rsvp", "post", "owner,admin,host,member"),
            ("/api/me/invites", "get", "owner,admin,host,member"),
            ("/api/meetings/{id}/participants", "get", "owner,admin,host"),
            ("/api/meetings/{id}/participants/{participantId}/kick", "post", "owner,admin,host"),
            ("/api/meetings/{id}/participants/{participantId}", "patch", "owner,admin,host"),
            ("/api/meetings/{id}/lock", "post", "owner,admin,host"),
            ("/api/meetings/{id}/unlock", "post", "owner,admin,host"),
            ("/api/meetings/{id}/recording/start", "post", "owner,admin,host"),
            ("/api/meetings/{id}/recording/stop", "post", "owner,admin,host"),
            ("/api/meetings/{id}/livestream/start", "post", "owner,admin,host"),
            ("/api/meetings/{id}/livestream/stop", "post", "owner,admin,host"),
            ("/api/meetings/{id}/audit", "get", "owner,admin,host"),
            ("/api/meetings/{id}/join", "post", "owner,admin,host,member"),
            ("/api/meetings/{id}/guest-join", "post", null),
            ("/webhooks/rtk", "post", null),
            ("/api/analytics/meetings", "get", "owner,admin,host"),
            ("/api/analytics/overview", "get", "owner,admin,host"),
            ("/api/analytics/usage", "get", "owner,admin,host"),
            ("/api/diagnostics/active-meetings", "get", "owner,admin"),
            ("/api/diagnostics/webhooks", "get", "owner,admin"),
            ("/api/diagnostics/webhooks/{deliveryId}", "get", "owner,admin"),
            ("/api/diagnostics/webhooks/{deliveryId}/replay", "post", "owner,admin"),
            ("/api/diagnostics/meetings/{meetingId}/investigate", "get", "owner,admin"),
            ("/api/meetings/{meetingId}/sessions", "get", "owner,admin,host,member"),
            ("/api/meetings/{meetingId}/sessions/{sessionId}", "get", "owner,admin,host,member"),
            ("/api/meetings/{meetingId}/recordings", "get", "owner,admin,host,member"),
            ("/api/meetings/{meetingId}/transcripts", "get", "owner,admin,host,member"),
            ("/api/meetings/{meetingId}/summary", "get", "owner,admin,host,member"),
            ("/api/meetings/{meetingId}/summary", "post", "owner,admin,host"),
            ("/api/meetings/{meetingId}/chat-export", "get", "owner,admin,host,member"),
            ("/api/meetings/{meetingId}/sessions/{sessionId}/reconcile", "post", "owner,admin,host"),
        };
        Assert.Equal(expected.Length, document["paths"]!.AsObject().Sum(p => p.Value!.AsObject().Count(o => o.Key != "parameters")));
        foreach (var (path, method, roles) in expected)
        {
            var operation = document["paths"]![path]?[method];
            Assert.True(operation is not null, $"{method} {path} is missing from the OpenAPI document");
            var security = operation["security"]!.AsArray();
            if (roles is null)
            {
                Assert.Empty(security); // anonymous, and saying so
            }
            else
            {
                Assert.Single(security);
                Assert.Equal(roles, string.Join(",", operation[OpenApiDocument.RolesExtension]!.AsArray().Select(r => (string?)r)));
                Assert.NotNull(operation["responses"]!["401"]);
            }
        }
    }

    /// <summary>The SPA team lints with Redocly's recommended rules; the document passes with no error and no warning.</summary>
    [Fact]
    public async Task RedoclyRecommendedLintFindsNothing()
    {
        var cli = Path.Combine(Root, "node_modules", "@redocly", "cli", "bin", "cli.js");
        Assert.True(File.Exists(cli), "Run npm ci at the repository root (Redocly CLI is a pinned dev dependency).");
        var start = new ProcessStartInfo("node", [cli, "lint", "--extends=recommended", "--format=stylish", CheckedIn])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
            Environment = { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        var report = await output + await errors;
        Assert.True(process.ExitCode == 0, report);
        Assert.Contains("Woohoo! Your API description is valid.", report);
        // Stylish lines read "12:5  warning  rule-name  message"; the Node.js deprecation banner is not a finding.
        Assert.DoesNotMatch(@"\d+:\d+\s+(warning|error)\s", report);
        Assert.DoesNotMatch(@"\d+ warnings?", report);
    }
}
