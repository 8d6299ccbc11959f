using System.Globalization;
using System.Text;

namespace Castio.RtkSimulator;

/// <summary>
/// In front of the REST API: records each request, then applies down mode, latency, injected
/// errors, the bearer-token check and the account rate limits, in that order.
/// </summary>
internal sealed class SimulatorMiddleware(RequestDelegate next, RtkSimulatorState state)
{
    private const string ApiPrefix = "/client/v4/accounts/";
    private readonly FixedWindow _all = new(state.Options.RateLimitRequests, state.Options.RateLimitWindow, state.Time);
    private readonly FixedWindow _recordings = new(state.Options.RecordingRateLimitRequests, state.Options.RecordingRateLimitWindow, state.Time);

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith(ApiPrefix, StringComparison.Ordinal))
        {
            await RunAsync(context, next);
            return;
        }

        context.Request.EnableBuffering();
        var body = await new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true).ReadToEndAsync(context.RequestAborted);
        context.Request.Body.Position = 0;
        state.Record(new RecordedRequest(context.Request.Method, path, context.Request.QueryString.Value ?? "", body,
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null, state.Now));

        var faults = state.Faults;
        if (faults.Down)
        {
            if (faults.DownDropsConnections) { context.Abort(); return; }
            await WriteAsync(context, 503, SimHttp.ErrorBody(503, "Service unavailable (simulated outage)"));
            return;
        }
        if (faults.LatencyMs > 0) await Task.Delay(TimeSpan.FromMilliseconds(faults.LatencyMs), state.Time, context.RequestAborted);
        if (faults.TryTakeNext(out var failure))
        {
            if (failure.RetryAfter is { } wait) context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await WriteAsync(context, failure.Status, SimHttp.ErrorBody(failure.Status, "Simulated failure"));
            return;
        }
        double rate;
        lock (state.Gate) rate = faults.ErrorRate > 0 ? state.Random.NextDouble() : 1;
        if (rate < faults.ErrorRate)
        {
            await WriteAsync(context, faults.ErrorStatus, SimHttp.ErrorBody(faults.ErrorStatus, "Simulated random failure"));
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        var expected = state.Options.ApiToken;
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..].Trim() : "";
        if (token.Length == 0 || (expected is not null && !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(expected))))
        {
            await WriteAsync(context, 401, SimHttp.GatewayBody(10000, "Authentication error"));
            return;
        }
        var account = path[ApiPrefix.Length..].Split('/', 2)[0];
        if (account != state.Options.AccountId)
        {
            await WriteAsync(context, 403, SimHttp.GatewayBody(9109, "Unauthorized to access requested resource"));
            return;
        }

        var retryAfter = _all.TryAcquire();
        if (retryAfter is null && path.Contains("/recordings", StringComparison.Ordinal)) retryAfter = _recordings.TryAcquire();
        if (retryAfter is { } delay)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await WriteAsync(context, 429, SimHttp.ErrorBody(429, "Rate limit exceeded"));
            return;
        }

        await RunAsync(context, next);
    }

    /// <summary>Turns the simulator's refusals into RTK error envelopes.</summary>
    private static async Task RunAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (SimulatorException ex) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, ex.Status, SimHttp.ErrorBody(ex.Status, ex.Message));
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, 400, SimHttp.ErrorBody(400, ex.Message));
        }
    }

    private static Task WriteAsync(HttpContext context, int status, System.Text.Json.Nodes.JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>A fixed-window counter: <c>limit</c> requests per <c>window</c>.</summary>
    private sealed class FixedWindow(int limit, TimeSpan window, TimeProvider time)
    {
        private readonly Lock _gate = new();
        private DateTimeOffset _start = time.GetUtcNow();
        private int _count;

        /// <summary>Null when allowed; otherwise how long until the window resets.</summary>
        public TimeSpan? TryAcquire()
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                if (now - _start >= window) { _start = now; _count = 0; }
                if (_count < limit) { _count++; return null; }
                return _start + window - now;
            }
        }
    }
}
