using Microsoft.Extensions.Options;

namespace Castio.Core.Auth;

/// <summary>Token and login settings, bound from the <c>Auth</c> section (<c>Auth__SigningKey</c> etc.).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";
    public const int MinSigningKeyBytes = 32;

    /// <summary>
    /// HS256 key of at least 256 bits: base64 of 32+ bytes, or 32+ characters of random text.
    /// A secret: comes from Key Vault in Azure.
    /// </summary>
    public string SigningKey { get; set; } = "";

    public string Issuer { get; set; } = "castio";

    public string Audience { get; set; } = "castio-api";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan InviteLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Failed logins per account per <see cref="AccountLockoutWindow"/> before 429.</summary>
    public int MaxFailedLoginsPerAccount { get; set; } = 10;

    public TimeSpan AccountLockoutWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a just-rotated refresh token may be presented again and get the pair it was rotated
    /// into (two tabs refreshing at once) instead of being taken as stolen. Zero turns it off.
    /// </summary>
    public TimeSpan RefreshReuseLeeway { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The key bytes: base64-decoded when that gives 256 bits, else the UTF-8 text; empty when neither does.</summary>
    internal byte[] SigningKeyBytes()
    {
        var buffer = new byte[SigningKey.Length];
        if (Convert.TryFromBase64String(SigningKey, buffer, out var written) && written >= MinSigningKeyBytes)
        {
            return buffer[..written];
        }

        var text = System.Text.Encoding.UTF8.GetBytes(SigningKey);
        return text.Length >= MinSigningKeyBytes ? text : [];
    }

    /// <summary>Start-up validation: the app refuses to start with a missing or short key.</summary>
    public sealed class Validator : IValidateOptions<AuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, AuthOptions options)
        {
            var failures = new List<string>();
            if (options.SigningKeyBytes().Length < MinSigningKeyBytes)
            {
                failures.Add($"Auth:SigningKey must be at least {MinSigningKeyBytes} bytes (256 bits): base64 of 32+ random bytes, or 32+ random characters.");
            }

            if (string.IsNullOrWhiteSpace(options.Issuer) || string.IsNullOrWhiteSpace(options.Audience))
            {
                failures.Add("Auth:Issuer and Auth:Audience are required.");
            }

            if (options.AccessTokenLifetime <= TimeSpan.Zero || options.AccessTokenLifetime > TimeSpan.FromHours(1))
            {
                failures.Add("Auth:AccessTokenLifetime must be between 0 and 1 hour.");
            }

            if (options.RefreshTokenLifetime <= TimeSpan.Zero || options.RefreshTokenLifetime > TimeSpan.FromDays(90))
            {
                failures.Add("Auth:RefreshTokenLifetime must be between 0 and 90 days.");
            }

            if (options.InviteLifetime <= TimeSpan.Zero || options.InviteLifetime > TimeSpan.FromDays(30))
            {
                failures.Add("Auth:InviteLifetime must be between 0 and 30 days.");
            }

            if (options.MaxFailedLoginsPerAccount < 1 || options.AccountLockoutWindow <= TimeSpan.Zero)
            {
                failures.Add("Auth:MaxFailedLoginsPerAccount and Auth:AccountLockoutWindow must be positive.");
            }

            if (options.RefreshReuseLeeway < TimeSpan.Zero || options.RefreshReuseLeeway > TimeSpan.FromMinutes(1))
            {
                failures.Add("Auth:RefreshReuseLeeway must be between 0 and 1 minute.");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
