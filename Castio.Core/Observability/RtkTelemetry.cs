using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Observability;

/// <summary>
/// What every RealtimeKit call records, once, in the client's send core: a client span (method, path, status,
/// duration, and on failure RTK's error body) and one structured log line with the same fields. The body is cut
/// to <see cref="MaxErrorBodyChars"/> and scrubbed, because RTK echoes what it was sent.
/// </summary>
public static partial class RtkTelemetry
{
    public const string SourceName = "Castio.Rtk";
    public const int MaxErrorBodyChars = 500;

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the span of one call (all its retries); null when nothing listens.</summary>
    public static Activity? Start(HttpMethod method, string path)
    {
        var activity = Source.StartActivity("RTK " + method.Method, ActivityKind.Client);
        activity?.SetTag("http.request.method", method.Method);
        activity?.SetTag("rtk.path", path);
        return activity;
    }

    /// <summary>Ends the call: status (0 when no answer came), duration and, for a failure, RTK's error body.</summary>
    public static void Completed(Activity? activity, ILogger logger, HttpMethod method, string path, int status, TimeSpan duration, string? errorBody = null, string? failure = null)
    {
        var body = errorBody is null ? null : PiiScrubber.Scrub(errorBody.Length > MaxErrorBodyChars ? errorBody[..MaxErrorBodyChars] : errorBody);
        var ms = Math.Round(duration.TotalMilliseconds, 1);
        if (activity is not null)
        {
            if (status > 0)
                activity.SetTag("http.response.status_code", status);
            activity.SetTag("rtk.duration_ms", ms);
            if (body is not null)
                activity.SetTag("rtk.error_body", body);
            if (failure is not null || status is 0 or >= 400)
                activity.SetStatus(ActivityStatusCode.Error, failure ?? body);
            activity.Dispose();
        }

        if (failure is not null || status is 0 or >= 400)
            LogFailed(logger, method.Method, path, status, ms, body ?? "", failure ?? "");
        else
            LogCall(logger, method.Method, path, status, ms);
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Debug, Message = "RTK {RtkMethod} {RtkPath} answered {RtkStatus} in {RtkDurationMs} ms")]
    private static partial void LogCall(ILogger logger, string rtkMethod, string rtkPath, int rtkStatus, double rtkDurationMs);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "RTK {RtkMethod} {RtkPath} failed: status {RtkStatus} after {RtkDurationMs} ms {RtkFailure} {RtkErrorBody}")]
    private static partial void LogFailed(ILogger logger, string rtkMethod, string rtkPath, int rtkStatus, double rtkDurationMs, string rtkErrorBody, string rtkFailure);
}
