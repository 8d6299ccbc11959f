using System.Security.Cryptography;
using Castio.Core.Common;

namespace Castio.Core.Auth;

/// <summary>
/// Opaque bearer secrets (refresh tokens, invite tokens): 256 random bits, base64url on the wire,
/// and only their SHA-256 stored. A lookup by hash is an equality on a digest of a high-entropy
/// secret, so it leaks nothing useful through timing.
/// </summary>
public static class OpaqueToken
{
    public const int Bytes = 32;

    public static string Create() => Base64Url(RandomNumberGenerator.GetBytes(Bytes));

    /// <summary>Lower-case hex SHA-256 of the token text; safe as a table key.</summary>
    public static string Hash(string token) => TableKeys.Hash(token);

    /// <summary>Shape check before any storage lookup: 43 base64url characters.</summary>
    public static bool LooksValid(string? token) =>
        token is { Length: 43 } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
