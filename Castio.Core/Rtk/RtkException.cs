using System.Net;

namespace Castio.Core.Rtk;

/// <summary>
/// A failed RealtimeKit call. <see cref="IsUnavailable"/> separates "RTK is down" (timeout, open
/// circuit, network failure, 5xx or 429 after retries — answer 503) from "RTK said no" (other 4xx).
/// </summary>
public class RtkException : Exception
{
    public RtkException(string message, HttpStatusCode? status, int? errorCode, bool isUnavailable, Exception? inner = null, TimeSpan? retryAfter = null)
        : base(message, inner)
    {
        Status = status;
        ErrorCode = errorCode;
        IsUnavailable = isUnavailable;
        RetryAfter = retryAfter;
    }

    /// <summary>HTTP status RTK answered with; null when no answer arrived.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary><c>error.code</c> (RTK shape) or <c>errors[0].code</c> (Cloudflare gateway shape).</summary>
    public int? ErrorCode { get; }

    public bool IsUnavailable { get; }

    /// <summary>RTK's Retry-After hint, when it gave one.</summary>
    public TimeSpan? RetryAfter { get; }

    public bool IsNotFound => Status == HttpStatusCode.NotFound;
}

/// <summary>RTK could not be reached or kept failing; the call may be tried again later.</summary>
public sealed class RtkUnavailableException(string message, HttpStatusCode? status = null, int? errorCode = null, Exception? inner = null, TimeSpan? retryAfter = null)
    : RtkException(message, status, errorCode, isUnavailable: true, inner, retryAfter);
