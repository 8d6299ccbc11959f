using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Castio.Core.Rtk;

/// <summary>
/// Base of the per-area RTK clients (<see cref="RtkClient.Meetings"/> and the rest): they all send
/// through the one connection their <see cref="RtkClient"/> owns.
/// </summary>
public abstract class RtkApiClient
{
    private protected static readonly RtkJsonContext Ctx = RtkJsonContext.Default;

    private protected RtkApiClient(RtkConnection api) => Api = api;

    private protected RtkConnection Api { get; }

    private protected string Acc => Api.AccountId;

    private protected static byte[] Body<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    private protected static T Required<T>(T? value) where T : class =>
        value ?? throw new RtkException("RTK answered success without data.", HttpStatusCode.OK, null, isUnavailable: false);

    private protected static void Guard(params ReadOnlySpan<string> ids)
    {
        foreach (var id in ids) ArgumentException.ThrowIfNullOrWhiteSpace(id);
    }

    /// <summary>Builds a query string, skipping empty values.</summary>
    private protected sealed class Query
    {
        private readonly StringBuilder _sb = new();

        public Query Add(string name, string? value)
        {
            if (string.IsNullOrEmpty(value)) return this;
            _sb.Append(_sb.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            return this;
        }

        public Query Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));
        public Query Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");
        public Query Add(string name, DateTimeOffset? value) =>
            Add(name, value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

        public override string ToString() => _sb.ToString();
    }
}
