namespace Castio.Core.Common;

/// <summary>Person and organization names: trimmed, 1 to 100 characters, no control characters.</summary>
public static class DisplayName
{
    public const int MaxLength = 100;

    public static string Normalize(string? name) => (name ?? "").Trim();

    public static string? Check(string name, string what = "Name")
    {
        if (name.Length == 0)
        {
            return $"{what} is required.";
        }

        if (name.Length > MaxLength)
        {
            return $"{what} must be at most {MaxLength} characters.";
        }

        return name.Any(char.IsControl) ? $"{what} must not contain control characters." : null;
    }
}
