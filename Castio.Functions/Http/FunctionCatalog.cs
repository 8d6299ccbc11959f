using System.Reflection;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Http;

/// <summary>An HTTP-triggered function as its attributes declare it: route, methods, access rule and rate limit.</summary>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, MethodInfo Method, AccessAttribute Access, RateLimitAttribute? Limit)
{
    public RateLimitRule? Rule { get; } = Limit is null ? null : FunctionCatalog.RuleNamed(Limit.Rule);
}

/// <summary>A timer-triggered function: six-field NCRONTAB schedule, UTC.</summary>
public sealed record TimerFunction(string Name, string Schedule, MethodInfo Method);

/// <summary>A Durable orchestrator function (<c>[OrchestrationTrigger]</c>); deterministic, replayed.</summary>
public sealed record OrchestratorFunction(string Name, MethodInfo Method);

/// <summary>A Durable activity function (<c>[ActivityTrigger]</c>): its input is the trigger parameter.</summary>
public sealed record ActivityFunction(string Name, MethodInfo Method, ParameterInfo Input);

/// <summary>
/// Every function of the app, read from the <c>[Function]</c> methods themselves: the same attributes the Worker SDK
/// turns into <c>functions.metadata</c>. The worker middleware looks up route rules here; Castio.LocalHost serves it.
/// </summary>
public sealed class FunctionCatalog
{
    public static FunctionCatalog Instance { get; } = new(typeof(FunctionCatalog).Assembly);

    private readonly Dictionary<string, HttpFunction> _byName;

    public FunctionCatalog(Assembly assembly)
        : this(assembly.GetTypes())
    {
    }

    public FunctionCatalog(IEnumerable<Type> types)
    {
        var http = new List<HttpFunction>();
        var timers = new List<TimerFunction>();
        var orchestrators = new List<OrchestratorFunction>();
        var activities = new List<ActivityFunction>();
        foreach (var method in types.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)))
        {
            if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
            {
                continue;
            }

            foreach (var parameter in method.GetParameters())
            {
                if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is { } httpTrigger)
                {
                    var access = method.GetCustomAttribute<AccessAttribute>() ?? method.DeclaringType!.GetCustomAttribute<AccessAttribute>()
                        ?? throw new InvalidOperationException($"HTTP function {function.Name} declares no access rule ([Anonymous], [SignedIn] or [Requires]).");
                    var limit = method.GetCustomAttribute<RateLimitAttribute>() ?? method.DeclaringType!.GetCustomAttribute<RateLimitAttribute>();
                    var methods = (httpTrigger.Methods ?? []).Select(m => m.ToLowerInvariant()).ToArray();
                    http.Add(new HttpFunction(function.Name, httpTrigger.Route ?? function.Name, methods, method, access, limit));
                }
                else if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is { } timerTrigger)
                {
                    timers.Add(new TimerFunction(function.Name, timerTrigger.Schedule, method));
                }
                else if (parameter.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null)
                {
                    orchestrators.Add(new OrchestratorFunction(function.Name, method));
                }
                else if (parameter.GetCustomAttribute<ActivityTriggerAttribute>() is not null)
                {
                    activities.Add(new ActivityFunction(function.Name, method, parameter));
                }
            }
        }

        Http = [.. http.OrderBy(f => f.Name, StringComparer.Ordinal)];
        Timers = [.. timers.OrderBy(f => f.Name, StringComparer.Ordinal)];
        Orchestrators = [.. orchestrators.OrderBy(f => f.Name, StringComparer.Ordinal)];
        Activities = [.. activities.OrderBy(f => f.Name, StringComparer.Ordinal)];
        _byName = Http.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<HttpFunction> Http { get; }

    public IReadOnlyList<TimerFunction> Timers { get; }

    public IReadOnlyList<OrchestratorFunction> Orchestrators { get; }

    public IReadOnlyList<ActivityFunction> Activities { get; }

    public HttpFunction? FindHttp(string name) => _byName.GetValueOrDefault(name);

    internal static RateLimitRule RuleNamed(string name) =>
        typeof(RateLimitRules).GetField(name, BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as RateLimitRule
        ?? throw new InvalidOperationException($"RateLimitRules has no rule named {name}.");
}
