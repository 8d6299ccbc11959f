using System.Security.Cryptography;
using System.Text;

namespace Castio.Core.Auth;

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashes in a self-describing, versioned format
/// <c>$pbkdf2-sha256$i={iterations}${salt}${hash}</c> (base64), so parameters can rise over time:
/// <see cref="Verify"/> reports when a stored hash is weaker than today's and should be replaced.
/// </summary>
public sealed class PasswordHasher
{
    /// <summary>OWASP Password Storage Cheat Sheet (2023+) figure for PBKDF2-HMAC-SHA256.</summary>
    public const int CurrentIterations = 600_000;

    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    // A stored hash is our own data, but a corrupt or hostile row must not pin a CPU for minutes.
    private const int MaxIterations = 10_000_000;

    private readonly int _iterations;
    private readonly Lazy<string> _decoy;

    public PasswordHasher() : this(CurrentIterations)
    {
    }

    // Lower counts exist only so tests can create "old" hashes and prove the upgrade path.
    internal PasswordHasher(int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        _iterations = iterations;
        _decoy = new Lazy<string>(() => Hash("decoy password for unknown accounts"));
    }

    public int Iterations => _iterations;

    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, _iterations);
        return $"${Scheme}$i={_iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public PasswordVerification Verify(string storedHash, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryParse(storedHash, out var iterations, out var salt, out var expected))
        {
            return PasswordVerification.Failed;
        }

        var actual = Derive(password, salt, iterations);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return PasswordVerification.Failed;
        }

        return iterations < _iterations ? PasswordVerification.SuccessRehashNeeded : PasswordVerification.Success;
    }

    /// <summary>
    /// Burns the same time as a real verification, for logins naming an unknown account, so the
    /// answer time does not tell whether the e-mail exists.
    /// </summary>
    public void VerifyDecoy(string password) => Verify(_decoy.Value, password);

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);

    private static bool TryParse(string? stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = stored?.Split('$');
        // "", scheme, "i=N", salt, hash
        if (parts is not { Length: 5 } || parts[0].Length != 0 || parts[1] != Scheme || !parts[2].StartsWith("i=", StringComparison.Ordinal))
        {
            return false;
        }

        if (!int.TryParse(parts[2].AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out iterations)
            || iterations < 1 || iterations > MaxIterations)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[3]);
            hash = Convert.FromBase64String(parts[4]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= SaltBytes && hash.Length == HashBytes;
    }
}

public enum PasswordVerification
{
    Failed,
    Success,
    SuccessRehashNeeded,
}
