using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Castio.Core.Rtk;

/// <summary>
/// The resilience pipelines for RTK calls. Both share one circuit breaker so an outage seen by
/// any call fails every call fast. Order (outer → inner): total timeout, retry, breaker, attempt timeout.
/// </summary>
public sealed partial class RtkResilience
{
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly TimeProvider _time;
    private readonly RtkOptions _options;
    private readonly ILogger _logger;

    public RtkResilience(IOptions<RtkOptions> options, TimeProvider time, ILogger<RtkResilience> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;

        var breaker = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = _options.CircuitFailureRatio,
                MinimumThroughput = _options.CircuitMinimumThroughput,
                SamplingDuration = _options.CircuitSamplingDuration,
                BreakDuration = _options.CircuitBreakDuration,
                StateProvider = _circuit,
                ShouldHandle = args => ValueTask.FromResult(IsOutage(args.Outcome)),
                OnOpened = args => { LogCircuitOpened(_logger, args.BreakDuration); return default; },
                OnClosed = _ => { LogCircuitClosed(_logger); return default; },
            })
            .AddTimeout(_options.AttemptTimeout)
            .Build();

        Safe = Build(breaker, retryTransient: true);
        Unsafe = Build(breaker, retryTransient: false);
    }

    /// <summary>For GET/PATCH/DELETE and idempotent PUT: retries transient failures with jittered backoff.</summary>
    public ResiliencePipeline<HttpResponseMessage> Safe { get; }

    /// <summary>For POST and action PUTs: retried only on 429, which means RTK did not process the request.</summary>
    public ResiliencePipeline<HttpResponseMessage> Unsafe { get; }

    /// <summary>Circuit state, for health reporting.</summary>
    public CircuitState CircuitState => _circuit.CircuitState;

    private ResiliencePipeline<HttpResponseMessage> Build(ResiliencePipeline<HttpResponseMessage> breaker, bool retryTransient)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddTimeout(_options.RequestTimeout);
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    IsHonourableRateLimit(args.Outcome) || (retryTransient && IsTransient(args.Outcome))),
                DelayGenerator = args => ValueTask.FromResult(RetryAfterOf(args.Outcome.Result)),
                OnRetry = args =>
                {
                    LogRetry(_logger, args.AttemptNumber + 1, (int?)args.Outcome.Result?.StatusCode, args.Outcome.Exception?.GetType().Name, args.RetryDelay);
                    return default;
                },
            });
        }
        return builder.AddPipeline(breaker).Build();
    }

    private bool IsHonourableRateLimit(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } response
        && (RetryAfterOf(response) ?? TimeSpan.Zero) <= _options.MaxRetryAfter;

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or TimeoutRejectedException
        || outcome.Result is { } r && ((int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.RequestTimeout);

    private static bool IsOutage(Outcome<HttpResponseMessage> outcome) => IsTransient(outcome);

    /// <summary>The Retry-After of a response as a delay (delta or date form), if any.</summary>
    public TimeSpan? RetryAfterOf(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    [LoggerMessage(EventId = 1101, EventName = "RtkRetry", Level = LogLevel.Warning,
        Message = "RTK call retry {Attempt} after status {Status} / {Exception}; waiting {Delay}")]
    private static partial void LogRetry(ILogger logger, int attempt, int? status, string? exception, TimeSpan delay);

    [LoggerMessage(EventId = 1102, EventName = "RtkCircuitOpened", Level = LogLevel.Error,
        Message = "RTK circuit opened for {BreakDuration}: calls fail fast until a probe succeeds")]
    private static partial void LogCircuitOpened(ILogger logger, TimeSpan breakDuration);

    [LoggerMessage(EventId = 1103, EventName = "RtkCircuitClosed", Level = LogLevel.Information, Message = "RTK circuit closed")]
    private static partial void LogCircuitClosed(ILogger logger);
}
