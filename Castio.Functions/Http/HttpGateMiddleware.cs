using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Castio.Functions.Http;

/// <summary>
/// Under the Functions host: runs <see cref="HttpGate"/> before each HTTP function and turns whatever escapes it into
/// a problem. Castio.LocalHost calls the same two pieces around the same methods, so both hosts answer alike.
/// </summary>
public sealed class HttpGateMiddleware(FunctionCatalog catalog, HttpGate gate, ILogger<HttpGateMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is not { } http || catalog.FindHttp(context.FunctionDefinition.Name) is not { } function)
        {
            await next(context);
            return;
        }

        try
        {
            if (await gate.AdmitAsync(http, function) is { } refusal)
            {
                context.GetInvocationResult().Value = refusal;
                return;
            }

            await next(context);
        }
        catch (Exception e)
        {
            context.GetInvocationResult().Value = ProblemHandling.FromException(e is AggregateException { InnerException: { } inner } ? inner : e, http, logger);
        }
    }
}
