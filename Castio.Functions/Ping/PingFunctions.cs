using System.Reflection;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Ping;

[Tags("Ping")]
public sealed class PingFunctions
{
    private static readonly string Version =
        typeof(PingFunctions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    [Function("Ping"), Anonymous, EndpointSummary("Liveness: answers without touching storage or auth")]
    public Ok<PingResponse> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ping")] HttpRequest req) =>
        TypedResults.Ok(new PingResponse("ok", Version));
}

public sealed record PingResponse(string Status, string Version);
