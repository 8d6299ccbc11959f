using System.Collections.Concurrent;
using System.Diagnostics;
using Castio.Core.Observability;
using Castio.Core.Rtk;
using Castio.Tests.Rtk;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Castio.Tests.Observability;

/// <summary>Every RTK call leaves a span and, when it fails, a log line with its status, duration and RTK's error body.</summary>
public sealed class RtkTelemetryTests : IClassFixture<SimulatorFixture>, IDisposable
{
    private readonly SimulatorFixture simulator;
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public RtkTelemetryTests(SimulatorFixture simulator)
    {
        this.simulator = simulator;
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RtkCall.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _spans.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private (RtkClient Client, ListLogger Logs) Client()
    {
        var logs = new ListLogger();
        // Generous timeouts: a loaded machine can take seconds over a simulator's first request, and timing is not what this checks.
        var options = Options.Create(RtkTestKit.OptionsFor(simulator.Sim, o => { o.AttemptTimeout = TimeSpan.FromSeconds(30); o.RequestTimeout = TimeSpan.FromSeconds(60); }));
        var resilience = new RtkResilience(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<RtkResilience>.Instance);
        return (new RtkClient(new HttpClient(), options, resilience, logs), logs);
    }

    private Activity SpanFor(string pathPart) => Assert.Single(_spans, s => ((string?)s.GetTagItem("rtk.path"))?.Contains(pathPart, StringComparison.Ordinal) == true);

    [Fact]
    public async Task ASuccessfulCallHasAClientSpanWithStatusAndDuration()
    {
        var (client, logs) = Client();
        var app = await client.Apps.CreateAsync("telemetry-" + Guid.NewGuid().ToString("N")[..8], Ct);
        var meeting = await client.Meetings.CreateAsync(app.Id, new RtkMeetingRequest { Title = "Telemetry" }, Ct);

        await client.Meetings.GetAsync(app.Id, meeting.Id, Ct);

        var span = SpanFor("/meetings/" + meeting.Id);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("GET", span.GetTagItem("http.request.method"));
        Assert.Equal(200, span.GetTagItem("http.response.status_code"));
        Assert.IsType<double>(span.GetTagItem("rtk.duration_ms"));
        Assert.Null(span.GetTagItem("rtk.error_body"));
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task AFailedCallCarriesRtksErrorBodyOnTheSpanAndTheLog()
    {
        var (client, logs) = Client();
        var app = await client.Apps.CreateAsync("telemetry-" + Guid.NewGuid().ToString("N")[..8], Ct);
        var missing = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<RtkException>(() => client.Meetings.GetAsync(app.Id, missing, Ct));

        var span = SpanFor("/meetings/" + missing);
        Assert.Equal(404, span.GetTagItem("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        var body = Assert.IsType<string>(span.GetTagItem("rtk.error_body"));
        Assert.Contains(error.Message, body, StringComparison.Ordinal);
        var entry = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal(404, entry.Fields["RtkStatus"]);
        Assert.Equal(body, entry.Fields["RtkErrorBody"]);
        Assert.IsType<double>(entry.Fields["RtkDurationMs"]);
        Assert.EndsWith("/meetings/" + missing, (string)entry.Fields["RtkPath"]!);
    }

    [Fact]
    public async Task AnUnreachableRtkIsLoggedAsUnavailableWithItsDuration()
    {
        var logs = new ListLogger();
        var options = Options.Create(RtkTestKit.OptionsFor(simulator.Sim, o => { o.BaseUrl = "http://127.0.0.1:9/client/v4"; o.MaxRetries = 0; }));
        var resilience = new RtkResilience(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<RtkResilience>.Instance);
        var client = new RtkClient(new HttpClient(), options, resilience, logs);
        var meetingId = Guid.NewGuid().ToString();

        await Assert.ThrowsAsync<RtkUnavailableException>(() => client.Meetings.GetAsync("app", meetingId, Ct));

        var entry = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal("network error", entry.Fields["RtkReason"]);
        Assert.Equal(ActivityStatusCode.Error, SpanFor("/meetings/" + meetingId).Status);
    }

    [Fact]
    public void TheErrorBodyIsCutAndScrubbed()
    {
        var logs = new ListLogger();
        var body = "{\"error\":{\"message\":\"participant ada@example.com token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln is invalid\"}}" + new string('x', 2000);
        var path = "/accounts/a/realtime/kit/app/meetings/" + Guid.NewGuid();
        using (var call = RtkCall.Start(HttpMethod.Post, path, logs))
            call.Answered(400, body);

        var logged = (string)Assert.Single(logs.Entries).Fields["RtkErrorBody"]!;
        Assert.True(logged.Length <= RtkCall.MaxErrorBodyChars, $"{logged.Length} characters");
        Assert.Contains("participant [email] token [jwt] is invalid", logged, StringComparison.Ordinal);
        Assert.Equal(logged, SpanFor(path).GetTagItem("rtk.error_body"));
    }

    private sealed class ListLogger : ILogger<RtkClient>
    {
        public ConcurrentQueue<(LogLevel Level, IReadOnlyDictionary<string, object?> Fields)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : new Dictionary<string, object?>()));
    }
}
