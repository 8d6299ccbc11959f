using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Castio.Functions.Http;

/// <summary>Builds RFC 9457 problem results that always carry a stable <c>code</c> (see <see cref="ProblemCodes"/>).</summary>
public static class Problems
{
    public const string CodeKey = "code";

    public static ProblemHttpResult Problem(int status, string code, string? title = null, string? detail = null) =>
        TypedResults.Problem(Create(status, code, title, detail));

    public static ProblemHttpResult NotFound(string code, string? detail = null) => Problem(StatusCodes.Status404NotFound, code, "Not found", detail);

    public static ProblemHttpResult Conflict(string code, string? detail = null) => Problem(StatusCodes.Status409Conflict, code, "Conflict", detail);

    public static ProblemHttpResult BadRequest(string code, string? detail = null) => Problem(StatusCodes.Status400BadRequest, code, "Bad request", detail);

    public static ValidationProblem Validation(IDictionary<string, string[]> errors, string code = ProblemCodes.ValidationFailed) =>
        TypedResults.ValidationProblem(errors, title: "One or more fields are invalid.", extensions: new Dictionary<string, object?> { [CodeKey] = code });

    public static ProblemDetails Create(int status, string code, string? title = null, string? detail = null) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Extensions = { [CodeKey] = code },
    };
}
