using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Mvc;

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

    /// <summary>
    /// The problem to show Castio's caller when nothing more specific applies: 503 <c>rtk_unavailable</c>
    /// (with <c>retryAfterSeconds</c>) when RTK is down, else 502 <c>rtk_rejected</c> — RTK refusing a call
    /// Castio made is Castio's or its configuration's fault, not the caller's. RTK's own message is not exposed.
    /// </summary>
    public ProblemDetails ToProblemDetails()
    {
        var problem = IsUnavailable
            ? new ProblemDetails { Status = 503, Title = "Meeting service unavailable", Detail = "The meeting service is not answering; try again shortly." }
            : new ProblemDetails { Status = 502, Title = "Meeting service refused the request", Detail = "The meeting service refused a request Castio made." };
        problem.Extensions["code"] = IsUnavailable ? RtkProblemCodes.Unavailable : RtkProblemCodes.Rejected;
        if (IsUnavailable && RetryAfter is { } wait)
            problem.Extensions["retryAfterSeconds"] = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return problem;
    }
}

/// <summary>Stable problem codes for RTK failures.</summary>
public static class RtkProblemCodes
{
    public const string Unavailable = "rtk_unavailable";
    public const string Rejected = "rtk_rejected";
}

/// <summary>RTK could not be reached or kept failing; the call may be tried again later.</summary>
public sealed class RtkUnavailableException(string message, HttpStatusCode? status = null, int? errorCode = null, Exception? inner = null, TimeSpan? retryAfter = null)
    : RtkException(message, status, errorCode, isUnavailable: true, inner, retryAfter);
