namespace Castio.Core.Auth;

/// <summary>
/// NIST SP 800-63B / OWASP length policy: 12 to 256 characters, no composition rules.
/// Characters are Unicode scalar values, so an emoji counts once.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxLength = 256;

    public static string? Check(string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return "Password is required.";
        }

        // Cheap upper bound first so a megabyte string is not enumerated.
        if (password.Length > MaxLength * 2)
        {
            return $"Password must be at most {MaxLength} characters.";
        }

        var length = password.EnumerateRunes().Count();
        if (length < MinLength)
        {
            return $"Password must be at least {MinLength} characters.";
        }

        return length > MaxLength ? $"Password must be at most {MaxLength} characters." : null;
    }
}
