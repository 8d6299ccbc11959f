using System.Text.RegularExpressions;
using Castio.Core.Common;

namespace Castio.Core.Joining;

/// <summary>
/// A guest's display name: markup stripped (script and style blocks with their content, then any tag,
/// then stray angle brackets), whitespace collapsed, then 2 to 50 characters without control characters.
/// </summary>
public static partial class GuestName
{
    public const int MinLength = 2;
    public const int MaxLength = 50;

    public static string Normalize(string? name)
    {
        var text = name ?? "";
        text = Blocks().Replace(text, " ");
        text = Tags().Replace(text, " ");
        text = text.Replace("<", "", StringComparison.Ordinal).Replace(">", "", StringComparison.Ordinal);
        return Spaces().Replace(text, " ").Trim();
    }

    public static string? Check(string normalized)
    {
        if (DisplayName.Check(normalized, "Display name") is { } problem)
        {
            return problem;
        }

        return normalized.Length is < MinLength or > MaxLength
            ? $"Display name must be {MinLength} to {MaxLength} characters once markup is removed."
            : null;
    }

    [GeneratedRegex(@"<\s*(script|style)\b[^>]*>.*?(<\s*/\s*\1\s*>|$)", RegexOptions.IgnoreCase | RegexOptions.Singleline, 200)]
    private static partial Regex Blocks();

    [GeneratedRegex(@"<[^>]*>?", RegexOptions.None, 200)]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+", RegexOptions.None, 200)]
    private static partial Regex Spaces();
}
