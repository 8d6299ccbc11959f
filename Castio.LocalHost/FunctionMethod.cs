using System.Reflection;

namespace Castio.LocalHost;

/// <summary>Calls a function method as the worker does, for every trigger kind LocalHost runs.</summary>
internal static class FunctionMethod
{
    /// <summary>Invokes <paramref name="method"/> (its own exceptions, unwrapped) and awaits what it returns; a Task&lt;T&gt; yields T.</summary>
    public static async Task<object?> InvokeAsync(MethodInfo method, object? target, object?[] args)
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
}
