namespace Castio.Functions.Hosting;

/// <summary>One Azure Functions function: its name (the function.json folder and the invocation path) and its trigger.</summary>
public abstract record FunctionDefinition(string Name);

/// <summary>HTTP function; the host forwards matching requests unchanged to ASP.NET Core routing.</summary>
/// <param name="Route">Route template without a leading slash (host.json routePrefix is empty), e.g. <c>api/auth/{*rest}</c>.</param>
/// <param name="Methods">Lower-case verbs; empty means all.</param>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods) : FunctionDefinition(Name);

/// <summary>Timer function: the host (or the standalone scheduler) runs <paramref name="Handler"/> on a six-field NCRONTAB schedule.</summary>
public sealed record TimerFunction(string Name, string Schedule, Type Handler) : FunctionDefinition(Name);

/// <summary>Queue function: the host (or a standalone poller) runs <paramref name="Handler"/> for each message on <paramref name="QueueName"/>.</summary>
/// <param name="QueueName">Base queue name; <c>Storage:NamePrefix</c> is put in front of it at run time.</param>
public sealed record QueueFunction(string Name, string QueueName, Type Handler) : FunctionDefinition(Name);

/// <summary>Factory methods that keep each line of <see cref="AppFunctions.All"/> short.</summary>
public static class Function
{
    public static HttpFunction Http(string name, string route, params string[] methods) =>
        new(name, route, [.. methods.Select(m => m.ToLowerInvariant())]);

    public static TimerFunction Timer<THandler>(string name, string schedule) where THandler : ITimerFunction =>
        new(name, schedule, typeof(THandler));

    public static QueueFunction Queue<THandler>(string name, string queueName) where THandler : IQueueFunction =>
        new(name, queueName, typeof(THandler));
}

/// <summary>Work run by a timer function. Resolved per run from a DI scope (constructor injection, no registration needed).</summary>
public interface ITimerFunction
{
    Task RunAsync(TimerInfo timer, CancellationToken cancellationToken);
}

/// <summary>Work run for one queue message. Throwing fails the attempt: the message is retried and, after the last attempt, moved to <c>&lt;queue&gt;-poison</c>.</summary>
public interface IQueueFunction
{
    Task RunAsync(QueueTrigger message, CancellationToken cancellationToken);
}

/// <summary>What a timer run knows about its schedule (the host's TimerInfo, reduced to what handlers use).</summary>
public sealed record TimerInfo(DateTimeOffset? Last, DateTimeOffset? Next, bool IsPastDue);

/// <summary>One delivered queue message: its decoded text and the trigger metadata.</summary>
public sealed record QueueTrigger(string MessageText, string Id, long DequeueCount, DateTimeOffset? InsertedOn);
