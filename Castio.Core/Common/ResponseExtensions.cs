using Azure;

namespace Castio.Core.Common;

public static class ResponseExtensions
{
    /// <summary>The entity of a point read, or null when it does not exist.</summary>
    public static T? ValueOrNull<T>(this NullableResponse<T> response) where T : class =>
        response.HasValue ? response.Value : null;
}
