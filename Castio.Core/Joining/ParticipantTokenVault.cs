using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Castio.Core.Auth;
using Microsoft.Extensions.Options;

namespace Castio.Core.Joining;

/// <summary>
/// Keeps the RTK participant token that a rejoin reuses. At rest it is sealed with AES-256-GCM under a key
/// derived (HKDF-SHA256) from the app's signing key; the associated data binds it to its org, Castio participant
/// and RTK participant, so a sealed token copied onto another row does not open. Rotating the signing key only
/// costs one RTK token refresh per participant: a token that no longer opens is treated as absent.
/// </summary>
public sealed class ParticipantTokenVault
{
    /// <summary>
    /// RTK documents participant tokens as time-bound without a lifetime (UNVERIFIED). A token that is a JWT
    /// with <c>exp</c> is trusted up to its own expiry; any other is reused for at most this long.
    /// </summary>
    public static readonly TimeSpan AssumedRtkTokenLifetime = TimeSpan.FromHours(1);

    /// <summary>A token is not handed out again this close to its expiry: the client still has to connect with it.</summary>
    public static readonly TimeSpan ReuseMargin = TimeSpan.FromMinutes(5);

    private const int NonceBytes = 12, TagBytes = 16;
    private static readonly byte[] Label = "castio/joining/rtk-participant-token/v1"u8.ToArray();
    private readonly byte[] _key;

    public ParticipantTokenVault(IOptions<AuthOptions> auth)
    {
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, auth.Value.SigningKeyBytes(), 32, info: Label);
    }

    public string Seal(string token, string binding)
    {
        var plain = Encoding.UTF8.GetBytes(token);
        var output = new byte[NonceBytes + TagBytes + plain.Length];
        var nonce = output.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceBytes + TagBytes), output.AsSpan(NonceBytes, TagBytes), Encoding.UTF8.GetBytes(binding));
        return Convert.ToBase64String(output);
    }

    /// <summary>The token, or null when it cannot be opened (other key, other row, damaged).</summary>
    public string? Open(string? sealedToken, string binding)
    {
        if (string.IsNullOrEmpty(sealedToken))
        {
            return null;
        }

        try
        {
            var input = Convert.FromBase64String(sealedToken);
            if (input.Length < NonceBytes + TagBytes)
            {
                return null;
            }

            var plain = new byte[input.Length - NonceBytes - TagBytes];
            using var aes = new AesGcm(_key, TagBytes);
            aes.Decrypt(input.AsSpan(0, NonceBytes), input.AsSpan(NonceBytes + TagBytes), input.AsSpan(NonceBytes, TagBytes), plain, Encoding.UTF8.GetBytes(binding));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Until when a freshly issued token may be handed out again.</summary>
    public static DateTimeOffset ReusableUntil(string token, DateTimeOffset issuedAt)
    {
        var assumed = issuedAt + AssumedRtkTokenLifetime;
        var expires = JwtExpiry(token) is { } exp && exp < assumed ? exp : assumed;
        return expires - ReuseMargin;
    }

    /// <summary>The <c>exp</c> of a JWT-shaped token; null for anything else.</summary>
    public static DateTimeOffset? JwtExpiry(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
            return json.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
