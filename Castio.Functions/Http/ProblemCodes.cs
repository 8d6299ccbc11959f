namespace Castio.Functions.Http;

/// <summary>
/// Stable machine codes carried in the <c>code</c> member of every problem+json response.
/// Clients and tests branch on these, never on titles or details. Each feature owns its own codes beside
/// its service (<c>AuthErrors</c>, <c>UserErrors</c>, <c>OrgErrors</c>...); these are the request-level ones.
/// </summary>
public static class ProblemCodes
{
    // Request handling (host-wide).
    public const string RouteNotFound = "request.route_not_found";
    public const string MethodNotAllowed = "request.method_not_allowed";
    public const string InvalidJson = "request.invalid_json";
    public const string BadRequest = "request.bad_request";
    public const string BodyTooLarge = "request.body_too_large";
    public const string UnsupportedMediaType = "request.unsupported_media_type";
    public const string ValidationFailed = "request.validation_failed";
    public const string RateLimited = "request.rate_limited";
    public const string ServerError = "server.error";
    public const string ClientClosedRequest = "request.client_closed";

    // Generic outcomes, used when an endpoint answers a bare status.
    public const string Unauthenticated = "auth.unauthenticated";
    public const string Forbidden = "auth.forbidden";
    public const string ResourceNotFound = "resource.not_found";
    public const string Conflict = "resource.conflict";

    /// <summary>Fallback when a response carries a status but no specific code.</summary>
    public static string ForStatus(int status) => status switch
    {
        400 => BadRequest,
        401 => Unauthenticated,
        403 => Forbidden,
        404 => ResourceNotFound,
        405 => MethodNotAllowed,
        409 => Conflict,
        413 => BodyTooLarge,
        415 => UnsupportedMediaType,
        429 => RateLimited,
        >= 500 => ServerError,
        _ => $"http.{status}",
    };
}
