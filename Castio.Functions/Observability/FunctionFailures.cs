using Castio.Core.Diagnostics;
using Castio.Core.Observability;
using Castio.Functions.Http;
using Microsoft.DurableTask;

namespace Castio.Functions.Observability;

/// <summary>
/// The one place an exception escaping a function is judged and reported, for both hosts: the worker middleware
/// (<see cref="FunctionFailureMiddleware"/>) calls it under the Functions host, Castio.LocalHost's single invocation
/// point calls it there. Request faults (problems below 500, bad requests, a client that went away) are answers,
/// not errors; an orchestration failing because an activity failed was reported by that activity.
/// </summary>
public sealed class FunctionFailures(ErrorReporter reporter, PhoneHome? phoneHome = null)
{
    /// <summary>Reports <paramref name="exception"/> if it is a fault. Always false, so it can sit in an exception filter and catch nothing.</summary>
    public bool Observe(Exception exception, string component, string function, HttpContext? http, ErrorTags? tags)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
            exception = aggregate.InnerExceptions[0];
        if (IsFault(exception, component, http))
        {
            var context = Context(component, function, http, tags);
            reporter.Capture(exception, context);

            // A fatal error also tells the vendor (aggregate only, never blocking), when the org is known.
            if (Guid.TryParse(context.OrgId, out var orgId))
                phoneHome?.TryQueueFatal(orgId, component, exception);
        }

        return false;
    }

    public static bool IsFault(Exception exception, string component, HttpContext? http) => exception switch
    {
        ProblemException problem => problem.Status >= 500,
        BadHttpRequestException => false,
        OperationCanceledException when http?.RequestAborted.IsCancellationRequested == true => false,
        TaskFailedException when component == Components.Orchestration => false,
        _ => true,
    };

    private static ErrorContext Context(string component, string function, HttpContext? http, ErrorTags? tags)
    {
        var caller = http?.User.ToCurrentUser();
        return new ErrorContext(component, function)
        {
            OrgId = tags?.OrgId ?? caller?.OrgId.ToString("D"),
            MeetingId = tags?.MeetingId ?? MeetingIdOf(http),
            UserId = caller?.UserId.ToString("D"),
            Request = http is null ? null : new RequestInfo(
                http.Request.Method,
                $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}",
                http.Request.QueryString.Value,
                http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)),
        };
    }

    // Meeting routes name the meeting {meetingId}, or {id} under /api/meetings/.
    private static string? MeetingIdOf(HttpContext? http)
    {
        if (http is null)
            return null;
        var values = http.Request.RouteValues;
        if (values.TryGetValue("meetingId", out var meetingId))
            return meetingId?.ToString();
        return http.Request.Path.StartsWithSegments("/api/meetings") && values.TryGetValue("id", out var id) ? id?.ToString() : null;
    }
}

public static class ObservabilitySetup
{
    /// <summary>Sentry error reporting, the failure judge both hosts call, and OpenTelemetry when Application Insights is configured.</summary>
    public static IServiceCollection AddCastioObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddObservability();
        services.AddSingleton<FunctionFailures>();
        services.AddCastioTelemetry(configuration);
        return services;
    }
}
