using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.OpenApi;

/// <summary>
/// Serves the checked-in <c>openapi.json</c>. Function triggers are not ASP.NET Core endpoints, so the document is
/// generated from Castio.LocalHost's endpoints (which carry the functions' own metadata); a test fails when it drifts.
/// </summary>
[Tags("OpenAPI")]
public sealed class OpenApiFunctions
{
    private static readonly Lazy<byte[]> Document = new(() =>
    {
        using var stream = typeof(OpenApiFunctions).Assembly.GetManifestResourceStream("openapi.json")
            ?? throw new InvalidOperationException("openapi.json is not embedded in Castio.Functions.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    });

    [Function("OpenApi"), Anonymous, EndpointSummary("This API's OpenAPI 3.1 document")]
    public FileContentHttpResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/openapi.json")] HttpRequest req) =>
        TypedResults.File(Document.Value, "application/json");
}
