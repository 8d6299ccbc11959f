using System.Text.Json.Serialization;

namespace Castio.Core.Rtk;

// REST models (docs/realtimekit.md), one file per API area beside this one. Property names become snake_case
// through RtkJsonContext; the few fields RTK spells otherwise carry [JsonPropertyName]. Enum-like values stay
// strings so a new value from RTK never breaks parsing; known values live in *Values classes beside their models.

/// <summary>The RTK response envelope: <c>data</c> on success; <c>error</c> (RTK) or <c>errors[]</c> (Cloudflare's gateway) on failure.</summary>
public sealed class RtkEnvelope<T>
{
    public bool Success { get; init; }
    public T? Data { get; init; }
    public RtkPaging? Paging { get; init; }
    public RtkErrorBody? Error { get; init; }
    public List<RtkGatewayError>? Errors { get; init; }
}

public sealed record RtkPaging(int TotalCount, int StartOffset, int EndOffset);
public sealed record RtkErrorBody(int Code, string? Message);
public sealed record RtkGatewayError(int Code, string? Message);

/// <summary>One page of a list call.</summary>
public sealed record RtkPage<T>(IReadOnlyList<T> Items, RtkPaging? Paging);

/// <summary>1-based page number and page size (query <c>page_no</c>, <c>per_page</c>).</summary>
public sealed record RtkPageRequest(int? PageNo = null, int? PerPage = null);

/// <summary>Reads a JSON string; any other JSON value (array, object, number) reads as null instead of failing.</summary>
public sealed class StringOrNullConverter : JsonConverter<string?>
{
    public override string? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        if (reader.TokenType == System.Text.Json.JsonTokenType.String) return reader.GetString();
        reader.Skip();
        return null;
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, string? value, System.Text.Json.JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteStringValue(value);
    }
}
