using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Castio.Functions.Http;

/// <summary>Every problem carries a code and a trace id; every exception becomes a problem without its stack.</summary>
public static partial class ProblemHandling
{
    public static IServiceCollection AddCastioProblems(this IServiceCollection services) =>
        services.AddProblemDetails(o => o.CustomizeProblemDetails = AddCode);

    /// <summary>The answer for an exception that escaped a function: known request faults by their code, the rest a logged 500.</summary>
    public static ProblemHttpResult FromException(Exception exception, HttpContext http, ILogger logger)
    {
        var problem = exception switch
        {
            ProblemException p => Problems.Create(p.Status, p.Code, p.Title, p.Detail),
            BadHttpRequestException { StatusCode: 413 } => Problems.Create(413, ProblemCodes.BodyTooLarge, "Request body too large"),
            BadHttpRequestException bad => Problems.Create(bad.StatusCode, ProblemCodes.ForStatus(bad.StatusCode), "Bad request"),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => Problems.Create(499, ProblemCodes.ClientClosedRequest, "Client closed request"),
            _ => null,
        };
        if (problem is null)
        {
            LogUnhandled(logger, http.Request.Method, http.Request.Path, exception);
            problem = Problems.Create(500, ProblemCodes.ServerError, "An unexpected error occurred.");
        }

        return TypedResults.Problem(problem);
    }

    private static void AddCode(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Extensions.Remove("exception"); // never ship stack traces, whatever the environment
        problem.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        if (!problem.Extensions.ContainsKey(Problems.CodeKey))
        {
            problem.Extensions[Problems.CodeKey] = problem is HttpValidationProblemDetails
                ? ProblemCodes.ValidationFailed
                : ProblemCodes.ForStatus(problem.Status ?? context.HttpContext.Response.StatusCode);
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception exception);
}
