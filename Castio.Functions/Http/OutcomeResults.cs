using System.Globalization;
using Castio.Core.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Castio.Functions.Http;

/// <summary>Maps a service <see cref="Outcome{T}"/> to typed HTTP results: one status per <see cref="ErrorKind"/>.</summary>
public static class OutcomeResults
{
    public static Results<TOk, ValidationProblem, ProblemHttpResult> ToResult<T, TOk>(this Outcome<T> outcome, Func<T, TOk> ok, HttpContext http)
        where TOk : IResult
    {
        if (outcome.Error is not { } error)
        {
            return ok(outcome.Value);
        }

        if (error.Kind == ErrorKind.Invalid)
        {
            return Problems.Validation(error.Fields ?? new Dictionary<string, string[]>(), error.Code);
        }

        return error.ToProblem(http);
    }

    public static ProblemHttpResult ToProblem(this Error error, HttpContext http)
    {
        var (status, title) = error.Kind switch
        {
            ErrorKind.Unauthenticated => (StatusCodes.Status401Unauthorized, "Unauthorized"),
            ErrorKind.Forbidden => (StatusCodes.Status403Forbidden, "Forbidden"),
            ErrorKind.NotFound => (StatusCodes.Status404NotFound, "Not found"),
            ErrorKind.Conflict => (StatusCodes.Status409Conflict, "Conflict"),
            ErrorKind.TooManyRequests => (StatusCodes.Status429TooManyRequests, "Too many requests"),
            ErrorKind.Unavailable => (StatusCodes.Status503ServiceUnavailable, "Service unavailable"),
            _ => (StatusCodes.Status400BadRequest, "Bad request"),
        };
        if (error.RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var problem = Problems.Create(status, error.Code, title, error.Detail);
        if (error.Fields is { Count: > 0 } fields)
        {
            problem.Extensions["errors"] = fields;
        }

        return TypedResults.Problem(problem);
    }
}
