using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Castio.Functions.Hosting;

/// <summary>
/// Host mode: the Functions host polls <c>GET /</c> until the handler answers, then POSTs timer and queue
/// invocations to <c>/{FunctionName}</c> (spec §5). A non-2xx answer fails the invocation, so the host retries the queue message.
/// </summary>
public static class InvocationEndpoints
{
    /// <summary>Marks endpoints that only the Functions host calls (not HTTP functions, not in OpenAPI).</summary>
    public sealed class InvocationEndpointMetadata;

    // Binding names used in the generated function.json files; the host sends Data under these keys.
    public const string TimerBinding = "timer";
    public const string QueueBinding = "message";

    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder app)
    {
        // Anonymous by design: the handler listens on loopback only, and no HTTP function route forwards these
        // paths, so only the Functions host itself can reach them.
        var host = app.MapGroup("").WithMetadata(new InvocationEndpointMetadata()).ExcludeFromDescription().AllowAnonymous();
        host.MapGet("/", () => TypedResults.Text("ok"));
        foreach (var timer in AppFunctions.Timers)
            host.MapPost("/" + timer.Name, (HttpContext context, FunctionRunner runner) => InvokeTimerAsync(context, runner, timer));
        foreach (var queue in AppFunctions.Queues)
            host.MapPost("/" + queue.Name, (HttpContext context, FunctionRunner runner) => InvokeQueueAsync(context, runner, queue));
        return app;
    }

    private static async Task<IResult> InvokeTimerAsync(HttpContext context, FunctionRunner runner, TimerFunction function)
    {
        var payload = await ReadPayloadAsync(context);
        if (payload is null)
            return InvalidPayload("The body must be a JSON object with a Data member.");
        var timer = ParseTimerInfo(payload.Value);
        return await RunAsync(context, () => runner.RunTimerAsync(function, timer, context.RequestAborted));
    }

    private static async Task<IResult> InvokeQueueAsync(HttpContext context, FunctionRunner runner, QueueFunction function)
    {
        var payload = await ReadPayloadAsync(context);
        if (payload is not { } root || ParseQueueTrigger(root) is not { } message)
            return InvalidPayload($"The body must carry Data.{QueueBinding} and Metadata.Id.");
        return await RunAsync(context, () => runner.RunQueueAsync(function, message, context.RequestAborted));
    }

    private static async Task<IResult> RunAsync(HttpContext context, Func<Task> run)
    {
        try
        {
            await run();
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Already logged by FunctionRunner; the status alone tells the host to retry.
            return Problems.Problem(StatusCodes.Status500InternalServerError, ProblemCodes.FunctionFailed, "The function failed.");
        }
        return TypedResults.Json(new InvocationResponse(), InvocationJsonContext.Default.InvocationResponse);
    }

    private static IResult InvalidPayload(string detail) =>
        Problems.Problem(StatusCodes.Status400BadRequest, ProblemCodes.InvocationInvalid, "Invalid invocation payload", detail);

    private static async Task<JsonElement?> ReadPayloadAsync(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !TryGet(root, "Data", out var data) || data.ValueKind != JsonValueKind.Object)
                return null;
            return root.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static TimerInfo ParseTimerInfo(JsonElement payload)
    {
        TryGet(payload, "Data", out var data);
        if (!TryGet(data, TimerBinding, out var timer))
            return new TimerInfo(null, null, false);
        // TimerInfo may arrive as an object or as a JSON-encoded string (spec §5.1, UNVERIFIED which): accept both.
        if (timer.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var inner = JsonDocument.Parse(timer.GetString()!);
                timer = inner.RootElement.Clone();
            }
            catch (JsonException)
            {
                return new TimerInfo(null, null, false);
            }
        }
        if (timer.ValueKind != JsonValueKind.Object)
            return new TimerInfo(null, null, false);
        DateTimeOffset? last = null, next = null;
        if (TryGet(timer, "ScheduleStatus", out var status) && status.ValueKind == JsonValueKind.Object)
        {
            last = ReadTime(status, "Last");
            next = ReadTime(status, "Next");
        }
        var pastDue = TryGet(timer, "IsPastDue", out var due) && due.ValueKind == JsonValueKind.True;
        return new TimerInfo(last, next, pastDue);
    }

    internal static QueueTrigger? ParseQueueTrigger(JsonElement payload)
    {
        if (!TryGet(payload, "Data", out var data) || !TryGet(data, QueueBinding, out var value))
            return null;
        var text = value.ValueKind switch
        {
            JsonValueKind.String => DecodeHostString(value.GetString()!),
            JsonValueKind.Object or JsonValueKind.Array => value.GetRawText(),
            _ => null,
        };
        if (text is null)
            return null;
        TryGet(payload, "Metadata", out var metadata);
        var id = metadata.ValueKind == JsonValueKind.Object && TryGet(metadata, "Id", out var idValue) && idValue.ValueKind == JsonValueKind.String
            ? DecodeHostString(idValue.GetString()!)
            : null;
        if (string.IsNullOrEmpty(id))
            return null;
        var dequeueCount = metadata.ValueKind == JsonValueKind.Object ? ReadLong(metadata, "DequeueCount") ?? 1 : 1;
        var inserted = metadata.ValueKind == JsonValueKind.Object ? ReadTime(metadata, "InsertionTime") : null;
        return new QueueTrigger(text, id, dequeueCount, inserted);
    }

    /// <summary>
    /// The host passes plain strings through JsonConvert.SerializeObject, so a string value can arrive JSON-encoded
    /// inside the JSON string (spec §5.1): if the content is itself a JSON string literal, decode it once more.
    /// </summary>
    internal static string DecodeHostString(string value)
    {
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            try
            {
                return JsonSerializer.Deserialize(value, InvocationJsonContext.Default.String) ?? value;
            }
            catch (JsonException)
            {
                return value;
            }
        }
        return value;
    }

    private static DateTimeOffset? ReadTime(JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out var value) || value.ValueKind != JsonValueKind.String)
            return null;
        return DateTimeOffset.TryParse(DecodeHostString(value.GetString()!), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }

    private static long? ReadLong(JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out var value))
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
            return number;
        return value.ValueKind == JsonValueKind.String && long.TryParse(DecodeHostString(value.GetString()!), CultureInfo.InvariantCulture, out number) ? number : null;
    }

    // The host's property names are matched case-insensitively (Newtonsoft on its side).
    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        if (obj.ValueKind != JsonValueKind.Object)
            return false;
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        return false;
    }
}

/// <summary>The invocation answer of spec §5.2. Timer and queue functions here have no output bindings.</summary>
public sealed record InvocationResponse
{
    public Dictionary<string, JsonElement> Outputs { get; init; } = [];
    public List<string> Logs { get; init; } = [];
    public JsonElement? ReturnValue { get; init; }
}

// PascalCase on purpose: the host's invocation contract is not our camelCase API.
[JsonSerializable(typeof(InvocationResponse))]
[JsonSerializable(typeof(string))]
internal sealed partial class InvocationJsonContext : JsonSerializerContext;
