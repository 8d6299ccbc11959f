using System.Reflection;
using Castio.Core.Observability;
using Castio.Functions.Observability;

namespace Castio.LocalHost;

/// <summary>Calls a function method as the worker does, for every trigger kind LocalHost runs.</summary>
internal static class FunctionMethod
{
    /// <summary>
    /// Invokes <paramref name="method"/> (its own exceptions, unwrapped) and awaits what it returns; a Task&lt;T&gt; yields T.
    /// An exception that escapes is handed to <paramref name="failures"/>, the same judge the worker middleware uses
    /// under the Functions host, and flows on unchanged.
    /// </summary>
    public static async Task<object?> InvokeAsync(MethodInfo method, object? target, object?[] args, FunctionFailures? failures, string component, string name, HttpContext? http = null)
    {
        var tags = ErrorTags.Begin();
        try
        {
            switch (method.Invoke(target, BindingFlags.DoNotWrapExceptions, null, args, null))
            {
                case Task task:
                    await task;
                    return task.GetType().IsGenericType ? task.GetType().GetProperty("Result")!.GetValue(task) : null;
                case ValueTask valueTask:
                    await valueTask;
                    return null;
                case var value:
                    return value;
            }
        }
        catch (Exception e) when (failures?.Observe(e, component, name, http, tags) ?? false)
        {
            throw; // never reached: Observe reports in the filter and returns false
        }
    }
}
