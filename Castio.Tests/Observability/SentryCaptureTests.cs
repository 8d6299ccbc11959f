using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Castio.Core.Observability;
using Castio.Functions.Http;
using Castio.Functions.Observability;
using Castio.LocalHost;
using Castio.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Castio.Tests.Observability.SentryCapture;

namespace Castio.Tests.Observability;

/// <summary>
/// Unhandled exceptions, as Sentry's ingest receives them: the official SDK posts envelopes to LocalHost's capture
/// endpoints, and each test reads back what left the process.
/// </summary>
public class SentryCaptureTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> FailAsync(HttpClient client, string meetingId = "meeting-42")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/faulty/meetings/{meetingId}/boom?email={FaultyFunctions.Secrets[0]}&token={FaultyFunctions.Secrets[5]}&page=2");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FaultyFunctions.Secrets[3]);
        request.Headers.Add("Cookie", "session=" + FaultyFunctions.Secrets[5]);
        request.Headers.Add("X-Forwarded-For", FaultyFunctions.Secrets[1]);
        request.Headers.Add("X-Rtk-Token", FaultyFunctions.Secrets[6]);
        request.Content = new StringContent("{\"password\":\"" + FaultyFunctions.Secrets[4] + "\"}", System.Text.Encoding.UTF8, "application/json");
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task AnHttpFunctionsExceptionGoesOnceToBothDsnsWithItsTags()
    {
        await using var app = Create(azurite, out _);
        using var client = app.CreateHttpClient();

        var response = await FailAsync(client);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        foreach (var name in new[] { VendorName, CustomerName })
        {
            var events = await EventsAsync(app, client, name, atLeast: 1);
            var e = Assert.Single(events);
            Assert.Equal("/__capture/" + name + "/api/1/envelope/", e.Path);
            Assert.Equal("System.InvalidOperationException", e.ExceptionType);
            Assert.Equal("http", e.Tag("component"));
            Assert.Equal("deploy-test-1", e.Tag("deployment_id"));
            Assert.Equal(FaultyFunctions.OrgId, e.Tag("org_id"));
            Assert.Equal("meeting-42", e.Tag("meeting_id"));
            Assert.Equal("castio@9.9.9-test", e.Event.GetProperty("release").GetString());
            Assert.Equal("testing", e.Event.GetProperty("environment").GetString());
            Assert.Equal("POST", e.Event.GetProperty("request").GetProperty("method").GetString());
        }
    }

    [Fact]
    public async Task NoPersonalDataOrSecretLeavesInAnyEvent()
    {
        await using var app = Create(azurite, out _);
        using var client = app.CreateHttpClient();

        await FailAsync(client);

        var e = Assert.Single(await EventsAsync(app, client, VendorName, atLeast: 1));
        foreach (var secret in FaultyFunctions.Secrets)
            Assert.DoesNotContain(secret, e.RawEnvelope, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("example.com", e.RawEnvelope, StringComparison.OrdinalIgnoreCase);
        var request = e.Event.GetProperty("request");
        var headers = request.GetProperty("headers");
        Assert.False(headers.TryGetProperty("Authorization", out _));
        Assert.False(headers.TryGetProperty("Cookie", out _));
        Assert.False(headers.TryGetProperty("X-Forwarded-For", out _));
        Assert.Equal("email=[redacted]&token=[redacted]&page=[redacted]", request.GetProperty("query_string").GetString());
        // The message keeps its shape, so the event stays useful.
        var message = e.Event.GetProperty("exception").GetProperty("values")[0].GetProperty("value").GetString();
        Assert.StartsWith("Join failed for [email] from [ip] / [ip]: token [jwt], password=[redacted]", message);
        Assert.False(e.Event.TryGetProperty("user", out var user) && (user.TryGetProperty("ip_address", out _) || user.TryGetProperty("email", out _)));
        Assert.False(e.Event.TryGetProperty("server_name", out _));
    }

    [Fact]
    public async Task ASwitchedOffDsnGetsNothing()
    {
        await using var app = Create(azurite, out _).WithSetting("Sentry:CustomerEnabled", "false");
        using var client = app.CreateHttpClient();

        await FailAsync(client);

        Assert.Single(await EventsAsync(app, client, VendorName, atLeast: 1));
        Assert.Empty(await EventsAsync(app, client, CustomerName));
        Assert.Equal([ErrorReporter.Vendor], app.Services.GetRequiredService<ErrorReporter>().Destinations);
    }

    [Fact]
    public async Task TheCustomerDsnAloneWorksWithoutTheVendors()
    {
        await using var app = Create(azurite, out _).WithSetting("Sentry:VendorDsn", "");
        using var client = app.CreateHttpClient();

        await FailAsync(client);

        Assert.Single(await EventsAsync(app, client, CustomerName, atLeast: 1));
        Assert.Empty(await EventsAsync(app, client, VendorName));
    }

    [Fact]
    public async Task WithBothSwitchedOffNothingIsSentAndTheErrorIsStillLogged()
    {
        await using var app = Create(azurite, out _).WithSetting("Sentry:CustomerEnabled", "false").WithSetting("Sentry:VendorEnabled", "false");
        using var client = app.CreateHttpClient();

        var response = await FailAsync(client);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Empty(app.Services.GetRequiredService<ErrorReporter>().Destinations);
        Assert.Empty(await EventsAsync(app, client, VendorName));
        Assert.Empty(await EventsAsync(app, client, CustomerName));
        Assert.Contains(app.Logs, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("InvalidOperationException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProblemsBelow500AreAnswersNotErrors()
    {
        await using var app = Create(azurite, out _);
        using var client = app.CreateHttpClient();

        var notFound = await client.GetAsync("/api/faulty/missing", Ct);
        var invalid = await client.PostAsync("/api/faulty/invalid", null, Ct);

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Empty(await EventsAsync(app, client, VendorName));
        Assert.Empty(await EventsAsync(app, client, CustomerName));
    }

    [Fact]
    public async Task ATimerFunctionsExceptionIsCapturedOnce()
    {
        await using var app = Create(azurite, out _);
        using var client = app.CreateHttpClient();
        var timers = app.Services.GetServices<IHostedService>().OfType<TimerTriggers>().Single();
        var function = app.Services.GetRequiredService<FunctionCatalog>().Timers.Single(t => t.Name == "Faulty_Timer");

        await timers.InvokeAsync(function, new TimerInfo(), Ct);

        var e = Assert.Single(await EventsAsync(app, client, VendorName, atLeast: 1));
        Assert.Equal("System.TimeoutException", e.ExceptionType);
        Assert.Equal("timer", e.Tag("component"));
        Assert.Equal("Faulty_Timer", e.Tag("function"));
        Assert.Equal(FaultyFunctions.OrgId, e.Tag("org_id"));
        Assert.Equal("meeting-from-timer", e.Tag("meeting_id"));
        Assert.DoesNotContain(FaultyFunctions.Secrets[0], e.RawEnvelope, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailingActivityIsCapturedOnceAndNotAgainAsItsOrchestration()
    {
        await using var app = Create(azurite, out var port);
        using var client = app.CreateHttpClient();
        await using var durable = await DurableHostAsync(port);

        var status = await RunAsync(durable, "Faulty_RunsFailingActivity", "meeting-7");

        Assert.Equal(OrchestrationRuntimeStatus.Failed, status);
        await durable.Services.GetRequiredService<ErrorReporter>().FlushAsync(TimeSpan.FromSeconds(10));
        var e = Assert.Single(await EventsAsync(app, client, VendorName, atLeast: 1));
        Assert.Equal("activity", e.Tag("component"));
        Assert.Equal("Faulty_Fail", e.Tag("function"));
        Assert.Equal("meeting-7", e.Tag("meeting_id"));
        Assert.Equal(FaultyFunctions.OrgId, e.Tag("org_id"));
    }

    [Fact]
    public async Task AnOrchestratorsOwnExceptionIsCapturedOnceAcrossReplays()
    {
        await using var app = Create(azurite, out var port);
        using var client = app.CreateHttpClient();
        await using var durable = await DurableHostAsync(port);

        var status = await RunAsync(durable, "Faulty_Throws", "echo");

        Assert.Equal(OrchestrationRuntimeStatus.Failed, status);
        await durable.Services.GetRequiredService<ErrorReporter>().FlushAsync(TimeSpan.FromSeconds(10));
        var e = Assert.Single(await EventsAsync(app, client, VendorName, atLeast: 1));
        Assert.Equal("orchestration", e.Tag("component"));
        Assert.Equal("Faulty_Throws", e.Tag("function"));
        Assert.Equal("System.InvalidOperationException", e.ExceptionType);
    }

    [Fact]
    public async Task ASlowSentryDoesNotHoldUpTheAnswer()
    {
        await using var app = Create(azurite, out _)
            .WithSetting(CaptureEndpoints.DelaySetting, "00:00:20")
            .WithSetting("Sentry:ShutdownTimeout", "00:00:00");
        using var client = app.CreateHttpClient();
        await client.GetAsync("/api/faulty/missing", Ct); // start-up out of the timing

        var watch = Stopwatch.StartNew();
        var response = await FailAsync(client);
        watch.Stop();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"answered after {watch.Elapsed}");
        // The event did go out, while its sender was still waiting for the slow ingest to answer.
        var events = await Eventually.GetAsync(async () => (await ReadAsync(client, VendorName, Ct)) is { Count: > 0 } e ? e : null, TimeSpan.FromSeconds(10), Ct);
        Assert.Single(events);
    }

    [Fact]
    public async Task AnUnreachableSentryDoesNotHoldUpTheAnswer()
    {
        await using var app = Create(azurite, out _)
            .WithSetting("Sentry:VendorDsn", "http://publickey@127.0.0.1:9/1")
            .WithSetting("Sentry:Dsn", "http://publickey@127.0.0.1:9/2")
            .WithSetting("Sentry:ShutdownTimeout", "00:00:00");
        using var client = app.CreateHttpClient();
        await client.GetAsync("/api/faulty/missing", Ct);

        var watch = Stopwatch.StartNew();
        var first = await FailAsync(client);
        var second = await FailAsync(client);
        watch.Stop();

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, second.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"answered after {watch.Elapsed}");
    }

    /// <summary>The faulty orchestrators and activities on the in-memory Durable worker, reporting to the app's capture endpoint.</summary>
    private static async Task<DurableHost> DurableHostAsync(int port)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Sentry:VendorDsn"] = Dsn(port, VendorName);
        builder.Services.AddObservability();
        builder.Services.AddSingleton<FunctionFailures>();
        builder.Services.AddDurableFunctions(new FunctionCatalog([typeof(FaultyFunctions)]));
        var host = builder.Build();
        await host.StartAsync(Ct);
        return new DurableHost(host);
    }

    private sealed class DurableHost(IHost host) : IAsyncDisposable
    {
        public IServiceProvider Services => host.Services;

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }

    private static async Task<OrchestrationRuntimeStatus> RunAsync(DurableHost host, string orchestrator, string input)
    {
        var client = host.Services.GetRequiredService<DurableTaskClient>();
        var id = await client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, cancellation: Ct);
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, Ct);
        return done.RuntimeStatus;
    }
}
