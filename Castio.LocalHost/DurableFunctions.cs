using System.Reflection;
using Castio.Core.Observability;
using Castio.Functions.Http;
using Castio.Functions.Observability;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace Castio.LocalHost;

/// <summary>
/// Runs the app's Durable orchestrator and activity functions in memory on <c>Microsoft.DurableTask.InProcessTestHost</c>,
/// under the names their <c>[Function]</c> attributes give, so an HTTP or timer function's <c>[DurableClient]</c>
/// starts the same orchestration code the Functions host runs on Azure Storage. Nothing starts when there are none.
/// </summary>
public static class DurableFunctions
{
    public static IServiceCollection AddDurableFunctions(this IServiceCollection services, FunctionCatalog catalog)
    {
        if (catalog.Orchestrators.Count == 0 && catalog.Activities.Count == 0)
            return services;
        // The sidecar's gRPC port is chosen before it binds; below the ephemeral range nothing binding port 0 can take it.
        services.AddInMemoryDurableTask(_ => { }, new InMemoryDurableTaskOptions { Port = LoopbackPorts.Free() });
        // Registered through the worker's (default-named) registry options, so orchestrators can reach the app's
        // failure reporting: the Durable worker builds orchestrators without a service provider.
        services.AddOptions<DurableTaskRegistry>().Configure<IServiceProvider>((registry, sp) => Register(registry, catalog, sp.GetService<FunctionFailures>()));
        return services;
    }

    /// <summary>Registers each function with the Durable worker; also what tests use with <c>DurableTaskTestHost</c>.</summary>
    public static void Register(DurableTaskRegistry registry, FunctionCatalog catalog, FunctionFailures? failures = null)
    {
        foreach (var function in catalog.Orchestrators)
            registry.AddOrchestrator(function.Name, () => new MethodOrchestrator(function, failures));
        foreach (var function in catalog.Activities)
            registry.AddActivity(function.Name, services => new MethodActivity(function, services));
    }

    private static Type Unwrapped(Type type) =>
        type == typeof(Task) || type == typeof(void) ? typeof(object)
        : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>) ? type.GetGenericArguments()[0]
        : type;

    private sealed class MethodOrchestrator(OrchestratorFunction function, FunctionFailures? failures) : ITaskOrchestrator
    {
        // The input is read with context.GetInput<T>(), as in the isolated worker.
        public Type InputType => typeof(object);

        public Type OutputType => Unwrapped(function.Method.ReturnType);

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
        {
            // Orchestrators hold no state between replays; instance ones need a parameterless constructor.
            var target = function.Method.IsStatic ? null : Activator.CreateInstance(function.Method.DeclaringType!);
            var withInput = new InputContext(context, input);
            object?[] args = [.. function.Method.GetParameters().Select(object? (p) => p.ParameterType == typeof(TaskOrchestrationContext)
                ? withInput
                : throw new InvalidOperationException($"Orchestrator {function.Name}: Castio.LocalHost cannot bind '{p.Name}'."))];
            return FunctionMethod.InvokeAsync(function.Method, target, args, failures, Components.Orchestration, function.Name);
        }
    }

    private sealed class MethodActivity(ActivityFunction function, IServiceProvider services) : ITaskActivity
    {
        public Type InputType => function.Input.ParameterType;

        public Type OutputType => Unwrapped(function.Method.ReturnType);

        public async Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            await using var scope = services.CreateAsyncScope();
            var target = function.Method.IsStatic ? null : ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.Method.DeclaringType!);
            object?[] args = [.. function.Method.GetParameters().Select(object? (p) =>
                p == function.Input || p.Position == function.Input.Position ? input
                : p.ParameterType == typeof(CancellationToken) ? CancellationToken.None
                : throw new InvalidOperationException($"Activity {function.Name}: Castio.LocalHost cannot bind '{p.Name}'."))];
            return await FunctionMethod.InvokeAsync(function.Method, target, args, scope.ServiceProvider.GetService<FunctionFailures>(), Components.Activity, function.Name);
        }
    }

    /// <summary>
    /// The worker hands a function-style orchestrator its input untyped (it cannot know the T of GetInput&lt;T&gt;);
    /// this context converts it on request, as the Functions extension does, and passes everything else through.
    /// </summary>
    private sealed class InputContext(TaskOrchestrationContext inner, object? input) : TaskOrchestrationContext
    {
        public override TaskName Name => inner.Name;
        public override string InstanceId => inner.InstanceId;
        public override ParentOrchestrationInstance? Parent => inner.Parent;
        public override DateTime CurrentUtcDateTime => inner.CurrentUtcDateTime;
        public override bool IsReplaying => inner.IsReplaying;
        public override string Version => inner.Version;
        public override IReadOnlyDictionary<string, object?> Properties => inner.Properties;
        public override Microsoft.DurableTask.Entities.TaskOrchestrationEntityFeature Entities => inner.Entities;
        protected override ILoggerFactory LoggerFactory => inner.ReplaySafeLoggerFactory;

        public override T? GetInput<T>() where T : default => input switch
        {
            null => default,
            T typed => typed,
            System.Text.Json.JsonElement json => System.Text.Json.JsonSerializer.Deserialize<T>(json),
            _ => throw new InvalidCastException($"Orchestration input is {input.GetType().Name}, not {typeof(T).Name}."),
        };

        public override Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null) => inner.CallActivityAsync<TResult>(name, input, options);
        public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken) => inner.CreateTimer(fireAt, cancellationToken);
        public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default) => inner.WaitForExternalEvent<T>(eventName, cancellationToken);
        public override void SendEvent(string instanceId, string eventName, object payload) => inner.SendEvent(instanceId, eventName, payload);
        public override void SetCustomStatus(object? customStatus) => inner.SetCustomStatus(customStatus);
        public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null) => inner.CallSubOrchestratorAsync<TResult>(orchestratorName, input, options);
        public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) => inner.ContinueAsNew(newInput, preserveUnprocessedEvents);
        public override Guid NewGuid() => inner.NewGuid();
    }
}
