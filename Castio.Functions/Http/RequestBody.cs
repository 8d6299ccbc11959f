using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Http;

/// <summary>A request the caller got wrong in a way the function cannot go on from; mapped to its problem once, by the host glue.</summary>
public sealed class ProblemException(int status, string code, string title, string? detail = null) : Exception(detail ?? title)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;
}

public static class RequestBody
{
    /// <summary>Reads a JSON body with the API's JSON options; a wrong media type or malformed JSON is a problem, never a 500.</summary>
    public static async Task<T> ReadJsonAsync<T>(this HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        if (!request.HasJsonContentType())
        {
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "Unsupported media type", "Send application/json.");
        }

        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, options, cancellationToken)
                ?? throw new JsonException("The body is null.");
        }
        catch (JsonException)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, ProblemCodes.InvalidJson, "Invalid JSON", "The request body is not valid JSON for this endpoint.");
        }
    }
}
