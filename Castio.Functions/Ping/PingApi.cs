using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Castio.Functions.Ping;

public static class PingApi
{
    private static readonly string Version =
        typeof(PingApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static RouteGroupBuilder MapPingApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/ping").WithTags("Ping").AllowAnonymous();
        api.MapGet("/", GetPing).WithName("Ping").WithSummary("Liveness: answers without touching storage or auth");
        return api;
    }

    public static Ok<PingResponse> GetPing() => TypedResults.Ok(new PingResponse("ok", Version));
}

public sealed record PingResponse(string Status, string Version);
