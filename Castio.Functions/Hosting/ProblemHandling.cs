using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Hosting;

/// <summary>Turns every error path (unknown route, bad JSON, oversized body, validation, unhandled) into problem+json with a code.</summary>
internal static partial class ProblemHandling
{
    public static IServiceCollection AddCastioProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = AddCode);
        services.AddExceptionHandler<ExceptionToProblem>();
        // Binding failures throw so the exception handler can tell bad JSON (400) from an oversized body (413).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UseCastioProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RejectOversizedBodies);
        return app;
    }

    private static void AddCode(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Extensions.Remove("exception"); // never ship stack traces, whatever the environment
        problem.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
        if (problem is HttpValidationProblemDetails validation)
            validation.Errors = validation.Errors.ToDictionary(e => WireName(e.Key), e => e.Value);
        if (problem.Extensions.ContainsKey(Problems.CodeKey))
            return;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Extensions[Problems.CodeKey] = problem switch
        {
            HttpValidationProblemDetails => ProblemCodes.ValidationFailed,
            _ when status == StatusCodes.Status404NotFound && context.HttpContext.GetEndpoint() is null => ProblemCodes.RouteNotFound,
            _ => ProblemCodes.ForStatus(status),
        };
    }

    // Validation names members as declared (Message, Items[0].Name); clients know them by their camelCase JSON names.
    private static string WireName(string key) =>
        string.Join('.', key.Split('.').Select(part => part.Length > 0 ? char.ToLowerInvariant(part[0]) + part[1..] : part));

    // Known oversized requests are refused before anything reads them; Kestrel's own limit catches the rest.
    private static Task RejectOversizedBodies(HttpContext context, Func<Task> next)
    {
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (limit is { } max && context.Request.ContentLength > max)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return WriteAsync(context, Problems.Create(413, ProblemCodes.BodyTooLarge, "Request body too large", $"The limit is {max} bytes."));
        }
        return next();
    }

    private static async Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        var writer = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await writer.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private sealed partial class ExceptionToProblem(IProblemDetailsService problems, ILogger<ExceptionToProblem> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            var problem = exception switch
            {
                BadHttpRequestException { StatusCode: 413 } => Problems.Create(413, ProblemCodes.BodyTooLarge, "Request body too large"),
                BadHttpRequestException { StatusCode: 415 } => Problems.Create(415, ProblemCodes.UnsupportedMediaType, "Unsupported media type", "Send application/json."),
                BadHttpRequestException { InnerException: JsonException } => Problems.Create(400, ProblemCodes.InvalidJson, "Invalid JSON", "The request body is not valid JSON for this endpoint."),
                BadHttpRequestException bad => Problems.Create(bad.StatusCode, ProblemCodes.ForStatus(bad.StatusCode), "Bad request"),
                _ => null,
            };
            if (problem is null)
            {
                LogUnhandled(logger, context.Request.Method, context.Request.Path, exception);
                problem = Problems.Create(500, ProblemCodes.ServerError, "An unexpected error occurred.");
            }
            context.Response.StatusCode = problem.Status!.Value;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
        }

        [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
        private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception exception);
    }
}
