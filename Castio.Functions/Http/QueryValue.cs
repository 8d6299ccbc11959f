using System.Globalization;

namespace Castio.Functions.Http;

/// <summary>Query values arrive as text; the service's own range check names the field, so junk reads as out of range.</summary>
public static class QueryValue
{
    public static int? Int(string? value) =>
        string.IsNullOrEmpty(value) ? null
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
}
