using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Azure;

namespace Castio.Core.Storage;

/// <summary>
/// Typed entity ⇄ Table JSON (spec §4.4). Types the service cannot infer get an <c>@odata.type</c>
/// annotation on write (Int64 as a string, DateTime, Guid, Binary, Double); on read values are
/// coerced by the CLR property type, so nometadata and minimalmetadata payloads both work.
/// </summary>
internal static class TableEntityJson
{
    private const string TypeSuffix = "@odata.type";

    public static JsonObject Serialize(ITableEntity entity, JsonSerializerOptions options)
    {
        var typeInfo = options.GetTypeInfo(entity.GetType());
        var json = new JsonObject
        {
            ["PartitionKey"] = entity.PartitionKey,
            ["RowKey"] = entity.RowKey,
        };
        foreach (var property in typeInfo.Properties)
        {
            if (property.Get is null || IsReserved(property)) continue;
            var value = property.Get(entity);
            if (value is null || property.ShouldSerialize?.Invoke(entity, value) == false) continue;
            var name = property.Name;
            switch (value)
            {
                case long l:
                    json[name] = l.ToString(CultureInfo.InvariantCulture);
                    json[name + TypeSuffix] = "Edm.Int64";
                    break;
                case DateTimeOffset dto:
                    json[name] = FormatDateTime(dto.UtcDateTime);
                    json[name + TypeSuffix] = "Edm.DateTime";
                    break;
                case DateTime dt:
                    json[name] = FormatDateTime(dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : DateTime.SpecifyKind(dt, DateTimeKind.Utc));
                    json[name + TypeSuffix] = "Edm.DateTime";
                    break;
                case Guid g:
                    json[name] = g.ToString("D");
                    json[name + TypeSuffix] = "Edm.Guid";
                    break;
                case byte[] bytes:
                    json[name] = Convert.ToBase64String(bytes);
                    json[name + TypeSuffix] = "Edm.Binary";
                    break;
                case BinaryData data:
                    json[name] = Convert.ToBase64String(data.ToArray());
                    json[name + TypeSuffix] = "Edm.Binary";
                    break;
                case double d:
                    // Integral doubles would be read back as Int32 without the annotation; NaN/Infinity travel as strings.
                    json[name] = double.IsFinite(d) ? JsonValue.Create(d) : d.ToString(CultureInfo.InvariantCulture);
                    json[name + TypeSuffix] = "Edm.Double";
                    break;
                case float f:
                    json[name] = double.IsFinite(f) ? JsonValue.Create((double)f) : f.ToString(CultureInfo.InvariantCulture);
                    json[name + TypeSuffix] = "Edm.Double";
                    break;
                default:
                    json[name] = JsonSerializer.SerializeToNode(value, property.PropertyType, options);
                    break;
            }
        }
        return json;
    }

    public static T Deserialize<T>(JsonObject json, JsonSerializerOptions options, string? etagHeader) where T : class, ITableEntity
    {
        var typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        foreach (var property in typeInfo.Properties)
        {
            if (!json.TryGetPropertyValue(property.Name, out var node) || node is not JsonValue value) continue;
            if (value.GetValueKind() != JsonValueKind.String) continue;
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var text = value.GetValue<string>();
            // Int64 always arrives as a string; doubles may be "NaN"/"Infinity".
            if (type == typeof(long) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
            {
                json[property.Name] = l;
            }
            else if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            {
                json[property.Name] = d;
            }
        }

        var entity = json.Deserialize(typeInfo) ?? throw new JsonException("The table returned an empty entity.");
        if (json.TryGetPropertyValue("PartitionKey", out var pk) && pk is not null) entity.PartitionKey = pk.GetValue<string>();
        if (json.TryGetPropertyValue("RowKey", out var rk) && rk is not null) entity.RowKey = rk.GetValue<string>();
        if (json.TryGetPropertyValue("Timestamp", out var ts) && ts is not null &&
            DateTimeOffset.TryParse(ts.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp))
        {
            entity.Timestamp = timestamp;
        }
        var etag = json.TryGetPropertyValue("odata.etag", out var e) && e is not null ? e.GetValue<string>() : etagHeader;
        if (etag is not null) entity.ETag = new ETag(etag);
        return entity;
    }

    private static bool IsReserved(JsonPropertyInfo property) =>
        property.PropertyType == typeof(ETag) ||
        property.Name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag";

    private static string FormatDateTime(DateTime utc) =>
        utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
