using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Castio.Tests.Deploy;

/// <summary><c>azure.yaml</c> deploys the Function App the standard way, and the postprovision hook gets the RTK webhook registered.</summary>
public sealed class AzdTests
{
    private const string Token = "rtk-token-that-must-not-be-printed";
    private const string WebhookUrl = "https://func-test.azurewebsites.net/webhooks/rtk";

    private static readonly string Hook = Path.Combine(BicepFixture.RepoRoot, "infra", "hooks", "postprovision.sh");

    [Fact]
    public void AzureYamlDeploysCastioFunctionsAsAFunctionService()
    {
        var yaml = File.ReadAllText(Path.Combine(BicepFixture.RepoRoot, "azure.yaml"));
        Assert.Matches(new Regex(@"^services:\s*\n\s+api:\s*\n(\s+\w+:.*\n){0,5}", RegexOptions.Multiline), yaml);
        Assert.Matches(new Regex(@"^\s+project:\s*\./Castio\.Functions\s*$", RegexOptions.Multiline), yaml);
        Assert.Matches(new Regex(@"^\s+language:\s*dotnet\s*$", RegexOptions.Multiline), yaml);
        Assert.Matches(new Regex(@"^\s+host:\s*function\s*$", RegexOptions.Multiline), yaml);
        Assert.Matches(new Regex(@"^\s+path:\s*infra/bicep\s*$", RegexOptions.Multiline), yaml);
        Assert.Matches(new Regex(@"^\s+postprovision:\s*\n(\s+\w+:.*\n)*?\s+run:\s*\./infra/hooks/postprovision\.sh\s*$", RegexOptions.Multiline), yaml);
    }

    [Fact]
    public async Task PostprovisionHookIsAnExecutableBashScript()
    {
        // azd runs a posix hook by its path, so the execute bit must be committed.
        Assert.False(OperatingSystem.IsWindows(), "azd hooks and the Bicep CLI package here are for Linux");
        Assert.True(!OperatingSystem.IsWindows() && File.GetUnixFileMode(Hook).HasFlag(UnixFileMode.UserExecute),
            $"{Hook} is not executable (git update-index --chmod=+x)");
        Assert.StartsWith("#!/usr/bin/env bash", File.ReadAllText(Hook));
        var syntax = await ProcessResult.RunAsync("bash", ["-n", Hook], BicepFixture.RepoRoot, ct: TestContext.Current.CancellationToken);
        Assert.True(syntax.ExitCode == 0, syntax.ToString());
    }

    [Fact]
    public async Task WithoutRtkCredentialsTheHookPrintsTheWebhookUrlAndTheManualStep()
    {
        var result = await RunHookAsync(rtkBaseUrl: null, withCredentials: false);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(WebhookUrl, result.StdOut);
        Assert.Contains("Manual step", result.StdOut);
    }

    [Fact]
    public async Task WithRtkCredentialsTheHookRegistersTheWebhookOnceWithoutPrintingTheToken()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var rtk = await FakeRtk.StartAsync(ct);

        var first = await RunHookAsync(rtk.BaseUrl, withCredentials: true);
        var second = await RunHookAsync(rtk.BaseUrl, withCredentials: true);

        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first + "\n" + second);
        var post = Assert.Single(rtk.Requests, r => r.Method == "POST");
        Assert.Equal("/accounts/acc-1/realtime/kit/app-1/webhooks", post.Path);
        Assert.Equal("Bearer " + Token, post.Authorization);
        var body = JsonNode.Parse(post.Body)!;
        Assert.Equal(WebhookUrl, (string?)body["url"]);
        Assert.Contains("meeting.ended", body["events"]!.AsArray().Select(e => (string?)e));
        Assert.Contains("recording.statusUpdate", body["events"]!.AsArray().Select(e => (string?)e));
        Assert.Contains("registered", first.StdOut);
        Assert.Contains("already registered", second.StdOut);
        Assert.DoesNotContain(Token, first.StdOut + first.StdErr + second.StdOut + second.StdErr);
    }

    [Fact]
    public async Task WhenRtkRejectsTheTokenTheHookFallsBackToTheManualStep()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var rtk = await FakeRtk.StartAsync(ct, rejectAll: true);

        var result = await RunHookAsync(rtk.BaseUrl, withCredentials: true);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Manual step", result.StdOut);
        Assert.DoesNotContain(rtk.Requests, r => r.Method == "POST");
        Assert.DoesNotContain(Token, result.StdOut + result.StdErr);
    }

    private static Task<ProcessResult> RunHookAsync(string? rtkBaseUrl, bool withCredentials) =>
        ProcessResult.RunAsync(Hook, [], BicepFixture.RepoRoot, new Dictionary<string, string?>
        {
            ["CASTIO_WEBHOOK_URL"] = WebhookUrl,
            ["CASTIO_API_BASE_URL"] = "https://func-test.azurewebsites.net",
            ["RTK_BASE_URL"] = rtkBaseUrl,
            ["RTK_ACCOUNT_ID"] = withCredentials ? "acc-1" : null,
            ["RTK_APP_ID"] = withCredentials ? "app-1" : null,
            ["RTK_API_TOKEN"] = withCredentials ? Token : null,
        }, TestContext.Current.CancellationToken);

    /// <summary>The two RTK webhook endpoints the hook calls, on loopback, remembering what it registered.</summary>
    private sealed class FakeRtk : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentBag<string> _registered = [];

        private FakeRtk(WebApplication app) => _app = app;

        public ConcurrentQueue<(string Method, string Path, string? Authorization, string Body)> Requests { get; } = new();

        public string BaseUrl => _app.Urls.Single();

        public static async Task<FakeRtk> StartAsync(CancellationToken ct, bool rejectAll = false)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var rtk = new FakeRtk(app);
            app.Use(async (context, next) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                rtk.Requests.Enqueue((context.Request.Method, context.Request.Path.Value ?? "", context.Request.Headers.Authorization.ToString(), body));
                if (rejectAll)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }
                context.Items["body"] = body;
                await next(context);
            });
            app.MapGet("/accounts/{account}/realtime/kit/{appId}/webhooks", () =>
                Results.Json(new { success = true, data = rtk._registered.Select((url, i) => new { id = $"wh-{i}", name = "castio", url }) }));
            app.MapPost("/accounts/{account}/realtime/kit/{appId}/webhooks", (HttpContext context) =>
            {
                var url = (string?)JsonNode.Parse((string)context.Items["body"]!)?["url"] ?? "";
                rtk._registered.Add(url);
                return Results.Json(new { success = true, data = new { id = "wh-new", name = "castio", url } }, statusCode: StatusCodes.Status201Created);
            });
            await app.StartAsync(ct);
            return rtk;
        }

        public ValueTask DisposeAsync() => _app.DisposeAsync();
    }
}
