using System.Diagnostics;
using System.Net;
using Castio.Core.Rtk;
using Castio.RtkSimulator;
using Polly.CircuitBreaker;
using Polly.Timeout;
using static Castio.Tests.Rtk.RtkTestKit;

namespace Castio.Tests.Rtk;

/// <summary>Errors, retries, Retry-After and the circuit breaker, against a simulator per test.</summary>
public sealed class RtkResilienceTests : IAsyncLifetime
{
    private RtkSimulatorHost _sim = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions { DefaultAppId = "app-1" });

    public async ValueTask DisposeAsync() => await _sim.DisposeAsync();

    private int Count(string method) => _sim.State.Requests.Count(r => r.Method == method);

    [Fact]
    public async Task GetIsRetriedAfterServerErrorsAndSucceeds()
    {
        var rtk = Client(_sim);
        var meeting = await rtk.Meetings.CreateAsync("app-1", new RtkMeetingRequest { Title = "x" }, Ct);
        _sim.State.Faults.FailNext(2, 503);

        var got = await rtk.Meetings.GetAsync("app-1", meeting.Id, Ct);

        Assert.Equal(meeting.Id, got.Id);
        Assert.Equal(3, Count("GET"));
    }

    [Fact]
    public async Task PatchAndDeleteAreRetriedAsIdempotent()
    {
        var rtk = Client(_sim);
        var meeting = await rtk.Meetings.CreateAsync("app-1", new RtkMeetingRequest(), Ct);
        _sim.State.Faults.FailNext(1, 502);

        var patched = await rtk.Meetings.UpdateAsync("app-1", meeting.Id, new RtkMeetingUpdate { Title = "t" }, Ct);

        Assert.Equal("t", patched.Title);
        Assert.Equal(2, Count("PATCH"));
    }

    [Fact]
    public async Task PostIsNotRetriedOnServerErrorAndReportsRtkDown()
    {
        var rtk = Client(_sim);
        _sim.State.Faults.FailNext(1, 500);

        var ex = await Assert.ThrowsAsync<RtkUnavailableException>(() => rtk.Meetings.CreateAsync("app-1", new RtkMeetingRequest(), Ct));

        Assert.Equal(HttpStatusCode.InternalServerError, ex.Status);
        Assert.Equal(500, ex.ErrorCode);
        Assert.True(ex.IsUnavailable);
        Assert.Equal(1, Count("POST"));
    }

    [Fact]
    public async Task RecordingActionPutIsNotRetriedOnServerError()
    {
        var rtk = Client(_sim);
        _sim.State.Faults.FailNext(1, 503);

        await Assert.ThrowsAsync<RtkUnavailableException>(() => rtk.Recordings.StopAsync("app-1", "rec-1", Ct));

        Assert.Equal(1, Count("PUT"));
    }

    [Fact]
    public async Task TooManyRequestsIsRetriedAfterRetryAfterEvenForPost()
    {
        var rtk = Client(_sim);
        _sim.State.Faults.FailNext(1, 429, TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        var meeting = await rtk.Meetings.CreateAsync("app-1", new RtkMeetingRequest { Title = "after 429" }, Ct);

        Assert.Equal("after 429", meeting.Title);
        var posts = _sim.State.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(2, posts.Count);
        Assert.True(posts[1].ReceivedAt - posts[0].ReceivedAt >= TimeSpan.FromMilliseconds(950), $"waited only {posts[1].ReceivedAt - posts[0].ReceivedAt}");
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(950));
    }

    [Fact]
    public async Task RetryAfterLongerThanAllowedFailsFastWithTheHint()
    {
        var rtk = Client(_sim, o => o.MaxRetryAfter = TimeSpan.FromSeconds(2));
        _sim.State.Faults.FailNext(1, 429, TimeSpan.FromSeconds(60));

        var ex = await Assert.ThrowsAsync<RtkUnavailableException>(() => rtk.Apps.ListAsync(cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.Status);
        Assert.Equal(TimeSpan.FromSeconds(60), ex.RetryAfter);
        Assert.Equal(1, Count("GET"));
    }

    [Fact]
    public async Task SimulatorAccountRateLimitAnswers429WithRetryAfterAndTheClientWaitsItOut()
    {
        await using var sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions { RateLimitRequests = 2, RateLimitWindow = TimeSpan.FromSeconds(1) }, Ct);
        var noRetry = Client(sim, o => o.MaxRetries = 0);
        await noRetry.Apps.ListAsync(cancellationToken: Ct);
        await noRetry.Apps.ListAsync(cancellationToken: Ct);

        var limited = await Assert.ThrowsAsync<RtkUnavailableException>(() => noRetry.Apps.ListAsync(cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal(TimeSpan.FromSeconds(1), limited.RetryAfter);

        var patient = Client(sim);
        var page = await patient.Apps.ListAsync(cancellationToken: Ct);
        Assert.NotNull(page.Items);
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 6, 3, 10, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task RateLimitWindowFollowsTheSimulatorClock()
    {
        var clock = new ManualClock();
        await using var sim = await RtkSimulatorHost.StartAsync(new RtkSimulatorOptions
        {
            RateLimitRequests = 1, RateLimitWindow = TimeSpan.FromMinutes(1), TimeProvider = clock,
        }, Ct);
        var rtk = Client(sim, o => o.MaxRetries = 0);
        await rtk.Apps.ListAsync(cancellationToken: Ct);

        clock.Now += TimeSpan.FromSeconds(15);
        var limited = await Assert.ThrowsAsync<RtkUnavailableException>(() => rtk.Apps.ListAsync(cancellationToken: Ct));
        Assert.Equal(TimeSpan.FromSeconds(45), limited.RetryAfter);

        clock.Now += TimeSpan.FromSeconds(46);
        Assert.NotNull((await rtk.Apps.ListAsync(cancellationToken: Ct)).Items);
    }

    [Fact]
    public async Task ClientErrorIsRtkSaidNoAndIsNotRetried()
    {
        var rtk = Client(_sim);

        var ex = await Assert.ThrowsAsync<RtkException>(() => rtk.Meetings.GetAsync("app-1", "missing", Ct));

        Assert.IsNotType<RtkUnavailableException>(ex);
        Assert.False(ex.IsUnavailable);
        Assert.Equal(HttpStatusCode.NotFound, ex.Status);
        Assert.Equal(404, ex.ErrorCode);
        Assert.Equal("No meeting found with id missing", ex.Message);
        Assert.Equal(1, Count("GET"));
    }

    [Fact]
    public async Task ValidationErrorCarriesRtkMessage()
    {
        var rtk = Client(_sim);
        var meeting = await rtk.Meetings.CreateAsync("app-1", new RtkMeetingRequest(), Ct);

        var ex = await Assert.ThrowsAsync<RtkException>(() => rtk.Participants.AddAsync("app-1", meeting.Id,
            new RtkAddParticipantRequest { CustomParticipantId = "u", PresetName = "no_such_preset" }, Ct));

        Assert.Equal(HttpStatusCode.BadRequest, ex.Status);
        Assert.Contains("no_such_preset", ex.Message);
    }

    [Fact]
    public async Task BadApiTokenIsReadFromTheGatewayErrorsShape()
    {
        var rtk = Client(_sim, o => o.ApiToken = "wrong");

        var ex = await Assert.ThrowsAsync<RtkException>(() => rtk.Apps.ListAsync(cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, ex.Status);
        Assert.Equal(10000, ex.ErrorCode);
        Assert.Equal("Authentication error", ex.Message);
        Assert.False(ex.IsUnavailable);
    }

    [Fact]
    public async Task SlowAnswerTimesOutAsRtkDown()
    {
        var rtk = Client(_sim, o => { o.AttemptTimeout = TimeSpan.FromMilliseconds(200); o.MaxRetries = 0; });
        _sim.State.Faults.LatencyMs = 2000;

        var ex = await Assert.ThrowsAsync<RtkUnavailableException>(() => rtk.Apps.ListAsync(cancellationToken: Ct));

        Assert.IsType<TimeoutRejectedException>(ex.InnerException);
        Assert.Null(ex.Status);
    }

    [Fact]
    public async Task DroppedConnectionIsRtkDownAfterRetries()
    {
        var rtk = Client(_sim);
        _sim.State.Faults.Down = true;
        _sim.State.Faults.DownDropsConnections = true;

        var ex = await Assert.ThrowsAsync<RtkUnavailableException>(() => rtk.Apps.ListAsync(cancellationToken: Ct));

        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Equal(3, Count("GET")); // first try + MaxRetries 2
    }

    [Fact]
    public async Task CircuitOpensOnOutageFailsFastThenClosesWhenRtkRecovers()
    {
        var options = OptionsFor(_sim, o =>
        {
            o.MaxRetries = 0;
            o.CircuitMinimumThroughput = 2;
            o.CircuitFailureRatio = 0.5;
            o.CircuitSamplingDuration = TimeSpan.FromSeconds(5);
            o.CircuitBreakDuration = TimeSpan.FromMilliseconds(500);
        });
        var resilience = new RtkResilience(Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RtkResilience>.Instance);
        var rtk = new RtkClient(new HttpClient(), Microsoft.Extensions.Options.Options.Create(options), resilience,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RtkClient>.Instance);
        _sim.State.Faults.Down = true;

        await Assert.ThrowsAsync<RtkUnavailableException>(() => rtk.Apps.ListAsync(cancellationToken: Ct));
        await Assert.ThrowsAsync<RtkUnavailableException>(() => rtk.Apps.ListAsync(cancellationToken: Ct));
        Assert.Equal(CircuitState.Open, resilience.CircuitState);

        var sent = _sim.State.Requests.Count;
        var fast = await Assert.ThrowsAsync<RtkUnavailableException>(() => rtk.Meetings.CreateAsync("app-1", new RtkMeetingRequest(), Ct));
        Assert.IsType<BrokenCircuitException>(fast.InnerException);
        Assert.Equal(sent, _sim.State.Requests.Count); // nothing reached RTK

        _sim.State.Faults.Down = false;
        await Task.Delay(TimeSpan.FromMilliseconds(600), Ct);
        var page = await rtk.Apps.ListAsync(cancellationToken: Ct);
        Assert.NotNull(page.Items);
        Assert.Equal(CircuitState.Closed, resilience.CircuitState);
    }

    [Fact]
    public void OutagesAndRefusalsBecomeDistinctProblems()
    {
        var down = new RtkUnavailableException("x", HttpStatusCode.TooManyRequests, 429, retryAfter: TimeSpan.FromSeconds(1.2)).ToProblemDetails();
        Assert.Equal(503, down.Status);
        Assert.Equal(RtkProblemCodes.Unavailable, down.Extensions["code"]);
        Assert.Equal("2", down.Extensions["retryAfterSeconds"]);

        var no = new RtkException("secret upstream detail", HttpStatusCode.BadRequest, 400, isUnavailable: false).ToProblemDetails();
        Assert.Equal(502, no.Status);
        Assert.Equal(RtkProblemCodes.Rejected, no.Extensions["code"]);
        Assert.DoesNotContain("secret", no.Detail);
    }

    [Theory]
    [InlineData("""{"success":false,"error":{"code":404,"message":"No user found with id 1"}}""", 404, "No user found with id 1")]
    [InlineData("""{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}""", 10000, "Authentication error")]
    [InlineData("""{"success":false,"error":"flat text"}""", null, "flat text")]
    [InlineData("<html>bad gateway</html>", null, null)]
    [InlineData("", null, null)]
    public void ErrorBodiesOfBothShapesAreParsed(string body, int? code, string? message)
    {
        var (parsedCode, parsedMessage) = RtkConnection.ParseError(body);
        Assert.Equal(code, parsedCode);
        Assert.Equal(message, parsedMessage);
    }
}
