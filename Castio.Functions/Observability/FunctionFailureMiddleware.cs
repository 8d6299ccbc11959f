using Castio.Core.Observability;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Castio.Functions.Observability;

/// <summary>
/// Under the Functions host: every invocation (HTTP, timer, activity, orchestrator episode) passes here, inside the
/// HTTP gate, so an exception a function throws is reported once, before the gate turns it into a 500 problem or
/// the worker marks the invocation failed.
/// </summary>
public sealed class FunctionFailureMiddleware(FunctionFailures failures) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var tags = ErrorTags.Begin();
        try
        {
            await next(context);
        }
        catch (Exception e) when (failures.Observe(e, ComponentOf(context.FunctionDefinition), context.FunctionDefinition.Name, context.GetHttpContext(), tags))
        {
            throw; // never reached: Observe reports in the filter and returns false, so the exception flows on untouched
        }
    }

    private static string ComponentOf(FunctionDefinition function) =>
        Components.ForTrigger(function.InputBindings.Values.FirstOrDefault(b => b.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))?.Type);
}
