using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Castio.RtkSimulator;

/// <summary>RTK envelopes (docs/realtimekit.md, Responses, errors and paging) and body validation helpers.</summary>
internal static class SimHttp
{
    public const int DefaultPerPage = 20; // UNVERIFIED in RTK; 20 default and 100 max contradict nothing it documents
    public const int MaxPerPage = 100;

    public static IResult Json(int status, JsonNode body) =>
        Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8, status);

    public static IResult Ok(JsonNode? data, int status = 200, JsonObject? paging = null)
    {
        var body = new JsonObject { ["success"] = true, ["data"] = data };
        if (paging is not null) body["paging"] = paging;
        return Json(status, body);
    }

    public static JsonObject ErrorBody(int status, string message) =>
        new() { ["success"] = false, ["error"] = new JsonObject { ["code"] = status, ["message"] = message } };

    /// <summary>Cloudflare's gateway shape, used for bad API tokens (UNVERIFIED that RTK does not use its own shape there).</summary>
    public static JsonObject GatewayBody(int code, string message) => new()
    {
        ["success"] = false,
        ["errors"] = new JsonArray(new JsonObject { ["code"] = code, ["message"] = message }),
        ["messages"] = new JsonArray(),
        ["result"] = null,
    };

    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, bool allowEmpty = false)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        if (string.IsNullOrWhiteSpace(text))
            return allowEmpty ? [] : throw new SimulatorException(400, "Request body is required");
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new SimulatorException(400, "Request body must be a JSON object");
        }
        catch (JsonException)
        {
            throw new SimulatorException(400, "Request body is not valid JSON");
        }
    }

    public static string? Str(JsonObject o, string name, bool required = false, int maxLength = 1000)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null)
            return required ? throw new SimulatorException(400, $"{name} is required") : null;
        if (node.GetValueKind() != JsonValueKind.String) throw new SimulatorException(400, $"{name} must be a string");
        var value = node.GetValue<string>();
        if (required && string.IsNullOrWhiteSpace(value)) throw new SimulatorException(400, $"{name} is required");
        if (value.Length > maxLength) throw new SimulatorException(400, $"{name} is longer than {maxLength} characters");
        return value;
    }

    public static bool? Bool(JsonObject o, string name, bool required = false)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null)
            return required ? throw new SimulatorException(400, $"{name} is required") : null;
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new SimulatorException(400, $"{name} must be a boolean"),
        };
    }

    public static int? Int(JsonObject o, string name, int min, int max)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null) return null;
        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<int>(out var value))
            throw new SimulatorException(400, $"{name} must be an integer");
        if (value < min || value > max) throw new SimulatorException(400, $"{name} must be between {min} and {max}");
        return value;
    }

    public static JsonObject? Obj(JsonObject o, string name, bool required = false)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null)
            return required ? throw new SimulatorException(400, $"{name} is required") : null;
        return node as JsonObject ?? throw new SimulatorException(400, $"{name} must be an object");
    }

    public static List<string>? StrList(JsonObject o, string name, bool required = false)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null)
            return required ? throw new SimulatorException(400, $"{name} is required") : null;
        if (node is not JsonArray array) throw new SimulatorException(400, $"{name} must be an array of strings");
        var list = new List<string>();
        foreach (var item in array)
        {
            if (item is null || item.GetValueKind() != JsonValueKind.String) throw new SimulatorException(400, $"{name} must be an array of strings");
            list.Add(item.GetValue<string>());
        }
        return list;
    }

    public static void OneOf(string? value, string name, params string[] allowed)
    {
        if (value is not null && !allowed.Contains(value)) throw new SimulatorException(400, $"{name} must be one of {string.Join(", ", allowed)}");
    }

    /// <summary>Applies <c>page_no</c>/<c>per_page</c> (1-based) and builds <c>paging</c>.</summary>
    public static (List<T> Items, JsonObject Paging) Page<T>(IReadOnlyList<T> all, HttpRequest request)
    {
        var pageNo = QueryInt(request, "page_no", 1, 1, int.MaxValue);
        var perPage = QueryInt(request, "per_page", DefaultPerPage, 1, MaxPerPage);
        var skip = (long)(pageNo - 1) * perPage;
        var items = skip >= all.Count ? [] : all.Skip((int)skip).Take(perPage).ToList();
        var paging = new JsonObject
        {
            ["total_count"] = all.Count,
            ["start_offset"] = items.Count == 0 ? 0 : (int)skip + 1,
            ["end_offset"] = items.Count == 0 ? 0 : (int)skip + items.Count,
        };
        return (items, paging);
    }

    public static int QueryInt(HttpRequest request, string name, int fallback, int min, int max)
    {
        var raw = request.Query[name].ToString();
        if (string.IsNullOrEmpty(raw)) return fallback;
        if (!int.TryParse(raw, out var value) || value < min || value > max)
            throw new SimulatorException(400, $"{name} must be an integer between {min} and {max}");
        return value;
    }

    public static bool QueryBool(HttpRequest request, string name)
    {
        var raw = request.Query[name].ToString();
        if (string.IsNullOrEmpty(raw)) return false;
        return bool.TryParse(raw, out var value) ? value : throw new SimulatorException(400, $"{name} must be true or false");
    }

    public static DateTimeOffset? QueryTime(HttpRequest request, string name)
    {
        var raw = request.Query[name].ToString();
        if (string.IsNullOrEmpty(raw)) return null;
        return DateTimeOffset.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var value)
            ? value : throw new SimulatorException(400, $"{name} must be an ISO-8601 time");
    }

    /// <summary>Reads a multi-valued query both as repeated keys and comma-joined: RTK's encoding is UNVERIFIED.</summary>
    public static List<string> QueryList(HttpRequest request, string name) =>
        request.Query[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
}
