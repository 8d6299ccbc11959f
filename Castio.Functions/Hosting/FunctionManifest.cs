using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Castio.Functions.Hosting;

/// <summary>Generates the Functions app layout (spec §1, §3): host.json plus one <c>&lt;Name&gt;/function.json</c> per function.</summary>
public static partial class FunctionManifest
{
    public const string FunctionFile = "function.json";
    public const string HostFile = "host.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes host.json and the function folders into <paramref name="outputDirectory"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Write(string outputDirectory, IReadOnlyList<FunctionDefinition> functions, string hostJson)
    {
        var errors = Validate(functions);
        if (errors.Count > 0)
            throw new InvalidOperationException("Invalid function definitions:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        Directory.CreateDirectory(outputDirectory);
        var written = new List<string>();
        var hostPath = Path.Combine(outputDirectory, HostFile);
        File.WriteAllText(hostPath, hostJson);
        written.Add(hostPath);
        foreach (var function in functions)
        {
            var folder = Path.Combine(outputDirectory, function.Name);
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, FunctionFile);
            File.WriteAllText(path, ToFunctionJson(function).ToJsonString(Indented) + "\n");
            written.Add(path);
        }
        return written;
    }

    public static JsonObject ToFunctionJson(FunctionDefinition function) => new()
    {
        ["bindings"] = function switch
        {
            HttpFunction http => new JsonArray(
                WithMethods(new JsonObject
                {
                    ["type"] = "httpTrigger",
                    ["direction"] = "in",
                    ["name"] = "req",
                    // Castio authenticates requests itself (bearer JWT, webhook signatures); no function keys.
                    ["authLevel"] = "anonymous",
                    ["route"] = http.Route,
                }, http.Methods),
                new JsonObject { ["type"] = "http", ["direction"] = "out", ["name"] = "res" }),
            TimerFunction timer => new JsonArray(new JsonObject
            {
                ["type"] = "timerTrigger",
                ["direction"] = "in",
                ["name"] = InvocationEndpoints.TimerBinding,
                ["schedule"] = timer.Schedule,
                ["runOnStartup"] = false,
                ["useMonitor"] = true,
            }),
            QueueFunction queue => new JsonArray(new JsonObject
            {
                ["type"] = "queueTrigger",
                ["direction"] = "in",
                ["name"] = InvocationEndpoints.QueueBinding,
                ["queueName"] = queue.QueueName,
                ["connection"] = StorageSetup.ConnectionSetting,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(function), function.GetType().Name, "Unknown function kind."),
        },
    };

    private static JsonObject WithMethods(JsonObject trigger, IReadOnlyList<string> methods)
    {
        if (methods.Count > 0)
            trigger["methods"] = new JsonArray([.. methods.Select(m => (JsonNode)JsonValue.Create(m))]);
        return trigger;
    }

    /// <summary>Everything the host would reject or misroute, as readable messages (empty = valid).</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<FunctionDefinition> functions)
    {
        var errors = new List<string>();
        foreach (var duplicate in functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            errors.Add($"Function name '{duplicate.Key}' is used more than once.");
        foreach (var function in functions)
        {
            if (!FunctionName().IsMatch(function.Name))
                errors.Add($"'{function.Name}': a function name is a letter followed by letters, digits, '-' or '_' (at most 127).");
            switch (function)
            {
                case HttpFunction http:
                    if (http.Route.StartsWith('/') || http.Route.StartsWith("admin", StringComparison.OrdinalIgnoreCase))
                        errors.Add($"'{http.Name}': route '{http.Route}' must not start with '/' or 'admin' (reserved by the host).");
                    try
                    {
                        RoutePatternFactory.Parse(http.Route);
                    }
                    catch (RoutePatternException ex)
                    {
                        errors.Add($"'{http.Name}': route '{http.Route}' does not parse: {ex.Message}");
                    }
                    break;
                case TimerFunction timer when !CrontabSchedule.TryParse(timer.Schedule, out _, out var error):
                    errors.Add($"'{timer.Name}': {error}");
                    break;
                case QueueFunction queue when !QueueName().IsMatch(queue.QueueName) || queue.QueueName.Contains("--") || queue.QueueName.Length > 40:
                    errors.Add($"'{queue.Name}': queue '{queue.QueueName}' must be lowercase letters, digits and single hyphens, at most 40 characters (room for a prefix and '-poison').");
                    break;
            }
        }
        return errors;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,126}$")]
    private static partial Regex FunctionName();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,39}$")]
    private static partial Regex QueueName();
}
