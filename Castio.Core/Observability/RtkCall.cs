using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Observability;

/// <summary>
/// What one RealtimeKit call (all its attempts) records, from the client's send core: a client span and, when the
/// call fails, one structured log line, both carrying method, path, status, duration and RTK's error body. The
/// body is cut to <see cref="MaxErrorBodyChars"/> and scrubbed, because RTK echoes what it was sent.
/// </summary>
public sealed partial class RtkCall : IDisposable
{
    public const string SourceName = "Castio.Rtk";
    public const int MaxErrorBodyChars = 500;

    private static readonly ActivitySource Source = new(SourceName);

    private readonly ILogger _logger;
    private readonly string _method;
    private readonly string _path;
    private readonly Activity? _activity;
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _status;
    private string? _errorBody;
    private string? _unavailable;

    private RtkCall(ILogger logger, string method, string path)
    {
        _logger = logger;
        _method = method;
        _path = path;
        _activity = Source.StartActivity("RTK " + method, ActivityKind.Client);
        _activity?.SetTag("http.request.method", method);
        _activity?.SetTag("rtk.path", path);
    }

    /// <summary>Starts timing a call to <paramref name="path"/> (ids only, no query).</summary>
    public static RtkCall Start(HttpMethod method, string path, ILogger logger) => new(logger, method.Method, path);

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>RTK answered (any status); a failure's body is kept for the span and the log.</summary>
    public void Answered(int status, string? errorBody = null)
    {
        _status = status;
        _errorBody = errorBody is null ? null : PiiScrubber.Scrub(errorBody.Length > MaxErrorBodyChars ? errorBody[..MaxErrorBodyChars] : errorBody);
    }

    /// <summary>No usable answer: not configured, timeout, network error, open circuit.</summary>
    public void Unavailable(string reason) => _unavailable = reason;

    public void Dispose()
    {
        var ms = Math.Round(Elapsed.TotalMilliseconds, 1);
        var failed = _unavailable is not null || _status is 0 or >= 400;
        if (_activity is not null)
        {
            if (_status > 0)
                _activity.SetTag("http.response.status_code", _status);
            _activity.SetTag("rtk.duration_ms", ms);
            if (_errorBody is not null)
                _activity.SetTag("rtk.error_body", _errorBody);
            if (_unavailable is not null)
                _activity.SetTag("rtk.unavailable", _unavailable);
            if (failed)
                _activity.SetStatus(ActivityStatusCode.Error, _unavailable ?? $"RTK answered {_status}");
            _activity.Dispose();
        }

        if (_unavailable is not null)
            LogUnavailable(_logger, _method, _path, _unavailable, _status, ms);
        else if (failed)
            LogFailed(_logger, _method, _path, _status, ms, _errorBody ?? "");
        else
            LogCompleted(_logger, _method, _path, _status, ms);
    }

    [LoggerMessage(EventId = 1099, EventName = "RtkCall", Level = LogLevel.Debug,
        Message = "RTK {RtkMethod} {RtkPath} answered {RtkStatus} in {RtkDurationMs} ms")]
    private static partial void LogCompleted(ILogger logger, string rtkMethod, string rtkPath, int rtkStatus, double rtkDurationMs);

    [LoggerMessage(EventId = 1100, EventName = "RtkCallFailed", Level = LogLevel.Warning,
        Message = "RTK {RtkMethod} {RtkPath} failed with {RtkStatus} after {RtkDurationMs} ms: {RtkErrorBody}")]
    private static partial void LogFailed(ILogger logger, string rtkMethod, string rtkPath, int rtkStatus, double rtkDurationMs, string rtkErrorBody);

    [LoggerMessage(EventId = 1104, EventName = "RtkUnavailable", Level = LogLevel.Error,
        Message = "RTK {RtkMethod} {RtkPath} unavailable: {RtkReason} (status {RtkStatus}, after {RtkDurationMs} ms)")]
    private static partial void LogUnavailable(ILogger logger, string rtkMethod, string rtkPath, string rtkReason, int rtkStatus, double rtkDurationMs);
}
