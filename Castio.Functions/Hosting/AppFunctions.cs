using Castio.Functions.Probes;

namespace Castio.Functions.Hosting;

/// <summary>
/// Every function of the app, in one place. The standalone scheduler, the host-mode invocation
/// endpoints and the generated function.json files all come from this list. Add a feature's function with one line.
/// </summary>
public static class AppFunctions
{
    public static IReadOnlyList<FunctionDefinition> All { get; } =
    [
        // HTTP: forwarded unchanged to ASP.NET Core routing; a test proves every mapped endpoint is covered.
        Function.Http("Ping", "api/ping", "get"),
        Function.Http("OpenApi", "api/openapi.json", "get"),
        Function.Http("Echo", "api/echo", "post"),
        Function.Http("Auth", "api/auth/{*path}", "get", "post"),
        Function.Http("Users", "api/users/{*path}", "get", "post", "patch", "delete"),
        Function.Http("Org", "api/org/{*path}", "get", "post", "patch"),
        Function.Http("Branding", "api/branding/{*path}", "get"),

        // Timers (six-field NCRONTAB, UTC).
        Function.Timer<Heartbeat>("Heartbeat", "0 */5 * * * *"),
        Function.Timer<Castio.Functions.Auth.AuthCleanup>("AuthCleanup", "0 30 3 * * *"),

        // Queue consumers (run by the Functions host; standalone runs do not poll queues).
        Function.Queue<EchoConsumer>("EchoConsumer", EchoConsumer.QueueName),
    ];

    public static IEnumerable<HttpFunction> Http => All.OfType<HttpFunction>();
    public static IEnumerable<TimerFunction> Timers => All.OfType<TimerFunction>();
    public static IEnumerable<QueueFunction> Queues => All.OfType<QueueFunction>();
}
